"""A server with short terminal lifetimes, users allowed to use terminals, and a terminal client."""

from __future__ import annotations

import sys

import pytest
from django.contrib.auth.models import Permission

from .kcode_backend import ScriptedLLM
from .terminals import PROGRAMS

# Short enough to wait for in tests; the kcode stand-in keeps tests independent of any model.
# The shell is a login shell that reads no startup files, so the machine's dotfiles (which may
# run slow or locking commands) do not decide how tests behave.
TERMINAL_ENV = {
    "TERMINAL_SHELL": "bash --login --noprofile --norc",
    "TERMINAL_GRACE_SECONDS": "2",
    "TERMINAL_KILL_TIMEOUT": "2",
    "TERMINAL_MAX_SESSIONS_PER_USER": "4",
    "TERMINAL_KCODE_COMMAND": f"{sys.executable} {PROGRAMS / 'fake_kcode.py'}",
}


@pytest.fixture(scope="package")
def server(start_server):
    return start_server(TERMINAL_ENV, name="terminal")


@pytest.fixture
def terminal_account(make_account):
    """A plain user who was given the terminal permission."""

    def make():
        account = make_account("user")
        account.user.user_permissions.add(Permission.objects.get(codename="use_terminal"))
        return account

    return make


@pytest.fixture(scope="module")
def llm():
    """A scripted OpenAI-compatible model for kcode."""
    backend = ScriptedLLM().start()
    yield backend
    backend.stop()


@pytest.fixture
def work(tmp_path):
    """kcode's working directory, with a secret beside it that must stay out of reach."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "notes.txt").write_text("alpha\nbeta\n")
    (tmp_path / "secret.txt").write_text("hunter2\n")
    return root
