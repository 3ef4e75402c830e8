"""Finding the user a command acts for."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser


class UnknownUser(Exception):
    """No such active user, or no single superuser to fall back on."""


def active_user(username: str) -> AbstractBaseUser:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise UnknownUser(f"There is no active user {username!r}.")
    return user


def only_superuser() -> AbstractBaseUser:
    """The one active superuser, for commands run without --user on a single-user install."""
    superusers = list(get_user_model().objects.filter(is_active=True, is_superuser=True)[:2])
    if len(superusers) == 1:
        return superusers[0]
    problem = "there is no superuser" if not superusers else "there are several superusers"
    raise UnknownUser(f"Pass --user NAME: {problem} to act as.")
