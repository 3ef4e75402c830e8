"""Helpers shared by the chat tests."""

from __future__ import annotations

from kulvex.testing import SocketClient


async def send(client: SocketClient, **payload) -> int | None:
    """chat:send that must be accepted; returns the conversation id."""
    ack = await client.call("chat:send", payload)
    assert ack["ok"] is True, ack
    return ack["conversation_id"]


async def finished(client: SocketClient, conversation_id: int | None, timeout: float = 30) -> tuple[dict, list[str]]:
    """The chat:done of a conversation and the tokens streamed for it before."""
    done = await client.wait("chat:done", timeout, where=lambda d: d["conversation_id"] == conversation_id)
    tokens = [t["token"] for t in client.received("chat:token") if t["conversation_id"] == conversation_id]
    return done, tokens


async def ask(client: SocketClient, timeout: float = 30, **payload) -> tuple[dict, list[str]]:
    return await finished(client, await send(client, **payload), timeout)


async def rejected(client: SocketClient, payload, code: str) -> dict:
    """chat:send that must fail with `code`, both in the ack and as chat:error."""
    ack = await client.call("chat:send", payload)
    assert ack["ok"] is False and ack["error"]["code"] == code, (payload, ack)
    error = await client.wait("chat:error", 5)
    assert error["code"] == code, error
    return error


def upstream_request(fake, message: str) -> dict | None:
    """The fake server's record of the request whose last message is `message`."""
    for record in reversed(fake.requests()):
        if record["messages"] and record["messages"][-1]["content"] == message:
            return record
    return None
