"""REST: the live code sessions (terminal mode kcode) a user can reattach to."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from kulvex.roles import ADMIN, role_of

from . import manager
from .models import TerminalSession


class CanUseTerminal(BasePermission):
    message = "You may not use terminals."

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("terminal.use_terminal")


def describe(row: TerminalSession, live: dict | None) -> dict:
    """A live session as terminal:list shows it; size and attachment come from the PTY owner."""
    return {
        "session_id": row.session_id,
        "mode": row.mode,
        "cols": live["cols"] if live else row.cols,
        "rows": live["rows"] if live else row.rows,
        "started_at": row.started_at.isoformat(),
        "attached": live["attached"] if live else None,
        "node": row.node,
        "user": {"id": row.user_id, "username": row.user.get_username()},
    }


class CodeSessionList(APIView):
    """Live code sessions: your own; an admin sees everyone's (`?mine=1` for only their own)."""

    permission_classes = [CanUseTerminal]

    @extend_schema(
        responses=inline_serializer("CodeSessions", {"sessions": serializers.ListField(child=serializers.DictField())})
    )
    def get(self, request):
        rows = TerminalSession.objects.filter(mode=TerminalSession.MODE_KCODE, ended_at__isnull=True)
        if role_of(request.user) != ADMIN or request.query_params.get("mine"):
            rows = rows.filter(user=request.user)
        local = manager.current()
        live = {item["session_id"]: item for item in local.listing()} if local else {}
        sessions = [describe(row, live.get(row.session_id)) for row in rows.select_related("user")]
        return Response({"sessions": sessions, "idle_seconds": settings.TERMINAL_CODE_IDLE_SECONDS})
