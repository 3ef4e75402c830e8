"""The live terminal sessions of this server process."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import uuid
from collections import Counter
from collections.abc import Coroutine
from typing import Any

import socketio
from django.conf import settings

from kulvex.protocol import Client, ProtocolError

from . import audit, launch, operations, processes
from .pty import Pty
from .relay import Relay
from .session import LiveSession

logger = logging.getLogger("terminal.manager")

REAP_INTERVAL = 2.0

_current: SessionManager | None = None


def current() -> SessionManager | None:
    """The manager of this process, once the server has started."""
    return _current


class SessionManager:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio
        self.sessions: dict[str, LiveSession] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._creating: Counter[int] = Counter()
        self.relay: Relay | None = None
        # Sessions of other processes attached by clients connected here: sid -> {(node, session id)}
        self._remote: dict[str, set[tuple[str, str]]] = {}
        self._reaper: asyncio.Task | None = None
        self._reap_again = False
        self._reap_timer: asyncio.TimerHandle | None = None
        self._ended_sessions: set[int] = set()

    # Server life

    async def startup(self) -> None:
        global _current
        _current = self
        self.loop = asyncio.get_running_loop()
        if not processes.become_subreaper():
            logger.warning("could not become a child subreaper: orphans of terminals go to init")
        self._reap_periodically()
        if settings.REDIS_URL:
            self.relay = Relay(settings.REDIS_URL, audit.node_name(), self.perform)
            await self.relay.start()
        stale = await audit.close_orphaned_rows()
        if stale:
            killed = await asyncio.to_thread(processes.kill_tagged, set(stale))
            logger.info("closed %d terminal rows left by a stopped server; killed %d leftovers", len(stale), killed)

    async def shutdown(self) -> None:
        await asyncio.gather(*(session.end("server_shutdown") for session in list(self.sessions.values())))
        if self._reap_timer is not None:
            self._reap_timer.cancel()
        if self.relay is not None:
            await self.relay.stop()

    # Sessions

    async def create(self, client: Client, mode: str, cols: int, rows: int) -> LiveSession:
        session_id = uuid.uuid4().hex
        command = launch.command_for(mode, session_id, client.user_id)
        await self._check_quota(client.user_id)
        self._creating[client.user_id] += 1
        try:
            pty = await self._spawn(command, cols, rows)
            session = LiveSession(
                self.sio,
                pty,
                session_id=session_id,
                user_id=client.user_id,
                mode=mode,
                cols=cols,
                rows=rows,
                on_ended=self._ended,
            )
            self.sessions[session_id] = session
            await self._open_row(session, client)
        finally:
            self._creating[client.user_id] -= 1
        return session

    async def _spawn(self, command: launch.Command, cols: int, rows: int) -> Pty:
        try:
            return await Pty.spawn(
                command.argv, command.env, command.cwd, cols, rows, settings.TERMINAL_INPUT_BACKLOG_BYTES
            )
        except OSError as exc:
            logger.warning("could not start %s: %s", command.argv, exc)
            raise ProtocolError("spawn_failed", f"The terminal program could not be started: {exc}") from None

    async def _check_quota(self, user_id: int) -> None:
        limit = settings.TERMINAL_MAX_SESSIONS_PER_USER
        if await audit.live_count(user_id) + self._creating[user_id] >= limit:
            raise ProtocolError("too_many_sessions", f"You already have {limit} live terminal sessions.", limit=limit)

    async def _open_row(self, session: LiveSession, client: Client) -> None:
        try:
            await audit.open_row(
                session_id=session.id,
                user_id=session.user_id,
                mode=session.mode,
                pid=session.pty.pid,
                cols=session.cols,
                rows=session.rows,
                client_address=client.address,
            )
        except Exception:
            await session.end("error")
            raise

    def owned(self, client: Client, session_id: str) -> LiveSession:
        """The live session `session_id` of this client's user; another user's is not found."""
        session = self.sessions.get(session_id)
        if session is None or session.ending or session.user_id != client.user_id:
            raise ProtocolError("not_found", "No such terminal session.", session_id=session_id)
        return session

    async def operate(self, client: Client, session_id: str, op: str, args: dict) -> dict:
        """Perform `op` (see operations.py) on a session of this client's user, wherever it runs."""
        if session_id not in self.sessions and self.relay is not None:
            node = await audit.owner_node(session_id, client.user_id)
            if node is not None and node != audit.node_name():
                result = await self.relay.request(node, client, session_id, op, args)
                if op == "attach":
                    self._remote.setdefault(client.sid, set()).add((node, session_id))
                return result
        return await self.perform(client, session_id, op, args)

    async def perform(self, client: Client, session_id: str, op: str, args: dict) -> dict:
        """Perform `op` on a session of this process (for a client here, or relayed from elsewhere)."""
        if op == "end":  # only ever sent by server processes (the admin), never by a client
            return {"ended": await self.end(session_id, args["reason"])}
        return await operations.OPERATIONS[op](self.owned(client, session_id), client, args)

    async def disconnected(self, client: Client) -> None:
        for session in list(self.sessions.values()):
            if session.sid == client.sid:
                session.detach()
        for node, session_id in self._remote.pop(client.sid, ()):
            await self.relay.send(node, client, session_id, "detach", {})

    def listing(self) -> list[dict[str, Any]]:
        """The live sessions of this process, described by themselves (see listing.py)."""
        # A copy first: request threads read this too.
        return [session.describe() for session in list(self.sessions.values()) if not session.ending]

    def _ended(self, session: LiveSession) -> None:
        self.sessions.pop(session.id, None)
        self.reap_soon(ended_session=session.pty.pid)

    # Orphans re-parented to this process

    def _reap_periodically(self) -> None:
        # The event loop may own SIGCHLD (uvloop does), so orphans that die while their session
        # runs are looked for now and then; a session's end reaps its own at once.
        if self.sessions:
            self.reap_soon()
        self._reap_timer = self.loop.call_later(REAP_INTERVAL, self._reap_periodically)

    def reap_soon(self, ended_session: int | None = None) -> None:
        """Reap soon; `ended_session` is the leader pid (so the session id) of a session just ended."""
        if ended_session is not None:
            self._ended_sessions.add(ended_session)
        self._reap_again = True
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.ensure_future(self._reap())

    async def _reap(self) -> None:
        while self._reap_again:
            self._reap_again = False
            live = list(self.sessions.values())
            sessions = {s.pty.pid for s in live} | self._ended_sessions
            self._ended_sessions = set()
            leaders = {s.pty.pid for s in live if not s.pty.exited.done()}
            if sessions:
                await asyncio.to_thread(processes.reap_orphans, sessions, leaders)

    # Calls from other threads (the admin, the REST API)

    def call(self, coroutine: Coroutine, timeout: float) -> Any:
        """Run `coroutine` on the server's loop from a worker thread and return its result.

        It runs in a fresh context: the caller's (a Django request's) would send its database
        calls back to the very thread that is waiting here.
        """
        if self.loop is None:
            raise RuntimeError("the terminal manager is not running")
        future = contextvars.Context().run(asyncio.run_coroutine_threadsafe, coroutine, self.loop)
        return future.result(timeout)

    async def end(self, session_id: str, reason: str) -> bool:
        session = self.sessions.get(session_id)
        if session is None:
            return False
        await session.end(reason)
        return True
