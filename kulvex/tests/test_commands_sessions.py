"""`manage.py sessions` in a subprocess, against sessions opened on the real server."""

from __future__ import annotations

import asyncio
import subprocess

import pytest
from django.contrib.auth.models import Permission

from kulvex.testing import SocketClient, manage
from terminal.models import TerminalSession

pytestmark = pytest.mark.asyncio


async def run(*args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(manage, "sessions", *args)


async def test_help():
    result = await run("--help")
    assert result.returncode == 0
    assert "--end" in result.stdout and "--all" in result.stdout


async def test_lists_live_sessions_and_ends_a_terminal_owned_by_the_server(server, make_account):
    account = make_account("user")
    account.user.user_permissions.add(Permission.objects.get(codename="use_terminal"))
    async with SocketClient(server.url) as client:
        await client.connect(account.token)
        created = await client.call("terminal:create", {"cols": 100, "rows": 30})
        assert created["ok"], created
        session_id = created["session_id"]
        voice = await client.call("voice:start", {})
        assert voice["ok"], voice
        await client.call("voice:stop", {})
        await client.wait("voice:ended", timeout=20)

        live = await run("--user", account.username)
        assert live.returncode == 0, live.stderr
        assert session_id in live.stdout and "shell 100x30" in live.stdout
        assert "voice" not in live.stdout  # ended: only with --all

        everything = await run("--all", "--user", account.username, "--kind", "voice")
        [line] = [line for line in everything.stdout.splitlines() if line.split()[:1] == ["voice"]]
        assert line.split()[1:3] == [str(voice["session_id"]), account.username] and "(stop)" in line
        assert session_id not in everything.stdout

        # The PTY lives in the server process; the command ends it from outside.
        ended = await run("--end", session_id)
        assert ended.returncode == 0, ended.stderr
        assert f"Ended terminal session {session_id}" in ended.stdout
        exited = await client.wait("terminal:exit", timeout=30, where=lambda e: e["session_id"] == session_id)
        assert exited["session_id"] == session_id

    row = await TerminalSession.objects.aget(session_id=session_id)
    assert row.ended_at is not None and row.end_reason == "admin"
    again = await run("--end", session_id)
    assert again.returncode == 0 and "already ended" in again.stdout


async def test_ending_an_unknown_session_fails():
    result = await run("--end", "no-such-session")
    assert result.returncode != 0
    assert "No terminal session 'no-such-session'" in result.stderr
