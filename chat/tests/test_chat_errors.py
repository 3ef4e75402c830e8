"""Every bad chat:send gets chat:error with a clear code, and the connection keeps working."""

import pytest

from chat.models import Conversation
from kulvex.testing import SocketClient

from .chatting import ask, rejected

pytestmark = pytest.mark.asyncio


async def test_bad_payloads(routed_server, make_account):
    account, other = make_account(), make_account()
    theirs = Conversation.objects.create(owner=other.user, title="private")
    cases = [
        ("not an object", "invalid_payload"),
        ({}, "invalid_payload"),
        ({"message": 42}, "invalid_payload"),
        ({"message": None}, "invalid_payload"),
        ({"message": "   "}, "empty_message"),
        ({"message": "x" * 8001}, "message_too_long"),
        ({"message": "x" * 1000, "task_type": "tiny"}, "message_too_long"),  # beyond that model's window
        ({"message": "hi", "history": "not a list"}, "invalid_history"),
        ({"message": "hi", "history": [{"role": "robot", "content": "beep"}]}, "invalid_history"),
        ({"message": "hi", "history": [{"role": "user"}]}, "invalid_history"),
        ({"message": "hi", "history": [{"role": "user", "content": 7}]}, "invalid_history"),
        ({"message": "hi", "history": [{"role": "user", "content": "x"}] * 101}, "history_too_long"),
        ({"message": "hi", "conversation_id": theirs.pk}, "conversation_not_found"),
        ({"message": "hi", "conversation_id": "1"}, "invalid_payload"),
        ({"message": "hi", "use_rag": "yes"}, "invalid_payload"),
        ({"message": "hi", "task_type": "nope"}, "unknown_task_type"),
    ]
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        for payload, code in cases:
            await rejected(client, payload, code)
        assert (await client.call("chat:stop", {"conversation_id": "x"}))["error"]["code"] == "invalid_payload"
        assert (await client.call("session:whoami", {}))["ok"] is True
        done, _ = await ask(client, message="still connected")
    assert done["response"] == "Echo: still connected "
    assert theirs.messages.count() == 0


async def test_anonymous_clients_have_no_stored_conversations(routed_server, make_account):
    account = make_account()
    mine = Conversation.objects.create(owner=account.user)
    async with SocketClient(routed_server.url) as client:
        await client.connect()
        await rejected(client, {"message": "hi", "conversation_id": mine.pk}, "unauthenticated")
        await rejected(client, {"message": "hi", "project": "any"}, "unauthenticated")
