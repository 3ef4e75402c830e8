"""Code sessions (mode kcode) survive disconnects and are listed and reattached from anywhere."""

import threading

import httpx
import pytest

from kulvex.testing import SocketClient, eventually

from .conftest import TERMINAL_ENV
from .kcode_backend import ScriptedLLM
from .kcode_pty import kcode_settings
from .terminals import Terminal, closed_row, row

pytestmark = pytest.mark.asyncio


async def connected(server, account=None) -> SocketClient:
    return await SocketClient(server.url).connect(account.token if account else None)


def code_sessions(server, account, **params) -> httpx.Response:
    headers = {"Authorization": f"Bearer {account.token}"} if account else {}
    return httpx.get(f"{server.url}/api/code-sessions/", headers=headers, params=params)


async def test_a_code_session_outlives_a_disconnect_and_is_reattached(server, terminal_account, tmp_path):
    account = terminal_account()
    marker = tmp_path / "printed"
    first = await connected(server, account)
    code = await Terminal.open(first, mode="kcode")
    await code.read_until("fake-kcode user=")
    shell = await Terminal.open(first)  # the control: it ends one grace period after the disconnect
    await code.type(f"/later {marker}\n")
    await first.disconnect()

    await eventually(marker.exists)
    assert (await closed_row(shell.id)).end_reason == "disconnected"
    assert (await row(code.id)).ended_at is None

    async with await connected(server, account) as second:
        listed = (await second.call("terminal:list", {}))["sessions"]
        assert [(s["session_id"], s["mode"], s["attached"]) for s in listed] == [(code.id, "kcode", False)]
        assert (await second.wait("terminal:list"))["sessions"] == listed
        rest = code_sessions(server, account).json()["sessions"]
        assert [(s["session_id"], s["attached"], s["user"]["id"]) for s in rest] == [(code.id, False, account.user.pk)]

        ack = await second.call("terminal:attach", {"session_id": code.id})
        assert ack["ok"] and ack["mode"] == "kcode" and ack["attached"] is True
        again = Terminal(second, code.id)
        await again.read_until("LATER-OUTPUT")
        assert again.output.startswith("fake-kcode user=")  # the replay starts at the banner
        await again.type("hi\n")
        await again.read_until("said:hihi")
        assert code_sessions(server, account).json()["sessions"][0]["attached"] is True
        await again.type("/exit\n")
        assert (await again.exit_event())["exit_code"] == 0
    assert (await closed_row(code.id)).end_reason == "exit"


async def test_code_sessions_are_listed_to_their_owner_and_to_admins(server, terminal_account, make_account):
    owner, other, admin = terminal_account(), terminal_account(), make_account("admin")
    async with await connected(server, owner) as client:
        code = await Terminal.open(client, mode="kcode")
        shell = await Terminal.open(client)
        mine = {s["session_id"] for s in code_sessions(server, owner).json()["sessions"]}
        assert mine == {code.id}  # shells are not code sessions
        assert code.id not in {s["session_id"] for s in code_sessions(server, other).json()["sessions"]}
        assert code.id in {s["session_id"] for s in code_sessions(server, admin).json()["sessions"]}
        assert code.id not in {s["session_id"] for s in code_sessions(server, admin, mine=1).json()["sessions"]}
        assert code_sessions(server, make_account("user")).status_code == 403
        assert code_sessions(server, None).status_code == 401
        listed = {s["session_id"]: s["mode"] for s in (await client.call("terminal:list", {}))["sessions"]}
        assert listed == {code.id: "kcode", shell.id: "shell"}
        await client.call("terminal:destroy", {"session_id": code.id})


@pytest.fixture(scope="module")
def real_kcode(start_server, tmp_root):
    llm = ScriptedLLM().start()
    work = tmp_root / "code-session-work"
    work.mkdir()
    env = {**TERMINAL_ENV, **kcode_settings(llm, tmp_root), "TERMINAL_CWD": str(work), "TERMINAL_KCODE_COMMAND": ""}
    yield start_server(env, name="terminal-kcode"), llm
    llm.stop()


async def test_the_real_kcode_answers_on_while_detached_and_is_reattached(real_kcode, terminal_account):
    server, llm = real_kcode
    account = terminal_account()
    resume = threading.Event()
    llm.answer("Working on it, ", resume, "and DONE-WHILE-AWAY.")
    first = await connected(server, account)
    code = await Terminal.open(first, mode="kcode")
    await code.read_until("kcode>", timeout=60)
    shell = await Terminal.open(first)  # the control: it ends one grace period after the disconnect
    await code.type("take your time\r")
    await code.read_until("Working on it")
    await first.disconnect()
    resume.set()  # the answer goes on while nobody is attached
    assert (await closed_row(shell.id)).end_reason == "disconnected"

    async with await connected(server, account) as second:
        assert (await second.call("terminal:attach", {"session_id": code.id}))["ok"]
        again = Terminal(second, code.id)
        await again.read_until("DONE-WHILE-AWAY")
        await again.type("/exit\r")
        assert (await again.exit_event())["exit_code"] == 0
