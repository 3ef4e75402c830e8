"""Voice and terminal sessions for the dashboard and `manage.py sessions`: read-only rows, and
ending a live terminal session wherever its PTY lives.

Users see their own sessions; admins may ask for everyone's (`?everyone=1`) and end a terminal.
"""

from __future__ import annotations

from itertools import chain

from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from terminal import control
from terminal.models import TerminalSession
from voice.models import VoiceSession

from .roles import ADMIN, role_of

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


class IsAdmin(BasePermission):
    message = "Only admins may end sessions."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) == ADMIN


class EndTerminalView(APIView):
    """POST /api/sessions/terminal/<session_id>/end (admins)."""

    permission_classes = [IsAdmin]

    def post(self, request, session_id: str):
        try:
            detail = control.end_anywhere(session_id)
        except control.EndFailed as error:
            return Response({"code": error.code, "detail": error.message}, status=error.status)
        row = TerminalSession.objects.select_related("user").get(session_id=session_id)
        return Response({"detail": detail, "session": terminal_row(row, can_end=True)})
