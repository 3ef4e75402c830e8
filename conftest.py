"""Shared fixtures: a migrated database, users with tokens, and the real server in a subprocess.

The test process and the server share one SQLite file (or DATABASE_URL when the environment
sets one), so tests create users with the ORM and the server sees them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="kulvex-tests-"))
# TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) runs the suite on a
# fresh PostgreSQL database created for this run and dropped after it; SQLite otherwise.
_PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "")
_PG_DATABASE = f"kulvex_test_{os.getpid()}"


def _postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect(_PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)


def _database_url() -> str:
    if not _PG_ADMIN_URL:
        return f"sqlite:///{_TMP / 'test.sqlite3'}"
    _postgres(f'CREATE DATABASE "{_PG_DATABASE}"')
    return _PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{_PG_DATABASE}"


# Settings every server under test runs with.
TEST_ENV = {
    "KULVEX_DATA_DIR": str(_TMP / "data"),
    "DATABASE_URL": _database_url(),
    "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256-signing",
    "LOG_LEVEL": "INFO",
}
os.environ.update(TEST_ENV)
os.environ["DJANGO_SETTINGS_MODULE"] = "kulvex.settings"
# Fixtures set up rows with the ORM from async tests; the server subprocess never gets this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from kulvex.roles import assign_role  # noqa: E402
from kulvex.testing import ServerProcess  # noqa: E402
from kulvex.tokens import issue_tokens  # noqa: E402

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(scope="session")
def tmp_root() -> Path:
    return _TMP


@pytest.fixture(scope="session", autouse=True)
def database():
    call_command("migrate", verbosity=0, interactive=False)
    yield
    if _PG_ADMIN_URL:
        from django.db import connections

        connections.close_all()
        _postgres(f'DROP DATABASE IF EXISTS "{_PG_DATABASE}" WITH (FORCE)')


@pytest.fixture(scope="session")
def start_server(database, tmp_root):
    """Start a server with extra environment; every one started is stopped at the end."""
    started: list[ServerProcess] = []

    def start(env: dict[str, str] | None = None, name: str = "server") -> ServerProcess:
        log = tmp_root / f"{name}-{len(started)}.log"
        proc = ServerProcess({**TEST_ENV, **(env or {})}, log)
        started.append(proc)
        return proc.start()

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture(scope="session")
def server(start_server) -> ServerProcess:
    """The server on default settings. Apps needing other settings override this fixture in
    their tests/conftest.py with `start_server({...})`."""
    return start_server()


class Account:
    def __init__(self, user, token: str, refresh: str) -> None:
        self.user = user
        self.username = user.username
        self.password = PASSWORD
        self.token = token
        self.refresh = refresh


_counter = iter(range(1, 10**9))


@pytest.fixture
def make_account(database):
    """Create a user with a role and return it with a fresh access token."""

    def make(role: str = "user", *, active: bool = True, prefix: str = "u") -> Account:
        user = get_user_model()(username=f"{prefix}{os.getpid()}_{next(_counter)}", is_active=True)
        user.set_password(PASSWORD)
        user.save()
        assign_role(user, role)
        tokens = issue_tokens(user)
        if not active:
            user.is_active = False
            user.save()
        return Account(user, tokens["access_token"], tokens["refresh_token"])

    return make
