"""Ending a session from outside its events (the admin): wherever its PTY lives."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from kulvex.protocol import Client

from . import audit, manager
from .models import TerminalSession

ENDED = "ended"  # by this process, which owns the PTY
FORWARDED = "forwarded"  # sent to the owning process through Redis
CLOSED = "closed"  # the owning process is gone: only the row was left open
UNREACHABLE = "unreachable"  # owned by another process, and no Redis to reach it


def end_session(row: TerminalSession, reason: str) -> str:
    """End the live session of `row` (called from a worker thread, e.g. an admin request)."""
    local = manager.current()
    if local is not None and row.node == audit.node_name():
        local.call(local.end(row.session_id, reason), timeout=settings.TERMINAL_KILL_TIMEOUT * 3 + 5)
        return ENDED
    if audit.node_is_dead(row.node, row.started_at):
        TerminalSession.objects.filter(pk=row.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason="server_restart"
        )
        return CLOSED
    if local is not None and local.relay is not None:
        owner = Client(sid="", user_id=row.user_id)
        local.call(local.relay.send(row.node, owner, row.session_id, "end", {"reason": reason}), timeout=10)
        return FORWARDED
    return UNREACHABLE
