"""Running `manage.py kcode` for tests: in a real PTY (pexpect), or as a plain subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pexpect

from kulvex.testing import BASE_DIR, command_env, manage

from .kcode_backend import ScriptedLLM

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\r")
PROMPT = "kcode>"


def plain(text: str) -> str:
    """Terminal output without escape sequences and carriage returns."""
    return _ANSI.sub("", text)


def kcode_settings(llm: ScriptedLLM, tmp: Path) -> dict[str, str]:
    """Settings routing task types `code` and `chat` to the scripted model."""
    backends = {"scripted": llm.backend("scripted-coder"), "chatty": llm.backend("scripted-chat")}
    return {
        "LLM_BACKENDS": json.dumps(backends),
        "LLM_ROUTES": json.dumps({"code": ["scripted"], "chat": ["chatty"]}),
        "KCODE_HISTORY_DIR": str(tmp / "history"),
        # pexpect and SocketClient are no terminal emulators: they never answer cursor queries.
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }


def kcode_env(llm: ScriptedLLM, tmp: Path, **extra: str) -> dict[str, str]:
    """The test process's environment with `kcode_settings`, for running kcode directly."""
    env = command_env(**kcode_settings(llm, tmp), TERM="xterm-256color")
    env.pop("KULVEX_USER_ID", None)
    env.update(extra)
    return env


def spawn(env: dict[str, str], *args: str) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["manage.py", "kcode", *args],
        cwd=BASE_DIR,
        env=env,
        encoding="utf-8",
        dimensions=(40, 120),
        timeout=30,
    )
    child.expect(PROMPT)
    return child


def say(child: pexpect.spawn, line: str) -> None:
    """Type a line at the prompt; the next output to read is what it caused."""
    child.sendline(line)
    # prompt_toolkit redraws the accepted line, then moves to the next one.
    child.expect(re.escape(line) + r"[^\n]*\n")


def until_prompt(child: pexpect.spawn) -> str:
    """All output up to the next prompt, as plain text."""
    child.expect(PROMPT)
    return plain(child.before)


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return manage("kcode", *args, env=env, stdin=stdin, timeout=60)
