"""Ending a session from outside its events (the admin): wherever its PTY lives."""

from __future__ import annotations

import asyncio
import socket
import time

from django.conf import settings
from django.utils import timezone

from kulvex.protocol import Client

from . import audit, manager, processes
from .models import TerminalSession
from .relay import Relay

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


class EndFailed(Exception):
    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _wait_closed(session_id: str, timeout: float) -> TerminalSession | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = TerminalSession.objects.get(session_id=session_id)
        if not row.is_live:
            return row
        time.sleep(0.1)
    return None


async def _forward_end(row: TerminalSession, reason: str) -> None:
    relay = Relay(settings.REDIS_URL, audit.node_name(), perform=None)
    try:
        await relay.send(row.node, Client(sid="", user_id=row.user_id), row.session_id, "end", {"reason": reason})
    finally:
        await relay.stop()


def end_anywhere(session_id: str, reason: str = "admin", timeout: float = 15.0) -> str:
    """End a live terminal session and return what happened; EndFailed when it cannot be done.

    `end_session` ends it in the server process that owns the PTY, from any server process.
    From outside them (manage.py) the request goes through Redis when there is one; otherwise,
    on the owner's host, the session's processes are ended under it: the owner sees the shell
    exit, tells the client and closes the row.
    """
    row = TerminalSession.objects.filter(session_id=session_id).first()
    if row is None:
        raise EndFailed("not_found", f"No terminal session {session_id!r}.", status=404)
    if not row.is_live:
        return f"Terminal session {session_id} had already ended ({row.end_reason or 'no reason recorded'})."
    outcome = end_session(row, reason)
    if outcome == ENDED:
        return f"Ended terminal session {session_id}."
    if outcome == CLOSED:
        return f"Closed terminal session {session_id}: its server {row.node} is gone."
    killed = False
    if outcome == UNREACHABLE:
        if settings.REDIS_URL:
            asyncio.run(_forward_end(row, reason))
        elif row.node.rpartition(":")[0] == socket.gethostname():
            killed = bool(processes.kill_tagged({session_id}))
        else:
            raise EndFailed("unreachable", f"Terminal session {session_id} lives on {row.node}; end it there.")
    closed = _wait_closed(session_id, timeout)
    if closed is None:
        raise EndFailed("timeout", f"Terminal session {session_id} did not end within {timeout:g} s.", status=504)
    if killed:  # the owner recorded the shell's exit; the audit trail says why it exited
        TerminalSession.objects.filter(pk=closed.pk).update(end_reason=reason)
    return f"Ended terminal session {session_id}."
