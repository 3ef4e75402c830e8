"""The web dashboard: one page whose ES modules talk to the REST API and Socket.IO."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rest_framework.response import Response
from rest_framework.views import APIView

from . import __version__
from .api import user_summary
from .roles import ADMIN, VIEWER, role_of


@require_GET
def index(request):
    return render(request, "kulvex/dashboard.html", {"version": __version__, "debug": settings.DEBUG})


def features_for(user) -> dict[str, bool]:
    """What the dashboard offers this user; the server still checks every action."""
    role = role_of(user)
    return {
        "chat": True,
        "documents": True,
        "write": role != VIEWER,
        "voice": role != VIEWER,
        "terminal": role == ADMIN or user.has_perm("terminal.use_terminal"),
        "sessions": True,
        "all_sessions": role == ADMIN,
        "admin": role == ADMIN,
    }


class ProfileView(APIView):
    """The signed-in user and the dashboard features their role allows."""

    def get(self, request):
        return Response({"user": user_summary(request.user), "features": features_for(request.user)})
