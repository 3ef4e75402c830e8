"""Terminal sessions against the real server: PTYs, processes, events and audit rows."""

import asyncio
import os

import pytest

from kulvex.testing import SocketClient, eventually

from .terminals import Terminal, closed_row, descendants, find_descendant, gone, row

pytestmark = pytest.mark.asyncio


async def connected(server, account=None) -> SocketClient:
    return await SocketClient(server.url).connect(account.token if account else None)


async def test_a_login_shell_runs_commands_and_echoes(server, terminal_account):
    account = terminal_account()
    async with await connected(server, account) as client:
        ack = await client.call("terminal:create", {})
        assert ack["ok"] and ack["mode"] == "shell"
        created = await client.wait("terminal:created")
        assert created == {"session_id": ack["session_id"], "mode": "shell", "cols": 80, "rows": 24}
        terminal = Terminal(client, ack["session_id"])
        await terminal.type(
            'printf "%s|%s|%s\\n" "$TERM" "$HOME" "$((6*7))"; shopt -q login_shell && echo LOGIN-$((2-1))\n'
        )
        output = await terminal.read_until("LOGIN-1")
        assert f"xterm-256color|{os.path.expanduser('~')}|42" in output
        audit = await row(terminal.id)
        assert audit.user_id == account.user.pk and audit.mode == "shell" and audit.pid
        assert audit.client_address == "127.0.0.1" and audit.node and audit.ended_at is None


async def test_stty_size_follows_create_and_resize_with_sigwinch(server, terminal_account):
    async with await connected(server, terminal_account()) as client:
        terminal = await Terminal.open(client, cols=100, rows=30)
        await terminal.type("stty size\n")
        await terminal.read_until("30 100")
        # A foreground program that reports the SIGWINCH it gets, with the size it then sees, and exits.
        await terminal.type(
            'python3 -c "import os, signal; signal.signal(signal.SIGWINCH, lambda *_: (os.write(1, '
            "b'WINCH %d %d\\\\n' % os.get_terminal_size()), os._exit(0))); os.write(1, b'READY\\\\n'); "
            'signal.pause()"\n'
        )
        await terminal.read_until("READY\r\n")
        ack = await client.call("terminal:resize", {"session_id": terminal.id, "cols": 132, "rows": 40})
        assert ack == {"ok": True, "session_id": terminal.id, "cols": 132, "rows": 40}
        await terminal.read_until("WINCH 132 40")
        await terminal.type("stty size\n")
        await terminal.read_until("40 132")


