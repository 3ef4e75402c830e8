"""Roles: admin (staff or superuser), user, viewer (read-only), and anonymous."""

from django.contrib.auth.models import AbstractBaseUser, Group

ADMIN = "admin"
USER = "user"
VIEWER = "viewer"
ANONYMOUS = "anonymous"
ROLES = (ADMIN, USER, VIEWER)
VIEWER_GROUP = "viewer"


def role_of(user: AbstractBaseUser | None) -> str:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if user.is_superuser or user.is_staff:
        return ADMIN
    if user.groups.filter(name=VIEWER_GROUP).exists():
        return VIEWER
    return USER


def assign_role(user, role: str) -> None:
    """Give `user` exactly `role`, saving it."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    user.is_staff = user.is_superuser = role == ADMIN
    user.save()
    group, _ = Group.objects.get_or_create(name=VIEWER_GROUP)
    if role == VIEWER:
        user.groups.add(group)
    else:
        user.groups.remove(group)
