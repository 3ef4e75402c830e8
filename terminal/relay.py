"""Forwarding terminal operations to the server process that owns the PTY, through Redis.

With REDIS_URL set, every server process listens on `kulvex:terminal:<node>`. An operation on a
session owned elsewhere (a client reattaching through another node) is published on the
owner's channel with a reply channel; the owner performs it as if the client were its own and
answers. Output reaches that client through the Socket.IO Redis manager, which every node shares.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as redis

from kulvex.protocol import Client, ProtocolError

logger = logging.getLogger("terminal.relay")

REPLY_TIMEOUT = 10.0

# (client, session_id, op, args) -> result; raises ProtocolError
Perform = Callable[[Client, str, str, dict], Awaitable[dict]]


def channel(node: str) -> str:
    return f"kulvex:terminal:{node}"


class Relay:
    def __init__(self, url: str, node: str, perform: Perform) -> None:
        self.node = node
        self._redis = redis.Redis.from_url(url)
        self._perform = perform
        self._replies: dict[str, asyncio.Future] = {}
        self._listener: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel(self.node))
        self._listener = asyncio.create_task(self._listen(pubsub))

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
        await self._redis.aclose()

    async def request(self, node: str, client: Client, session_id: str, op: str, args: dict) -> dict:
        """Have `node` perform `op` for `client`; its result, or its ProtocolError raised here."""
        request_id = uuid.uuid4().hex
        reply = asyncio.get_running_loop().create_future()
        self._replies[request_id] = reply
        try:
            await self.send(node, client, session_id, op, args, request_id=request_id)
            answer = await asyncio.wait_for(reply, REPLY_TIMEOUT)
        except TimeoutError:
            raise ProtocolError("unreachable", "The server process running this session did not answer.") from None
        finally:
            self._replies.pop(request_id, None)
        if "error" in answer:
            raise ProtocolError(**answer["error"], session_id=session_id)
        return answer["result"]

    async def send(self, node: str, client: Client, session_id: str, op: str, args: dict, request_id: str = "") -> None:
        """Publish `op` to `node`; without `request_id` nobody waits for the outcome."""
        message = {
            "op": op,
            "session_id": session_id,
            "args": args,
            "client": {"sid": client.sid, **client.as_session()},
            "reply_to": self.node if request_id else "",
            "request_id": request_id,
        }
        await self._redis.publish(channel(node), json.dumps(message))

    async def _listen(self, pubsub) -> None:
        async for message in pubsub.listen():
            try:
                data = json.loads(message["data"])
            except (TypeError, ValueError):
                continue
            if data.get("op") == "reply":
                future = self._replies.get(data.get("request_id"))
                if future is not None and not future.done():
                    future.set_result(data)
            else:
                task = asyncio.create_task(self._serve(data))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _serve(self, data: dict[str, Any]) -> None:
        fields = data["client"]
        client = Client.from_session(fields.pop("sid"), fields)
        try:
            answer = {"result": await self._perform(client, data["session_id"], data["op"], data["args"])}
        except ProtocolError as error:
            answer = {"error": {"code": error.code, "message": error.message}}
        except Exception:
            logger.exception("forwarded terminal %s failed", data["op"])
            answer = {"error": {"code": "internal_error", "message": "The server failed to handle this event."}}
        if data.get("reply_to"):
            reply = {"op": "reply", "request_id": data["request_id"], **answer}
            await self._redis.publish(channel(data["reply_to"]), json.dumps(reply))
