"""kcode as terminal mode "kcode" of the real server, seen through a real Socket.IO client."""

import pytest

from chat.models import Conversation
from kulvex.testing import SocketClient

from .kcode_backend import ScriptedLLM
from .kcode_pty import kcode_settings, plain
from .terminals import Terminal

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def llm():
    backend = ScriptedLLM().start()
    yield backend
    backend.stop()


@pytest.fixture(scope="module")
def work(tmp_root):
    root = tmp_root / "kcode-terminal-work"
    root.mkdir()
    return root


@pytest.fixture(scope="module")
def kcode_server(start_server, llm, work, tmp_root):
    env = {**kcode_settings(llm, tmp_root), "TERMINAL_CWD": str(work), "TERMINAL_KCODE_COMMAND": ""}
    return start_server(env, name="kcode-terminal")


async def test_a_kcode_terminal_answers_as_the_connected_user_and_exits(kcode_server, llm, work, terminal_account):
    account = terminal_account()
    async with await SocketClient(kcode_server.url).connect(account.token) as client:
        code = await Terminal.open(client, mode="kcode", cols=100, rows=30)
        await code.read_until("kcode>", timeout=60)
        banner = plain(code.output)
        assert "KULVEX kcode" in banner and "model scripted-coder" in banner
        assert f"working directory {work}" in banner

        llm.answer("Hello from **kcode**.")
        await code.type("who am I talking to?\r")
        await code.read_until("Hello from")
        assert Conversation.objects.get(owner=account.user).kind == "code"

        await code.type("/exit\r")
        assert (await code.exit_event())["exit_code"] == 0
