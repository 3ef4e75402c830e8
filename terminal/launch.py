"""What a terminal session runs: the command, environment and working directory of each mode."""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from kulvex.protocol import ProtocolError

from .models import TerminalSession
from .processes import TAG

MODES = (TerminalSession.MODE_SHELL, TerminalSession.MODE_KCODE)
KCODE_SOURCE = Path(__file__).resolve().parent / "management" / "commands" / "kcode.py"
# Passed from the server's environment to a shell; the rest of a login environment is rebuilt,
# so the server's own secrets (SECRET_KEY, DATABASE_URL…) do not leak into every terminal.
PASSED_TO_SHELL = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ")


@dataclass(frozen=True)
class Command:
    argv: list[str]
    env: dict[str, str]
    cwd: str


def resolved(command: str) -> list[str] | None:
    """`command` split like a command line, its program found on PATH; None if it is not."""
    argv = shlex.split(command)
    program = shutil.which(argv[0]) if argv else None
    return [program, *argv[1:]] if program else None


def shell_argv() -> list[str] | None:
    return resolved(settings.TERMINAL_SHELL)


def kcode_argv() -> list[str] | None:
    """The kcode command, or None while it is not installed here."""
    if settings.TERMINAL_KCODE_COMMAND:
        return resolved(settings.TERMINAL_KCODE_COMMAND)
    if KCODE_SOURCE.exists():
        return [sys.executable, str(settings.BASE_DIR / "manage.py"), "kcode"]
    return None


def working_directory() -> str:
    home = pwd.getpwuid(os.getuid()).pw_dir
    for candidate in (settings.TERMINAL_CWD, home):
        if candidate and os.path.isdir(candidate):
            return candidate
    return "/"


def login_environment(shell: str) -> dict[str, str]:
    account = pwd.getpwuid(os.getuid())
    env = {name: os.environ[name] for name in PASSED_TO_SHELL if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    env.update(HOME=account.pw_dir, USER=account.pw_name, LOGNAME=account.pw_name, SHELL=shell)
    return env


def command_for(mode: str, session_id: str, user_id: int) -> Command:
    """The command of `mode`, or ProtocolError `unknown_mode` / `mode_unavailable`."""
    if mode not in MODES:
        raise ProtocolError("unknown_mode", f"Unknown terminal mode {mode!r}; use one of {', '.join(MODES)}.")
    if mode == TerminalSession.MODE_SHELL:
        argv = shell_argv()
        if argv is None:
            raise ProtocolError("mode_unavailable", f"The shell {settings.TERMINAL_SHELL!r} was not found.")
        env = login_environment(argv[0])
    else:
        argv = kcode_argv()
        if argv is None:
            raise ProtocolError("mode_unavailable", "kcode is not installed on this server.")
        # kcode is this project's own program: it needs the server's settings, and acts as the
        # connected user, who is named here by the server (never by a token on the command line).
        env = {**os.environ, "KULVEX_USER_ID": str(user_id)}
    env.update({"TERM": "xterm-256color", "COLORTERM": "truecolor", TAG: session_id})
    return Command(argv=argv, env=env, cwd=working_directory())
