"""Socket.IO events of the terminal area."""

from __future__ import annotations

from typing import Annotated

from asgiref.sync import sync_to_async
from django.conf import settings
from pydantic import Field, StrictStr

from kulvex.protocol import Client, Consumer, Payload, ProtocolError, event

from .listing import live_sessions
from .manager import SessionManager

Cols = Annotated[int, Field(strict=True, ge=1, le=settings.TERMINAL_MAX_COLS)]
Rows = Annotated[int, Field(strict=True, ge=1, le=settings.TERMINAL_MAX_ROWS)]
SessionId = Annotated[StrictStr, Field(min_length=1, max_length=64)]


class CreatePayload(Payload):
    mode: StrictStr = "shell"
    cols: Cols = 80
    rows: Rows = 24


class SessionPayload(Payload):
    session_id: SessionId


class DataPayload(SessionPayload):
    data: StrictStr


class ResizePayload(SessionPayload):
    cols: Cols
    rows: Rows

    def size(self) -> dict:
        return {"cols": self.cols, "rows": self.rows}


class AttachPayload(ResizePayload):
    # Clients send their size on every (re)attach: the window may have changed meanwhile.
    cols: Cols | None = None
    rows: Rows | None = None


def allow(client: Client) -> None:
    if not client.has_perm("terminal.use_terminal"):
        raise ProtocolError("forbidden", "You may not use terminals.")


class TerminalConsumer(Consumer):
    area = "terminal"

    def __init__(self, sio) -> None:
        super().__init__(sio)
        self.manager = SessionManager(sio)

    @event("create", CreatePayload)
    async def create(self, client: Client, payload: CreatePayload) -> dict:
        allow(client)
        session = await self.manager.create(client, payload.mode, payload.cols, payload.rows)
        created = {"session_id": session.id, "mode": session.mode, "cols": session.cols, "rows": session.rows}
        await self.emit("created", created, to=client.sid)
        session.start(client.sid)
        return created

    @event("data", DataPayload)
    async def data(self, client: Client, payload: DataPayload) -> dict:
        allow(client)
        return await self.manager.operate(client, payload.session_id, "data", {"data": payload.data})

    @event("resize", ResizePayload)
    async def resize(self, client: Client, payload: ResizePayload) -> dict:
        allow(client)
        return await self.manager.operate(client, payload.session_id, "resize", payload.size())

    @event("destroy", SessionPayload)
    async def destroy(self, client: Client, payload: SessionPayload) -> dict:
        allow(client)
        return await self.manager.operate(client, payload.session_id, "destroy", {})

    @event("attach", AttachPayload)
    async def attach(self, client: Client, payload: AttachPayload) -> dict:
        allow(client)
        return await self.manager.operate(client, payload.session_id, "attach", payload.size())

    @event("list")
    async def list_sessions(self, client: Client, payload: Payload) -> dict:
        allow(client)
        sessions = await sync_to_async(live_sessions)(client.user_id)
        await self.emit("list", {"sessions": sessions}, to=client.sid)
        return {"sessions": sessions}

    async def disconnect(self, client: Client) -> None:
        await self.manager.disconnected(client)

    async def startup(self) -> None:
        await self.manager.startup()

    async def shutdown(self) -> None:
        await self.manager.shutdown()
