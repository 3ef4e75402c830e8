"""REST: one's own conversations, never anybody else's."""

import httpx
import pytest

from chat.models import Conversation
from kulvex.testing import SocketClient

from .chatting import ask

pytestmark = pytest.mark.asyncio


def auth(account) -> dict:
    return {"Authorization": f"Bearer {account.token}"}


async def test_list_detail_delete_own_conversations(routed_server, make_account):
    owner, stranger = make_account(), make_account()
    async with SocketClient(routed_server.url) as client:
        await client.connect(owner.token)
        done, _ = await ask(client, message="keep this")
    base = f"{routed_server.url}/api/conversations/"
    listed = httpx.get(base, headers=auth(owner)).json()
    assert listed["count"] == 1
    assert (
        listed["results"][0] | {"id": done["conversation_id"], "title": "keep this", "message_count": 2}
        == (listed["results"][0])
    )
    detail = httpx.get(f"{base}{done['conversation_id']}/", headers=auth(owner)).json()
    assert [(m["role"], m["content"]) for m in detail["messages"]] == [
        ("user", "keep this"),
        ("assistant", "Echo: keep this "),
    ]
    assert detail["messages"][1]["model"] == "fake-chat"

    assert httpx.get(base, headers=auth(stranger)).json()["count"] == 0
    assert httpx.get(f"{base}{done['conversation_id']}/", headers=auth(stranger)).status_code == 404
    assert httpx.delete(f"{base}{done['conversation_id']}/", headers=auth(stranger)).status_code == 404
    assert httpx.get(base).status_code == 401

    assert httpx.delete(f"{base}{done['conversation_id']}/", headers=auth(owner)).status_code == 204
    assert not Conversation.objects.filter(pk=done["conversation_id"]).exists()
