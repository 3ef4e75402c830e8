"""Socket.IO events of the terminal area."""

from __future__ import annotations

from typing import Annotated

from django.conf import settings
from pydantic import Field, StrictStr

from kulvex.protocol import Client, Consumer, Payload, ProtocolError, event

from .manager import SessionManager
from .pty import InputOverflow

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


class AttachPayload(SessionPayload):
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
    async def data(self, client: Client, payload: DataPayload) -> None:
        allow(client)
        try:
            self.manager.owned(client, payload.session_id).write(payload.data)
        except InputOverflow as exc:
            raise ProtocolError("input_overflow", str(exc), session_id=payload.session_id) from None

    @event("resize", ResizePayload)
    async def resize(self, client: Client, payload: ResizePayload) -> dict:
        allow(client)
        self.manager.owned(client, payload.session_id).resize(payload.cols, payload.rows)
        return {"session_id": payload.session_id, "cols": payload.cols, "rows": payload.rows}

    @event("destroy", SessionPayload)
    async def destroy(self, client: Client, payload: SessionPayload) -> dict:
        allow(client)
        exit_code = await self.manager.owned(client, payload.session_id).end("destroyed")
        return {"session_id": payload.session_id, "exit_code": exit_code}

    @event("attach", AttachPayload)
    async def attach(self, client: Client, payload: AttachPayload) -> dict:
        allow(client)
        session = await self.manager.attach(client, payload.session_id)
        if payload.cols and payload.rows:
            session.resize(payload.cols, payload.rows)
        return session.describe()

    @event("list")
    async def list(self, client: Client, payload: Payload) -> dict:
        allow(client)
        sessions = self.manager.listing(client.user_id)
        await self.emit("list", {"sessions": sessions}, to=client.sid)
        return {"sessions": sessions}

    async def disconnect(self, client: Client) -> None:
        self.manager.disconnected(client.sid)

    async def startup(self) -> None:
        await self.manager.startup()

    async def shutdown(self) -> None:
        await self.manager.shutdown()
