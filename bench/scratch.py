"""A throwaway installation for one benchmark run: its own data directory, database and users."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kulvex.testing import BASE_DIR, command_env


def scratch_env(tmp: Path, **settings: str) -> dict[str, str]:
    """Environment for servers and commands using a fresh SQLite database under `tmp`, migrated."""
    defaults = {
        "KULVEX_DATA_DIR": str(tmp / "data"),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-hs256-signing",
        "LOG_LEVEL": "WARNING",
    }
    env = command_env(**{**defaults, **settings})
    manage(env, "migrate", "--no-input", "-v0")
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run `manage.py ARGS`, failing loudly, and return what it printed."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def user_token(env: dict[str, str], username: str, password: str, role: str = "user") -> str:
    """Create a user and return a fresh access token."""
    manage(env, "createuser", username, "--role", role, "--password", password)
    return manage(env, "token", username)
