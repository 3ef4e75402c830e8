"""The Socket.IO server: authentication on connect, origin policy, and the app consumers."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import socketio
from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils.module_loading import import_string

from .protocol import Client, Consumer, mount
from .roles import role_of
from .tokens import InvalidToken, user_for_access_token

logger = logging.getLogger("kulvex.realtime")


def origin_allowed(origin: str | None, environ: dict) -> bool:
    """Allow the server's own origin and those in ALLOWED_ORIGINS.

    The host part is compared so a TLS-terminating proxy in front does not break the dashboard.
    """
    if origin is None:
        return True
    if origin in settings.ALLOWED_ORIGINS:
        return True
    host = environ.get("HTTP_HOST", "")
    return bool(host) and urlsplit(origin).netloc == host


def token_from(environ: dict, auth: object) -> str | None:
    if isinstance(auth, dict) and auth.get("token"):
        return str(auth["token"])
    header = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def client_address(environ: dict) -> str:
    return environ.get("REMOTE_ADDR", "") or ""


@sync_to_async
def _client_for_token(sid: str, token: str, address: str) -> Client:
    user = user_for_access_token(token)
    return Client(
        sid=sid,
        user_id=user.pk,
        username=user.get_username(),
        role=role_of(user),
        permissions=frozenset(user.get_all_permissions()),
        address=address,
    )


class RealtimeServer:
    """Owns the AsyncServer and the consumers mounted on it."""

    def __init__(self) -> None:
        manager = socketio.AsyncRedisManager(settings.REDIS_URL) if settings.REDIS_URL else None
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            cors_allowed_origins=origin_allowed,
            max_http_buffer_size=settings.SOCKETIO_MAX_MESSAGE_BYTES,
            logger=False,
            engineio_logger=False,
        )
        self.consumers: list[Consumer] = [import_string(path)(self.sio) for path in settings.SOCKETIO_CONSUMERS]
        self.events: list[str] = []
        for consumer in self.consumers:
            self.events += mount(self.sio, consumer)
        self.sio.on("connect", self.connect)
        self.sio.on("disconnect", self.disconnect)

    async def connect(self, sid: str, environ: dict, auth: object = None) -> None:
        token = token_from(environ, auth)
        address = client_address(environ)
        if token is None:
            client = Client(sid=sid, address=address)
        else:
            try:
                client = await _client_for_token(sid, token, address)
            except InvalidToken as exc:
                logger.info("refused a Socket.IO connection from %s: %s", address, exc)
                raise socketio.exceptions.ConnectionRefusedError("invalid_token") from None
        await self.sio.save_session(sid, client.as_session())
        await self.sio.enter_room(sid, user_room(client.user_id) if client.user_id else "anonymous")
        for consumer in self.consumers:
            await consumer.connect(client)

    async def disconnect(self, sid: str, reason: object = None) -> None:
        client = Client.from_session(sid, await self.sio.get_session(sid))
        for consumer in self.consumers:
            try:
                await consumer.disconnect(client)
            except Exception:
                logger.exception("%s consumer failed on disconnect", consumer.area)

    async def startup(self) -> None:
        for consumer in self.consumers:
            await consumer.startup()

    async def shutdown(self) -> None:
        for consumer in reversed(self.consumers):
            try:
                await consumer.shutdown()
            except Exception:
                logger.exception("%s consumer failed on shutdown", consumer.area)


def external_emitter() -> socketio.AsyncRedisManager:
    """A write-only Socket.IO manager for code outside the server (commands, workers).

    It emits into the same rooms as the servers sharing REDIS_URL; without Redis there is no
    way to reach another process's clients, which is an error worth stating.
    """
    if not settings.REDIS_URL:
        raise RuntimeError("REDIS_URL is not set: only the server process itself can emit to its clients.")
    return socketio.AsyncRedisManager(settings.REDIS_URL, write_only=True)


def user_room(user_id: int) -> str:
    return f"user:{user_id}"
