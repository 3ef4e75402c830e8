"""REST: the live code sessions (terminal mode kcode) a user can reattach to."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from kulvex.roles import ADMIN, role_of

from .listing import live_sessions
from .models import TerminalSession


class CanUseTerminal(BasePermission):
    message = "You may not use terminals."

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("terminal.use_terminal")


class CodeSessionList(APIView):
    """Live code sessions: your own; an admin sees everyone's (`?mine=1` for only their own)."""

    permission_classes = [CanUseTerminal]

    @extend_schema(
        responses=inline_serializer("CodeSessions", {"sessions": serializers.ListField(child=serializers.DictField())})
    )
    def get(self, request):
        everyone = role_of(request.user) == ADMIN and not request.query_params.get("mine")
        sessions = live_sessions(None if everyone else request.user.pk, mode=TerminalSession.MODE_KCODE)
        return Response({"sessions": sessions, "idle_seconds": settings.TERMINAL_CODE_IDLE_SECONDS})
