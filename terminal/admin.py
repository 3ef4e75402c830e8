from collections import Counter

from django.contrib import admin, messages
from django.utils.translation import ngettext

from kulvex.admin_filters import LiveFilter

from . import control
from .models import TerminalSession


@admin.register(TerminalSession)
class TerminalSessionAdmin(admin.ModelAdmin):
    """The audit trail of terminal sessions: read-only, except ending a live one."""

    list_display = [
        "session_id",
        "user",
        "mode",
        "live",
        "started_at",
        "ended_at",
        "end_reason",
        "exit_code",
        "bytes_in",
        "bytes_out",
        "cols",
        "rows",
        "client_address",
        "node",
    ]
    list_filter = [LiveFilter, "mode", "end_reason", "started_at"]
    search_fields = ["session_id", "user__username", "client_address", "node"]
    date_hierarchy = "started_at"
    list_select_related = ["user"]
    actions = ["end_sessions"]

    @admin.display(boolean=True, description="live")
    def live(self, obj: TerminalSession) -> bool:
        return obj.is_live

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_end_permission(self, request) -> bool:
        return request.user.has_perm("terminal.change_terminalsession")

    @admin.action(description="End the selected live sessions", permissions=["end"])
    def end_sessions(self, request, queryset):
        outcomes = Counter(control.end_session(row, "admin") for row in queryset.filter(ended_at__isnull=True))
        if outcomes[control.ENDED] or outcomes[control.FORWARDED]:
            count = outcomes[control.ENDED] + outcomes[control.FORWARDED]
            self.message_user(request, ngettext("Ended %d session.", "Ended %d sessions.", count) % count)
        if outcomes[control.CLOSED]:
            self.message_user(
                request, f"Closed {outcomes[control.CLOSED]} rows whose server process is gone.", messages.WARNING
            )
        if outcomes[control.UNREACHABLE]:
            self.message_user(
                request,
                f"{outcomes[control.UNREACHABLE]} sessions run in another server process; "
                "set REDIS_URL so that processes can reach each other.",
                messages.ERROR,
            )
