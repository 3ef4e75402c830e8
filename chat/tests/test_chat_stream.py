"""Streaming: stop, disconnect, concurrent users, history, project context, limits."""

import pytest

from chat.models import Conversation, Message, Project
from kulvex.testing import SocketClient, eventually

from .chatting import ask, finished, rejected, send, upstream_request
from .conftest import ANONYMOUS_RATE_LIMIT, MAX_CONCURRENT

pytestmark = pytest.mark.asyncio


async def first_token(client: SocketClient, conversation_id: int | None) -> dict:
    return await client.wait("chat:token", 10, where=lambda t: t["conversation_id"] == conversation_id)


async def test_stop_mid_stream_closes_upstream_and_keeps_the_partial_reply(routed_server, fake_llm, make_account):
    account = make_account()
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        conversation_id = await send(client, message="stop me", task_type="slow")
        await first_token(client, conversation_id)
        assert await client.call("chat:stop", {"conversation_id": conversation_id}) == {"ok": True, "stopped": 1}
        done, tokens = await finished(client, conversation_id, timeout=5)
    assert done["finish_reason"] == "cancelled"
    assert done["response"] == "".join(tokens) and done["response"].startswith("tick0 ")
    assert len(done["response"].split()) < 400
    record = await eventually(lambda: upstream_request(fake_llm, "stop me"))
    await eventually(lambda: upstream_request(fake_llm, "stop me")["state"] == "disconnected")
    assert record["words"] < 400
    stored = Message.objects.get(pk=done["message_id"])
    assert (stored.role, stored.content, stored.finish_reason) == ("assistant", done["response"], "cancelled")


async def test_disconnect_cancels_the_generation(routed_server, fake_llm, make_account):
    account = make_account()
    client = SocketClient(routed_server.url)
    await client.connect(account.token)
    conversation_id = await send(client, message="leaving now", task_type="slow")
    await first_token(client, conversation_id)
    await client.disconnect()
    await eventually(lambda: (upstream_request(fake_llm, "leaving now") or {}).get("state") == "disconnected")
    stored = await eventually(lambda: Message.objects.filter(conversation_id=conversation_id, role="assistant").first())
    assert stored.finish_reason == "cancelled" and stored.content.startswith("tick0")


async def test_two_users_stream_at_once(routed_server, make_account):
    alice, bob = make_account(), make_account()
    async with SocketClient(routed_server.url) as a, SocketClient(routed_server.url) as b:
        await a.connect(alice.token)
        await b.connect(bob.token)
        a_id = await send(a, message="alice here", task_type="slow")
        b_id = await send(b, message="bob here", task_type="slow")
        await first_token(a, a_id)
        await first_token(b, b_id)  # both stream before either has finished
        await a.call("chat:stop", {})
        await b.call("chat:stop", {})
        a_done, _ = await finished(a, a_id)
        b_done, _ = await finished(b, b_id)
        assert {t["conversation_id"] for t in a.received("chat:token")} == {a_id}
        assert {t["conversation_id"] for t in b.received("chat:token")} == {b_id}
    assert a_done["finish_reason"] == b_done["finish_reason"] == "cancelled"
    assert Conversation.objects.get(pk=a_id).owner_id == alice.user.pk
    assert Conversation.objects.get(pk=b_id).owner_id == bob.user.pk


async def test_given_history_and_stored_history(routed_server, fake_llm, make_account):
    account = make_account()
    history = [{"role": "user", "content": "earlier question"}, {"role": "assistant", "content": "earlier answer"}]
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        done, _ = await ask(client, message="with given history", history=history)
        await ask(client, message="follow-up", conversation_id=done["conversation_id"])
    given = upstream_request(fake_llm, "with given history")["messages"]
    assert given[0]["role"] == "system" and given[1:] == [*history, {"role": "user", "content": "with given history"}]
    stored = upstream_request(fake_llm, "follow-up")["messages"]
    assert stored[1:] == [
        {"role": "user", "content": "with given history"},
        {"role": "assistant", "content": "Echo: with given history "},
        {"role": "user", "content": "follow-up"},
    ]
    roles = list(Message.objects.filter(conversation_id=done["conversation_id"]).values_list("role", flat=True))
    assert roles == ["user", "assistant", "user", "assistant"]


async def test_history_is_trimmed_to_the_context_window(routed_server, fake_llm, make_account):
    account = make_account()
    history = [{"role": "user", "content": f"turn {i} " + "words " * 20} for i in range(12)]
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        await ask(client, message="trim me", task_type="tiny", history=history)
    sent = upstream_request(fake_llm, "trim me")["messages"]
    kept = sent[1:-1]
    assert 0 < len(kept) < len(history)
    assert kept == history[-len(kept) :]  # the newest turns survive


async def test_project_instructions_and_rag_without_documents(routed_server, fake_llm, make_account):
    account = make_account()
    Project.objects.create(owner=account.user, name="Moon Base", instructions="Always mention the moon.")
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        done, _ = await ask(client, message="project question", project="moon-base", use_rag=True)
        await rejected(client, {"message": "x", "project": "nope"}, "unknown_project")
    assert done["sources"] == []
    system = [m["content"] for m in upstream_request(fake_llm, "project question")["messages"] if m["role"] == "system"]
    assert "Always mention the moon." in system
    assert Conversation.objects.get(pk=done["conversation_id"]).project.slug == "moon-base"


async def test_concurrent_generations_are_limited(routed_server, make_account):
    account = make_account()
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        for index in range(MAX_CONCURRENT):
            await send(client, message=f"busy {index}", task_type="slow")
        error = await rejected(client, {"message": "one more", "task_type": "slow"}, "too_many_generations")
        assert (await client.call("chat:stop", {}))["stopped"] == MAX_CONCURRENT
        for _ in range(MAX_CONCURRENT):
            await client.wait("chat:done", 5)
        done, _ = await ask(client, message="free again")
    assert error["limit"] == MAX_CONCURRENT
    assert done["finish_reason"] == "stop"


async def test_anonymous_chat_is_rate_limited_and_not_stored(routed_server):
    before = Conversation.objects.count()
    async with SocketClient(routed_server.url) as client:
        await client.connect()
        for index in range(ANONYMOUS_RATE_LIMIT):
            done, _ = await ask(client, message=f"anonymous {index}")
            assert done["conversation_id"] is None and done["message_id"] is None
        await rejected(client, {"message": "too many"}, "rate_limited")
    assert Conversation.objects.count() == before


async def test_stop_from_another_tab_of_the_same_user_only(routed_server, make_account):
    account, stranger = make_account(), make_account()
    async with (
        SocketClient(routed_server.url) as tab,
        SocketClient(routed_server.url) as other_tab,
        SocketClient(routed_server.url) as intruder,
    ):
        await tab.connect(account.token)
        await other_tab.connect(account.token)
        await intruder.connect(stranger.token)
        conversation_id = await send(tab, message="stop me elsewhere", task_type="slow")
        await first_token(tab, conversation_id)
        assert await intruder.call("chat:stop", {"conversation_id": conversation_id}) == {"ok": True, "stopped": 0}
        assert await other_tab.call("chat:stop", {"conversation_id": conversation_id}) == {"ok": True, "stopped": 1}
        done, _ = await finished(tab, conversation_id, timeout=5)
    assert done["finish_reason"] == "cancelled"
