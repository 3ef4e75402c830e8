from django.contrib import admin
from django.db.models import Count

from .models import Conversation, Message
from .rag import admin as rag_admin  # noqa: F401  (projects, documents, chunks)


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ["created_at", "role", "content", "model", "finish_reason", "completion_tokens", "first_token_ms"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "owner", "kind", "task_type", "project", "messages_count", "updated_at"]
    list_filter = ["kind", "task_type", "created_at"]
    search_fields = ["title", "owner__username", "messages__content"]
    date_hierarchy = "created_at"
    list_select_related = ["owner", "project"]
    raw_id_fields = ["owner", "project"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MessageInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(messages_count=Count("messages"))

    @admin.display(description="messages", ordering="messages_count")
    def messages_count(self, obj) -> int:
        return obj.messages_count


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "role", "short_content", "model", "finish_reason", "created_at"]
    list_filter = ["role", "finish_reason", "backend", "created_at"]
    search_fields = ["content", "model", "conversation__owner__username"]
    date_hierarchy = "created_at"
    list_select_related = ["conversation"]
    raw_id_fields = ["conversation"]

    @admin.display(description="content")
    def short_content(self, obj) -> str:
        return obj.content[:80]
