"""Routing, fallback and failures, against a fake OpenAI-compatible server."""

import httpx
import pytest

from chat.models import Message
from kulvex.testing import SocketClient

from .chatting import ask, rejected

pytestmark = pytest.mark.asyncio


async def test_task_types_route_to_their_backends(routed_server, make_account):
    account = make_account()
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        chat, chat_tokens = await ask(client, message="route me")
        code, _ = await ask(client, message="route me too", task_type="code")
    assert chat["model"] == "fake-chat" and code["model"] == "fake-coder"
    assert chat["response"] == "Echo: route me " == "".join(chat_tokens)
    assert chat["finish_reason"] == "stop"


async def test_event_streams_split_anywhere_are_parsed(routed_server, make_account):
    """CRLF line ends, comments, JSON over two data lines, events cut every five bytes."""
    account = make_account()
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        done, tokens = await ask(client, message="split me up", task_type="ragged")
    assert done["response"] == "".join(tokens) == "Echo: split me up "
    assert (done["model"], done["finish_reason"]) == ("fake-ragged", "stop")
    assert Message.objects.get(pk=done["message_id"]).completion_tokens == 4


async def test_fallback_before_the_first_token(routed_server, fake_llm, make_account):
    """Connection refused, 503, 429 and a timeout each pass the request on to the next backend."""
    account = make_account()
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        done, _ = await ask(client, message="fall through", task_type="fallback")
    assert done["model"] == "fake-chat"
    assert done["response"] == "Echo: fall through "
    tried = {r["scenario"] for r in fake_llm.requests() if r["messages"][-1]["content"] == "fall through"}
    assert tried == {"fail503", "fail429", "hang", "ok"}
    stored = Message.objects.get(pk=done["message_id"])
    assert (stored.backend, stored.model, stored.finish_reason) == ("fake", "fake-chat", "stop")


async def test_failure_after_the_first_token_keeps_the_partial_reply(routed_server, make_account):
    account = make_account()
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        ack = await client.call("chat:send", {"message": "break midway", "task_type": "midfail"})
        error = await client.wait("chat:error", 10)
        done = await client.wait("chat:done", 10)
    assert error == {
        "code": "generation_failed",
        "message": error["message"],
        "conversation_id": ack["conversation_id"],
    }
    assert done["finish_reason"] == "error" and done["response"] == "w0 w1 w2 "
    stored = Message.objects.get(pk=done["message_id"])
    assert stored.content == "w0 w1 w2 " and stored.finish_reason == "error" and "mid-reply" in stored.error


async def test_no_backend_answers(routed_server, make_account):
    account = make_account()
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        await client.call("chat:send", {"message": "anyone?", "task_type": "down"})
        error = await client.wait("chat:error", 10)
        done = await client.wait("chat:done", 10)
    assert error["code"] == "llm_unavailable"
    assert (done["finish_reason"], done["response"]) == ("error", "")
    assert Message.objects.get(pk=done["message_id"]).error.startswith("no backend answered")


async def test_unknown_task_type_lists_the_valid_ones(routed_server, make_account):
    account = make_account()
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        error = await rejected(client, {"message": "hi", "task_type": "poetry"}, "unknown_task_type")
        done, _ = await ask(client, message="still here")
    assert error["valid"] == ["chat", "code", "down", "fallback", "midfail", "ragged", "slow", "tiny"]
    assert done["response"] == "Echo: still here "


async def test_ai_status_shows_each_backend(routed_server, make_account):
    account = make_account("viewer")
    url = f"{routed_server.url}/api/ai/status"
    assert httpx.get(url).status_code == 401
    body = httpx.get(url, headers={"Authorization": f"Bearer {account.token}"}).json()
    backends = body["backends"]
    assert body["routes"]["fallback"] == ["refused", "unavailable", "busy", "hang", "fake"]
    assert backends["fake"] | {"status": "ok", "kind": "openai", "model": "fake-chat"} == backends["fake"]
    assert backends["refused"]["status"] == "unreachable"
    assert backends["unavailable"]["status"] == "error"
    assert "base_url" not in backends["fake"] and "127.0.0.1" not in str(body)
