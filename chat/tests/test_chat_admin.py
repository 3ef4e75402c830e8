"""Conversations in the Django admin of the real server."""

import pytest

from kulvex.testing import AdminBrowser, SocketClient

from .chatting import ask

pytestmark = pytest.mark.asyncio


async def test_admin_lists_searches_and_shows_conversations(routed_server, make_account):
    account = make_account()
    async with SocketClient(routed_server.url) as client:
        await client.connect(account.token)
        done, _ = await ask(client, message="audit this zebra-question")
    admin_account = make_account("admin")
    admin = AdminBrowser(routed_server.url, admin_account.username, admin_account.password)
    found = admin.get("/admin/chat/conversation/", params={"q": "zebra-question", "kind__exact": "chat"})
    assert found.status_code == 200 and "audit this zebra-question" in found.text
    assert account.username in found.text
    page = admin.get(f"/admin/chat/conversation/{done['conversation_id']}/change/")
    assert page.status_code == 200
    assert "Echo: audit this zebra-question" in page.text and "fake-chat" in page.text
    messages = admin.get("/admin/chat/message/", params={"finish_reason": "stop", "q": "zebra-question"})
    assert messages.status_code == 200 and "Echo: audit this zebra-question" in messages.text
