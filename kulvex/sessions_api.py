"""Voice and terminal sessions for the dashboard and `manage.py sessions`: read-only rows, and
ending a live terminal session wherever its PTY lives.

Users see their own sessions; admins may ask for everyone's (`?everyone=1`) and end a terminal.
"""

from __future__ import annotations

import asyncio
import socket
import time
from itertools import chain

from django.conf import settings
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from terminal import audit, control, processes
from terminal.models import TerminalSession
from terminal.relay import Relay
from voice.models import VoiceSession

from .protocol import Client
from .roles import ADMIN, role_of

END_REASON = "admin"  # as the terminal admin's action records it
END_TIMEOUT = 15.0

LIMIT = 200


def _user(user) -> dict:
    return {"id": user.pk, "username": user.get_username()}


def terminal_row(row: TerminalSession, can_end: bool = False) -> dict:
    return {
        "kind": "terminal",
        "id": row.session_id,
        "user": _user(row.user),
        "mode": row.mode,
        "cols": row.cols,
        "rows": row.rows,
        "client_address": row.client_address,
        "node": row.node,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "end_reason": row.end_reason,
        "exit_code": row.exit_code,
        "bytes_in": row.bytes_in,
        "bytes_out": row.bytes_out,
        "live": row.is_live,
        "can_end": row.is_live and can_end,
    }


def voice_row(row: VoiceSession) -> dict:
    return {
        "kind": "voice",
        "id": row.pk,
        "user": _user(row.user),
        "language": row.language,
        "engine": row.engine,
        "sample_rate": row.sample_rate,
        "client_address": row.client_address,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "end_reason": row.end_reason,
        "turns": row.turns,
        "audio_seconds": row.audio_seconds,
        "live": row.is_live,
        "can_end": False,
    }


def session_rows(user=None, *, ended: bool = False, kind: str = "", can_end: bool = False) -> list[dict]:
    """The newest sessions (of `user`, or everyone's), voice and terminal interleaved by start."""
    terminals = TerminalSession.objects.select_related("user")
    voices = VoiceSession.objects.select_related("user")
    if user is not None:
        terminals = terminals.filter(user=user)
        voices = voices.filter(user=user)
    if not ended:
        terminals = terminals.filter(ended_at__isnull=True)
        voices = voices.filter(ended_at__isnull=True)
    rows = []
    if kind in ("", "terminal"):
        rows.append(terminal_row(row, can_end) for row in terminals.order_by("-started_at")[:LIMIT])
    if kind in ("", "voice"):
        rows.append(voice_row(row) for row in voices.order_by("-started_at")[:LIMIT])
    return sorted(chain(*rows), key=lambda row: row["started_at"], reverse=True)[:LIMIT]


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in {"1", "true", "yes"}


class SessionListView(APIView):
    """GET /api/sessions/?ended=1&everyone=1&kind=terminal|voice"""

    def get(self, request):
        kind = request.query_params.get("kind", "")
        if kind not in ("", "terminal", "voice"):
            return Response({"detail": "kind must be terminal or voice."}, status=status.HTTP_400_BAD_REQUEST)
        is_admin = role_of(request.user) == ADMIN
        rows = session_rows(
            None if is_admin and _flag(request, "everyone") else request.user,
            ended=_flag(request, "ended"),
            kind=kind,
            can_end=is_admin,
        )
        return Response({"results": rows, "count": len(rows)})


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


def end_terminal_session(session_id: str, reason: str = END_REASON, timeout: float = END_TIMEOUT) -> str:
    """End a live terminal session and return what happened; EndFailed when it cannot be done.

    terminal.control ends it in the server process that owns the PTY, from any server process.
    From outside them (manage.py) the request goes through Redis when there is one; otherwise,
    on the owner's host, the session's processes are ended under it: the owner sees the shell
    exit, tells the client and closes the row.
    """
    row = TerminalSession.objects.filter(session_id=session_id).first()
    if row is None:
        raise EndFailed("not_found", f"No terminal session {session_id!r}.", status=404)
    if not row.is_live:
        return f"Terminal session {session_id} had already ended ({row.end_reason or 'no reason recorded'})."
    outcome = control.end_session(row, reason)
    if outcome == control.ENDED:
        return f"Ended terminal session {session_id}."
    if outcome == control.CLOSED:
        return f"Closed terminal session {session_id}: its server {row.node} is gone."
    killed = False
    if outcome == control.UNREACHABLE:
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


class IsAdmin(BasePermission):
    message = "Only admins may end sessions."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) == ADMIN


class EndTerminalView(APIView):
    """POST /api/sessions/terminal/<session_id>/end (admins)."""

    permission_classes = [IsAdmin]

    def post(self, request, session_id: str):
        try:
            detail = end_terminal_session(session_id)
        except EndFailed as error:
            return Response({"code": error.code, "detail": error.message}, status=error.status)
        row = TerminalSession.objects.select_related("user").get(session_id=session_id)
        return Response({"detail": detail, "session": terminal_row(row, can_end=True)})