async def test_cat_of_5_mb_arrives_complete_and_in_order(server, terminal_account, tmp_path):
    lines = [f"{n:07d} {'abcdefghijklmnopqrstuvwxyz' * 3}" for n in range(5 * 1024 * 1024 // 87 + 1)]
    path = tmp_path / "big.txt"
    path.write_text("\n".join(lines) + "\n")
    async with await connected(server, terminal_account()) as client:
        terminal = await Terminal.open(client)
        await terminal.type(f"stty -echo; echo START-$((1+1)); cat {path}; echo END-$((2+2))\n")
        output = await terminal.read_until("END-4", timeout=60)
    body = output.split("START-2\r\n", 1)[1].split("END-4", 1)[0]
    assert body.replace("\r\n", "\n") == path.read_text()


async def test_split_utf8_survives_and_invalid_bytes_are_replaced(server, terminal_account):
    async with await connected(server, terminal_account()) as client:
        terminal = await Terminal.open(client)
        # 3-byte characters across many 4 KiB PTY reads, then bytes that are not UTF-8 at all.
        await terminal.type("stty -echo; python3 -c \"print('<' + '한' * 40000 + '>')\"; printf 'A\\xff\\xfeB\\n'\n")
        output = await terminal.read_until("B\r\n")
    assert "<" + "한" * 40000 + ">" in output
    assert "A\ufffd\ufffdB" in output


async def test_exit_code_is_reported_and_the_row_closed(server, terminal_account):
    async with await connected(server, terminal_account()) as client:
        terminal = await Terminal.open(client)
        await terminal.type("exit 3\n")
        assert await terminal.exit_event() == {"session_id": terminal.id, "exit_code": 3, "reason": "exit"}
    audit = await closed_row(terminal.id)
    assert (audit.exit_code, audit.end_reason) == (3, "exit")
    assert audit.bytes_in == len("exit 3\n") and audit.bytes_out > 0


async def test_destroy_ends_every_process_of_the_session(server, terminal_account, tmp_path):
    pid = server.process.pid
    async with await connected(server, terminal_account()) as client:
        terminal = await Terminal.open(client)
        # A background job, one that left the session (setsid), and a foreground child.
        await terminal.type("sleep 1001 & setsid sleep 1002 & sleep 1003\n")
        children = [await eventually(lambda n=n: find_descendant(pid, "sleep", n)) for n in ("1001", "1002", "1003")]
        shell = (await row(terminal.id)).pid
        ack = await client.call("terminal:destroy", {"session_id": terminal.id})
        assert ack["ok"] and ack["session_id"] == terminal.id
        exit_event = await terminal.exit_event()
        assert exit_event["reason"] == "destroyed"
    await eventually(lambda: gone([shell, *(child.pid for child in children)]))
    audit = await closed_row(terminal.id)
    assert audit.end_reason == "destroyed"


async def test_output_printed_while_away_is_replayed_on_attach(server, terminal_account, tmp_path):
    account = terminal_account()
    marker = tmp_path / "printed"
    first = await connected(server, account)
    terminal = await Terminal.open(first)
    await terminal.type(f"sleep 0.2; echo AWAY-$((40+2)); touch {marker}\n")
    await first.disconnect()
    await eventually(marker.exists)
    async with await connected(server, account) as second:
        ack = await second.call("terminal:attach", {"session_id": terminal.id, "cols": 90, "rows": 20})
        assert ack["ok"] and ack["session_id"] == terminal.id and ack["attached"]
        again = Terminal(second, terminal.id)
        await again.read_until("AWAY-42")
        await again.type("echo LIVE-$((1+1)); stty size\n")
        await again.read_until("20 90")
        assert "LIVE-2" in again.output
        assert (await row(terminal.id)).ended_at is None


async def test_after_the_grace_period_processes_are_gone_and_the_row_closed(server, terminal_account):
    pid = server.process.pid
    client = await connected(server, terminal_account())
    terminal = await Terminal.open(client)
    await terminal.type("sleep 1004\n")
    sleeper = await eventually(lambda: find_descendant(pid, "sleep", "1004"))
    shell = (await row(terminal.id)).pid
    await client.disconnect()
    audit = await closed_row(terminal.id)
    assert audit.end_reason == "disconnected"
    await eventually(lambda: gone([shell, sleeper.pid]))


@pytest.mark.parametrize("role", ["anonymous", "viewer", "user"])
async def test_terminals_are_forbidden_without_the_permission(server, make_account, role):
    account = None if role == "anonymous" else make_account(role)
    async with await connected(server, account) as client:
        for event, payload in [
            ("terminal:create", {}),
            ("terminal:attach", {"session_id": "x"}),
            ("terminal:list", {}),
        ]:
            ack = await client.call(event, payload)
            assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
            assert (await client.wait("terminal:error"))["code"] == "forbidden"


async def test_another_users_session_cannot_be_reached(server, terminal_account):
    owner, other = terminal_account(), terminal_account()
    async with await connected(server, owner) as mine, await connected(server, other) as theirs:
        terminal = await Terminal.open(mine)
        for event, extra in [
            ("terminal:attach", {}),
            ("terminal:data", {"data": "touch /tmp/nope\n"}),
            ("terminal:resize", {"cols": 10, "rows": 10}),
            ("terminal:destroy", {}),
        ]:
            ack = await theirs.call(event, {"session_id": terminal.id, **extra})
            assert ack["ok"] is False and ack["error"]["code"] == "not_found", event
        assert (await theirs.call("terminal:list", {}))["sessions"] == []
        await terminal.type("echo STILL-$((2*3))\n")
        await terminal.read_until("STILL-6")


async def test_bad_input_gets_an_error_code_and_the_session_goes_on(server, terminal_account):
    async with await connected(server, terminal_account()) as client:
        terminal = await Terminal.open(client)
        cases = [
            ("terminal:create", {"mode": "vim"}, "unknown_mode"),
            ("terminal:create", {"cols": 0}, "invalid_payload"),
            ("terminal:create", {"rows": -5}, "invalid_payload"),
            ("terminal:create", {"cols": 100000}, "invalid_payload"),
            ("terminal:create", {"cols": "wide"}, "invalid_payload"),
            ("terminal:resize", {"session_id": terminal.id, "cols": 0, "rows": 24}, "invalid_payload"),
            ("terminal:resize", {"session_id": terminal.id, "cols": 80, "rows": 100000}, "invalid_payload"),
            ("terminal:data", {"session_id": terminal.id, "data": 42}, "invalid_payload"),
            ("terminal:data", {"session_id": terminal.id, "data": ["ls"]}, "invalid_payload"),
            ("terminal:data", {"session_id": terminal.id}, "invalid_payload"),
            ("terminal:data", {"session_id": "no-such-session", "data": "ls\n"}, "not_found"),
            ("terminal:destroy", {"session_id": "no-such-session"}, "not_found"),
            ("terminal:attach", {"session_id": 7}, "invalid_payload"),
            ("terminal:data", "not an object", "invalid_payload"),
            ("terminal:data", {"session_id": terminal.id, "data": "x" * 70_000}, "payload_too_large"),
        ]
        for event, payload, code in cases:
            ack = await client.call(event, payload)
            assert ack["ok"] is False and ack["error"]["code"] == code, (event, payload, ack)
            error = await client.wait("terminal:error")
            assert error["code"] == code and error["message"]
        await terminal.type("echo ALIVE-$((3*3))\n")
        await terminal.read_until("ALIVE-9")


async def test_live_sessions_per_user_are_limited(server, terminal_account):
    async with await connected(server, terminal_account()) as client:
        opened = [await Terminal.open(client) for _ in range(4)]
        ack = await client.call("terminal:create", {})
        assert ack["ok"] is False and ack["error"]["code"] == "too_many_sessions"
        await client.call("terminal:destroy", {"session_id": opened[0].id})
        assert (await client.call("terminal:create", {}))["ok"]


async def test_kcode_mode_runs_the_kcode_command_as_the_connected_user(server, terminal_account):
    account = terminal_account()
    async with await connected(server, account) as client:
        terminal = await Terminal.open(client, mode="kcode")
        await terminal.read_until(f"fake-kcode user={account.user.pk}")
        await terminal.type("/exit\n")
        assert (await terminal.exit_event())["exit_code"] == 0
    assert (await closed_row(terminal.id)).mode == "kcode"


async def test_create_destroy_cycles_leave_no_processes_or_descriptors(server, terminal_account):
    pid = server.process.pid
    fds = f"/proc/{pid}/fd"

    async def cycles(client, count):
        for _ in range(count):
            ack = await client.call("terminal:create", {})
            assert ack["ok"], ack
            assert (await client.call("terminal:destroy", {"session_id": ack["session_id"]}))["ok"]

    account = terminal_account()
    clients = [await connected(server, account) for _ in range(4)]
    try:
        await cycles(clients[0], 1)  # the first session opens what stays open anyway (database, threads)
        before = set(descendants(pid))  # other tests' sessions may still be ending
        baseline = len(os.listdir(fds))
        await asyncio.gather(*(cycles(client, 50) for client in clients))  # 200 cycles, 4 at a time
        await eventually(lambda: set(descendants(pid)) <= before)
        await eventually(lambda: len(os.listdir(fds)) <= baseline)
        assert await clients[0].call("terminal:list", {}) == {"ok": True, "sessions": []}
    finally:
        for client in clients:
            await client.disconnect()


async def test_sessions_of_several_clients_run_side_by_side(server, terminal_account):
    account = terminal_account()
    async with await connected(server, account) as a, await connected(server, account) as b:
        one, two = await Terminal.open(a), await Terminal.open(b)
        await asyncio.gather(one.type("echo ONE-$((0+1))\n"), two.type("echo TWO-$((1+1))\n"))
        await asyncio.gather(one.read_until("ONE-1"), two.read_until("TWO-2"))
        assert "TWO-2" not in one.output and "ONE-1" not in two.output
