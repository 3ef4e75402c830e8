"""Two server processes sharing Redis: a session is reached through either one."""

import pytest

from kulvex.testing import SocketClient, requires_redis

from .conftest import TERMINAL_ENV
from .terminals import Terminal, closed_row, row
from .test_admin import admin_browser

REDIS_URL = "redis://127.0.0.1:6379/14"


pytestmark = [pytest.mark.asyncio, requires_redis()]


@pytest.fixture(scope="module")
def nodes(start_server):
    env = {**TERMINAL_ENV, "REDIS_URL": REDIS_URL}
    return start_server(env, name="terminal-a"), start_server(env, name="terminal-b")


async def test_a_session_is_reattached_and_driven_through_another_node(nodes, terminal_account):
    a, b = nodes
    account = terminal_account()
    first = await SocketClient(a.url).connect(account.token)
    terminal = await Terminal.open(first)
    await terminal.type("echo BEFORE-$((1+1))\n")
    await terminal.read_until("BEFORE-2")
    await first.disconnect()
    assert (await row(terminal.id)).node.endswith(f":{a.process.pid}")

    async with await SocketClient(b.url).connect(account.token) as second:
        listed = (await second.call("terminal:list", {}))["sessions"]
        assert [s["session_id"] for s in listed] == [terminal.id]
        ack = await second.call("terminal:attach", {"session_id": terminal.id, "cols": 70, "rows": 20})
        assert ack["ok"] and ack["attached"] is True and (ack["cols"], ack["rows"]) == (70, 20)
        remote = Terminal(second, terminal.id)
        await remote.read_until("BEFORE-2")  # the replay, from node a
        await remote.type("echo THROUGH-$((2+1)); stty size\n")
        await remote.read_until("20 70")
        assert "THROUGH-3" in remote.output

        other = terminal_account()
        async with await SocketClient(b.url).connect(other.token) as stranger:
            refused = await stranger.call("terminal:attach", {"session_id": terminal.id})
            assert refused["ok"] is False and refused["error"]["code"] == "not_found"

        ack = await second.call("terminal:destroy", {"session_id": terminal.id})
        assert ack["ok"] and (await remote.exit_event())["reason"] == "destroyed"
    assert (await closed_row(terminal.id)).end_reason == "destroyed"


async def test_a_disconnect_from_another_node_starts_the_grace_period(nodes, terminal_account):
    a, b = nodes
    account = terminal_account()
    async with await SocketClient(a.url).connect(account.token) as first:
        terminal = await Terminal.open(first)
        second = await SocketClient(b.url).connect(account.token)
        assert (await second.call("terminal:attach", {"session_id": terminal.id}))["ok"]
        detached = await first.wait("terminal:detached")
        assert detached == {"session_id": terminal.id, "reason": "attached_elsewhere"}
        await second.disconnect()
        assert (await closed_row(terminal.id)).end_reason == "disconnected"


async def test_the_admin_of_one_node_ends_a_session_of_another(nodes, terminal_account, make_account):
    a, b = nodes
    async with await SocketClient(a.url).connect(terminal_account().token) as client:
        terminal = await Terminal.open(client)
        pk = (await row(terminal.id)).pk
        with admin_browser(b, make_account("admin")) as browser:
            response = browser.submit(
                "/admin/terminal/terminalsession/", {"action": "end_sessions", "_selected_action": [pk]}, follow=True
            )
            assert "Ended 1 session." in response.text
        assert (await terminal.exit_event())["reason"] == "admin"
    assert (await closed_row(terminal.id)).end_reason == "admin"
