"""Sessions ended by the server itself: idle timeout, shutdown, and rows left by a crash."""

import os
import signal
import socket
import subprocess

import httpx
import pytest

from kulvex.testing import SocketClient, eventually
from terminal.models import TerminalSession
from terminal.processes import TAG

from .conftest import TERMINAL_ENV
from .terminals import Terminal, closed_row, find_descendant, gone, row

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def short_server(start_server):
    env = {**TERMINAL_ENV, "TERMINAL_IDLE_SECONDS": "1", "TERMINAL_KCODE_COMMAND": "/nonexistent/kcode"}
    return start_server(env, name="terminal-short")


async def test_an_idle_session_is_ended(short_server, terminal_account):
    async with await SocketClient(short_server.url).connect(terminal_account().token) as client:
        terminal = await Terminal.open(client)
        exit_event = await terminal.exit_event()
    assert exit_event["reason"] == "idle"
    assert (await closed_row(terminal.id)).end_reason == "idle"


async def test_kcode_is_unavailable_without_its_command(short_server, terminal_account):
    assert httpx.get(f"{short_server.url}/health").json()["engines"]["terminal"]["kcode"] is False
    async with await SocketClient(short_server.url).connect(terminal_account().token) as client:
        ack = await client.call("terminal:create", {"mode": "kcode"})
        assert ack["ok"] is False and ack["error"]["code"] == "mode_unavailable"
        assert (await client.wait("terminal:error"))["code"] == "mode_unavailable"


async def test_startup_closes_rows_of_a_dead_server_and_shutdown_ends_every_session(start_server, terminal_account):
    account = terminal_account()
    # What a crashed server leaves: an open row naming a server process that is gone, and a
    # process of that session still running.
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = subprocess.Popen(["sleep", "1006"], env={**os.environ, TAG: "crashed-session"})
    await TerminalSession.objects.acreate(
        session_id="crashed-session", user=account.user, node=f"{socket.gethostname()}:{dead.pid}", pid=leftover.pid
    )

    server = start_server(TERMINAL_ENV, name="terminal-restart")
    assert (await closed_row("crashed-session")).end_reason == "server_restart"
    assert leftover.wait(timeout=15) == -signal.SIGKILL

    client = await SocketClient(server.url).connect(account.token)
    shell, code = await Terminal.open(client), await Terminal.open(client, mode="kcode")
    await shell.type("sleep 1007\n")
    sleeper = await eventually(lambda: find_descendant(server.process.pid, "sleep", "1007"))
    pids = [sleeper.pid, (await row(shell.id)).pid, (await row(code.id)).pid]

    server.stop()  # SIGTERM, as a service manager stops it
    assert (await closed_row(code.id)).end_reason == "server_shutdown"
    assert (await closed_row(shell.id)).end_reason in {"server_shutdown", "disconnected"}
    assert gone(pids)
    await client.disconnect()
