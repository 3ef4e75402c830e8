"""Whom kcode acts for: the terminal session's user, `--user NAME`, or the only superuser."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from kulvex.users import UnknownUser, active_user, only_superuser

__all__ = ["SESSION_USER_VARIABLE", "UnknownUser", "resolve_user"]

# Set by the server in the environment of a kcode terminal session.
SESSION_USER_VARIABLE = "KULVEX_USER_ID"


def resolve_user(username: str | None = None) -> AbstractBaseUser:
    users = get_user_model().objects.filter(is_active=True)
    session_user = os.environ.get(SESSION_USER_VARIABLE)
    if session_user:
        user = users.filter(pk=session_user).first() if session_user.isdigit() else None
        if user is None:
            raise UnknownUser(f"{SESSION_USER_VARIABLE}={session_user} is not an active user.")
        if username and username != user.get_username():
            raise UnknownUser(f"This terminal session belongs to {user.get_username()!r}; --user cannot change that.")
        return user
    return active_user(username) if username else only_superuser()
