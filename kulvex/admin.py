"""Users with their KULVEX role: a column, a filter, a field on the form and bulk actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Q

from .roles import ADMIN, ROLES, USER, VIEWER, VIEWER_GROUP, assign_role, role_of

User = get_user_model()
ROLE_CHOICES = [(role, role.capitalize()) for role in ROLES]
ROLE_HELP = "Admin: staff and superuser. User: chat, documents, voice. Viewer: read-only."


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return ROLE_CHOICES

    def queryset(self, request, queryset):
        admins = Q(is_staff=True) | Q(is_superuser=True)
        viewers = Q(groups__name=VIEWER_GROUP)
        if self.value() == ADMIN:
            return queryset.filter(admins)
        if self.value() == VIEWER:
            return queryset.filter(viewers).exclude(admins)
        if self.value() == USER:
            return queryset.exclude(admins).exclude(viewers)
        return queryset


class RoleChangeForm(UserChangeForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES, help_text=ROLE_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = role_of(self.instance)


class RoleCreationForm(AdminUserCreationForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=USER, help_text=ROLE_HELP)


def _set_role_action(role: str):
    def action(modeladmin, request, queryset):
        count = 0
        for user in queryset:
            assign_role(user, role)
            count += 1
        modeladmin.message_user(request, f"{count} user(s) are now {role}.", messages.SUCCESS)

    action.__name__ = f"make_{role}"
    action.short_description = f"Set role: {role}"
    return action


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = RoleChangeForm
    add_form = RoleCreationForm
    list_display = ("username", "email", "role", "is_active", "last_login", "date_joined")
    list_filter = (RoleFilter, "is_active", "date_joined")
    search_fields = ("username", "email", "first_name", "last_name")
    date_hierarchy = "date_joined"
    actions = [_set_role_action(role) for role in ROLES]
    # The role replaces the raw staff/superuser/groups switches; permissions stay editable.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Role", {"fields": ("role", "is_active")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Extra permissions", {"classes": ("collapse",), "fields": ("user_permissions",)}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2", "role")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="role")
    def role(self, user):
        if user.is_superuser or user.is_staff:
            return ADMIN
        return VIEWER if any(group.name == VIEWER_GROUP for group in user.groups.all()) else USER

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        role = form.cleaned_data.get("role")
        if role:
            assign_role(obj, role)
