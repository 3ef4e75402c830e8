"""Socket.IO events of the chat area."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pydantic import StrictBool, StrictInt, StrictStr

from kulvex.protocol import Client, Consumer, Payload, event

from .llm import get_router
from .services import Reply, ReplyRequest, start_reply

logger = logging.getLogger("chat.consumers")


class SendPayload(Payload):
    message: StrictStr
    task_type: StrictStr = "chat"
    history: Any = None  # checked by the service, which names the bad turn
    use_rag: StrictBool = False
    project: StrictStr | None = None
    conversation_id: StrictInt | None = None


class StopPayload(Payload):
    conversation_id: StrictInt | None = None


class ChatConsumer(Consumer):
    area = "chat"

    def __init__(self, sio) -> None:
        super().__init__(sio)
        self.replies: dict[str, set[Reply]] = {}
        self._relays: set[asyncio.Task] = set()

    @event("send", SendPayload)
    async def send(self, client: Client, payload: SendPayload) -> dict:
        reply = await start_reply(
            ReplyRequest(
                user_id=client.user_id,
                message=payload.message,
                task_type=payload.task_type,
                history=payload.history,
                use_rag=payload.use_rag,
                project=payload.project,
                conversation_id=payload.conversation_id,
                address=client.address,
            )
        )
        self.replies.setdefault(client.sid, set()).add(reply)
        if not self.sio.manager.is_connected(client.sid, "/"):  # gone while the reply was being set up
            reply.cancel()
        relay = asyncio.create_task(self._relay(client.sid, reply))
        self._relays.add(relay)
        relay.add_done_callback(self._relays.discard)
        return {"conversation_id": reply.conversation_id}

    @event("stop", StopPayload)
    async def stop(self, client: Client, payload: StopPayload) -> dict:
        """This connection's replies, or the one of a conversation of this user (from any tab)."""
        if payload.conversation_id is None:
            stopping = list(self.replies.get(client.sid, ()))
        else:
            stopping = [
                reply
                for replies in self.replies.values()
                for reply in replies
                if reply.conversation_id == payload.conversation_id and reply.user_id == client.user_id
            ]
        for reply in stopping:
            reply.cancel()
        return {"stopped": len(stopping)}

    async def _relay(self, sid: str, reply: Reply) -> None:
        try:
            async for text in reply.tokens():
                await self.emit("token", {"token": text, "conversation_id": reply.conversation_id}, to=sid)
            done = await reply.wait()
            if reply.error is not None:
                await self.emit_error(sid, reply.error)
            await self.emit("done", done, to=sid)
        except Exception:
            logger.exception("relaying a reply to %s failed", sid)
        finally:
            replies = self.replies.get(sid)
            if replies is not None:
                replies.discard(reply)
                if not replies:
                    del self.replies[sid]

    async def disconnect(self, client: Client) -> None:
        for reply in self.replies.pop(client.sid, ()):
            reply.cancel()

    async def startup(self) -> None:
        await get_router().startup()

    async def shutdown(self) -> None:
        for replies in list(self.replies.values()):
            for reply in replies:
                reply.cancel()
        if self._relays:  # let cancelled replies store their partial text
            await asyncio.wait(self._relays, timeout=5)
        await get_router().aclose()
