"""User creation from the command line, as a newcomer would do it."""

import httpx
import jwt
from django.conf import settings
from django.contrib.auth import get_user_model

from kulvex.roles import role_of
from kulvex.testing import command_env, manage

PASSWORD_ENV = command_env(KULVEX_PASSWORD="cli-password-long-42")


def login(server, username: str, password: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/auth/login", json={"username": username, "password": password})


def test_createsuperuser_noinput_then_login_as_admin(server):
    result = manage(
        "createsuperuser",
        "--noinput",
        "--email",
        "root@example.com",
        env=command_env(DJANGO_SUPERUSER_USERNAME="boss", DJANGO_SUPERUSER_PASSWORD="a-long-admin-pass-77"),
    )
    assert result.returncode == 0, result.stderr
    response = login(server, "boss", "a-long-admin-pass-77")
    assert response.status_code == 200
    assert response.json()["user"]["role"] == "admin"


def test_createuser_with_each_role(server):
    for role in ("admin", "user", "viewer"):
        name = f"cli-{role}"
        result = manage("createuser", name, "--role", role, env=PASSWORD_ENV)
        assert result.returncode == 0, result.stderr
        body = login(server, name, "cli-password-long-42").json()
        assert body["user"]["role"] == role
        assert role_of(get_user_model().objects.get(username=name)) == role


def test_createuser_refuses_duplicates_and_weak_passwords(database):
    assert manage("createuser", "dup-user", env=PASSWORD_ENV).returncode == 0
    again = manage("createuser", "dup-user", env=PASSWORD_ENV)
    assert again.returncode != 0 and "exists" in again.stderr
    weak = manage("createuser", "weak-user", env=command_env(KULVEX_PASSWORD="123"))
    assert weak.returncode != 0 and "too short" in weak.stderr
    assert not get_user_model().objects.filter(username="weak-user").exists()


def test_createuser_update_changes_role(database):
    assert manage("createuser", "promoted", env=PASSWORD_ENV).returncode == 0
    assert manage("createuser", "promoted", "--role", "viewer", "--update").returncode == 0
    assert role_of(get_user_model().objects.get(username="promoted")) == "viewer"


def test_token_command_prints_a_valid_access_token(database):
    assert manage("createuser", "tokened", env=PASSWORD_ENV).returncode == 0
    result = manage("token", "tokened")
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])
    assert claims["token_type"] == "access"
    assert manage("token", "nobody-here").returncode != 0
