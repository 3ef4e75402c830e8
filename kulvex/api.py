"""REST endpoints of the project itself: login, token refresh, health."""

from django.apps import apps
from django.contrib.auth import authenticate
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from . import __version__
from .roles import role_of
from .tokens import issue_tokens


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class RefreshSerializer(serializers.Serializer):
    refresh_token = serializers.CharField()


def user_summary(user) -> dict:
    return {"id": user.pk, "username": user.get_username(), "role": role_of(user)}


class LoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=LoginSerializer,
        responses=inline_serializer(
            "LoginResponse",
            {
                "access_token": serializers.CharField(),
                "refresh_token": serializers.CharField(),
                "token_type": serializers.CharField(),
                "user": serializers.DictField(),
            },
        ),
    )
    def post(self, request):
        form = LoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(request, **form.validated_data)
        if user is None:
            return Response(
                {"detail": "Invalid username or password.", "code": "invalid_credentials"},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        return Response({**issue_tokens(user), "token_type": "bearer", "user": user_summary(user)})


class RefreshView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=RefreshSerializer,
        responses=inline_serializer(
            "RefreshResponse",
            {"access_token": serializers.CharField(), "token_type": serializers.CharField()},
        ),
    )
    def post(self, request):
        form = RefreshSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            refresh = RefreshToken(form.validated_data["refresh_token"])
        except TokenError:
            return Response(
                {"detail": "The refresh token is invalid or expired.", "code": "invalid_token"},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        return Response({"access_token": str(refresh.access_token), "token_type": "bearer"})


class MeView(APIView):
    def get(self, request):
        return Response(user_summary(request.user))


def engines() -> dict:
    """Each app config may expose `engines()` describing what it can do on this machine."""
    found = {"database": connection.vendor}
    for config in apps.get_app_configs():
        describe = getattr(config, "engines", None)
        if describe is not None:
            found.update(describe())
    return found


class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get(self, request):
        return Response({"status": "ok", "version": __version__, "engines": engines()})
