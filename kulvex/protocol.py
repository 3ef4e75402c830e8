"""The Socket.IO protocol conventions shared by every app.

Each app writes a `Consumer` subclass whose methods, marked with `@event`, handle that app's
client→server events. `mount()` wraps every method so that all events behave alike:

* the payload is size-checked against `SOCKETIO_EVENT_LIMITS` and validated against the
  method's pydantic model;
* the method receives the connected `Client` and the validated payload;
* a returned dict becomes the ack `{ok: true, **result}`;
* a raised `ProtocolError` becomes the ack `{ok: false, error: {code, message}}` and an
  `<area>:error {code, message, ...}` event; anything else is logged and reported as
  `internal_error`, never as a traceback.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import socketio
from django.conf import settings
from pydantic import BaseModel, ConfigDict, ValidationError

logger = logging.getLogger("kulvex.protocol")

_EVENT_ATTR = "_kulvex_event"


class Payload(BaseModel):
    """Base of event payload models: unknown fields are allowed and ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class Empty(Payload):
    pass


class ProtocolError(Exception):
    """An error the client should see, with a stable machine-readable code."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    def as_event(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}

    def as_ack(self) -> dict[str, Any]:
        return {"ok": False, "error": {"code": self.code, "message": self.message, **self.extra}}


@dataclass
class Client:
    """Who is on the other end of a Socket.IO connection."""

    sid: str
    user_id: int | None = None
    username: str = ""
    role: str = "anonymous"
    permissions: frozenset[str] = field(default_factory=frozenset)
    address: str = ""

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has_perm(self, perm: str) -> bool:
        return self.role == "admin" or perm in self.permissions

    def as_session(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "username": self.username,
            "role": self.role,
            "permissions": sorted(self.permissions),
            "address": self.address,
        }

    @classmethod
    def from_session(cls, sid: str, session: dict[str, Any]) -> Client:
        return cls(
            sid=sid,
            user_id=session.get("user_id"),
            username=session.get("username", ""),
            role=session.get("role", "anonymous"),
            permissions=frozenset(session.get("permissions", ())),
            address=session.get("address", ""),
        )


def event(name: str, payload: type[Payload] = Empty) -> Callable:
    """Mark a consumer method as the handler of `<area>:<name>`, validated by `payload`."""

    def mark(method: Callable) -> Callable:
        setattr(method, _EVENT_ATTR, (name, payload))
        return method

    return mark


def require_user(client: Client, area_action: str = "this") -> None:
    if not client.is_authenticated:
        raise ProtocolError("unauthenticated", f"Log in to use {area_action}.")


class Consumer:
    """Handles the events of one area (`chat`, `voice`, `terminal`)."""

    area: str = ""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def emit(self, name: str, data: dict[str, Any], to: str) -> None:
        await self.sio.emit(f"{self.area}:{name}", data, to=to)

    async def emit_error(self, to: str, error: ProtocolError) -> None:
        await self.emit("error", error.as_event(), to=to)

    async def connect(self, client: Client) -> None:
        """Called once a connection is accepted."""

    async def disconnect(self, client: Client) -> None:
        """Called when a connection ends, for whatever reason."""

    async def startup(self) -> None:
        """Called when the server starts."""

    async def shutdown(self) -> None:
        """Called when the server stops."""


def event_limit(event_name: str) -> int:
    limits = settings.SOCKETIO_EVENT_LIMITS
    return limits.get(event_name, limits["*"])


def payload_size(data: Any) -> int:
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def validate(model: type[Payload], data: Any) -> Payload:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProtocolError("invalid_payload", "The payload must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        raise ProtocolError("invalid_payload", f"{where}: {first['msg']}", field=where) from None


def _wrap(consumer: Consumer, event_name: str, model: type[Payload], method: Callable) -> Callable:
    limit = event_limit(event_name)

    @functools.wraps(method)
    async def handler(sid: str, *args: Any) -> dict[str, Any]:
        data = args[0] if args else None
        try:
            size = payload_size(data)
            if size > limit:
                raise ProtocolError(
                    "payload_too_large",
                    f"{event_name} payload is {size} bytes; the limit is {limit}.",
                    limit=limit,
                )
            payload = validate(model, data)
            client = Client.from_session(sid, await consumer.sio.get_session(sid))
            result = await method(client, payload)
            return {"ok": True, **(result or {})}
        except ProtocolError as error:
            await consumer.emit_error(sid, error)
            return error.as_ack()
        except Exception:
            logger.exception("%s failed", event_name)
            error = ProtocolError("internal_error", "The server failed to handle this event.")
            await consumer.emit_error(sid, error)
            return error.as_ack()

    return handler


def mount(sio: socketio.AsyncServer, consumer: Consumer) -> list[str]:
    """Register every `@event` method of `consumer`; return the event names."""
    names = []
    for attr in dir(type(consumer)):
        spec = getattr(getattr(type(consumer), attr), _EVENT_ATTR, None)
        if spec is None:
            continue
        name, model = spec
        event_name = f"{consumer.area}:{name}"
        sio.on(event_name, _wrap(consumer, event_name, model, getattr(consumer, attr)))
        names.append(event_name)
    return names
