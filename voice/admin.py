from django.contrib import admin

from kulvex.admin_filters import LiveFilter

from .models import VoiceSession, VoiceTurn


class VoiceTurnInline(admin.TabularInline):
    model = VoiceTurn
    extra = 0
    can_delete = False
    fields = [
        "index",
        "transcript",
        "reply",
        "stt_ms",
        "llm_ms",
        "first_sentence_ms",
        "first_audio_ms",
        "tts_ms",
        "error",
    ]
    readonly_fields = fields


@admin.register(VoiceSession)
class VoiceSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "language", "started_at", "ended_at", "end_reason", "audio_seconds", "turns"]
    list_filter = [LiveFilter, "language", "end_reason", "engine"]
    list_select_related = ["user"]
    search_fields = ["user__username", "client_address"]
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in VoiceSession._meta.fields]
    inlines = [VoiceTurnInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VoiceTurn)
class VoiceTurnAdmin(admin.ModelAdmin):
    list_display = ["session", "index", "transcript", "stt_ms", "llm_ms", "first_audio_ms", "error"]
    list_filter = ["session__language", "created_at"]
    list_select_related = ["session__user"]
    date_hierarchy = "created_at"
    search_fields = ["transcript", "reply", "session__user__username"]
    readonly_fields = [field.name for field in VoiceTurn._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
