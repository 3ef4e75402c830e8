"""Admin list filters shared by the apps' audit trails."""

from django.contrib import admin


class LiveFilter(admin.SimpleListFilter):
    """Live (no `ended_at` yet) or ended rows."""

    title = "state"
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", "live"), ("no", "ended")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(ended_at__isnull=self.value() == "yes")
        return queryset
