"""JWT access tokens → users, shared by REST and Socket.IO."""

from django.contrib.auth import get_user_model
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken


class InvalidToken(Exception):
    """The token is malformed, forged, expired, of another type, or its user is gone or inactive."""


def user_for_access_token(raw: str):
    """Return the active user an access token names, or raise InvalidToken."""
    try:
        token = AccessToken(raw)
    except TokenError as exc:
        raise InvalidToken(str(exc)) from exc
    user_id = token.get(api_settings.USER_ID_CLAIM)
    user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).prefetch_related("groups").first()
    if user is None or not user.is_active:
        raise InvalidToken("user not found or inactive")
    return user


def issue_tokens(user) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    return {"access_token": str(refresh.access_token), "refresh_token": str(refresh)}
