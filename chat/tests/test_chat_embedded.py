"""Replies from the real embedded model (llama.cpp, gemma-3-270m) on default settings."""

import httpx
import pytest

from chat.models import Message
from kulvex.testing import SocketClient, eventually

from .chatting import ask, finished, send

pytestmark = pytest.mark.asyncio

MODEL = "gemma-3-270m-q4_k_m"


async def test_streams_a_reply_from_the_embedded_model(server, make_account):
    account = make_account()
    async with SocketClient(server.url) as client:
        await client.connect(account.token)
        done, tokens = await ask(client, timeout=120, message="What is the capital of Italy?")
    assert len(tokens) > 1
    assert done["response"] == "".join(tokens)
    assert "Rome" in done["response"]
    assert (done["model"], done["finish_reason"], done["sources"]) == (MODEL, "stop", [])
    stored = Message.objects.get(pk=done["message_id"])
    assert (stored.backend, stored.content) == ("embedded", done["response"])
    assert stored.completion_tokens > 0 and stored.prompt_tokens > 0 and stored.first_token_ms > 0


async def test_stop_ends_llama_cpp_generation(server, make_account):
    account = make_account()
    status_url, headers = f"{server.url}/api/ai/status", {"Authorization": f"Bearer {account.token}"}

    def embedded() -> dict:
        return httpx.get(status_url, headers=headers).json()["backends"]["embedded"]

    stopped_before = embedded()["stopped_early"]
    async with SocketClient(server.url) as client:
        await client.connect(account.token)
        conversation_id = await send(client, message="Count from one to one hundred, separated by commas.")
        await client.wait("chat:token", 120, where=lambda t: t["conversation_id"] == conversation_id)
        await client.call("chat:stop", {"conversation_id": conversation_id})
        done, tokens = await finished(client, conversation_id)
    assert done["finish_reason"] == "cancelled" and done["response"] == "".join(tokens)
    # llama.cpp's callback returned True: the generation ended without running to its end.
    status = await eventually(lambda: (s := embedded())["stopped_early"] > stopped_before and s["active"] == 0 and s)
    assert status["status"] == "ok"
    assert Message.objects.get(pk=done["message_id"]).finish_reason == "cancelled"
