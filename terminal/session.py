"""One live terminal session: its PTY, its output, the client attached to it, and its end."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Any

import socketio
from django.conf import settings
from django.utils import timezone

from . import audit, processes, transport
from .models import TerminalSession
from .output import OutputStream
from .pty import Pty

logger = logging.getLogger("terminal.session")


class LiveSession:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        pty: Pty,
        *,
        session_id: str,
        user_id: int,
        mode: str,
        cols: int,
        rows: int,
        on_ended: Callable[[LiveSession], None],
    ) -> None:
        self.sio = sio
        self.pty = pty
        self.id = session_id
        self.user_id = user_id
        self.mode = mode
        self.cols, self.rows = cols, rows
        self.started_at = timezone.now()
        self.sid: str | None = None
        self.bytes_in = self.bytes_out = 0
        self.exit_code: int | None = None
        self._on_ended = on_ended
        self._loop = asyncio.get_running_loop()
        self._gone = asyncio.Event()
        self._eof = self._loop.create_future()
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._ending: asyncio.Task | None = None
        self.last_activity = self._loop.time()
        self.stream = OutputStream(
            self._deliver,
            pty.pause_reading,
            pty.resume_reading,
            scrollback_bytes=settings.TERMINAL_SCROLLBACK_BYTES,
            frame_bytes=settings.TERMINAL_FRAME_BYTES,
            frame_interval=settings.TERMINAL_FRAME_INTERVAL_MS / 1000,
            high_water=settings.TERMINAL_FLOW_HIGH_BYTES,
        )
        pty.exited.add_done_callback(lambda _: self.end_soon("exit"))

    @property
    def is_code_session(self) -> bool:
        return self.mode == TerminalSession.MODE_KCODE

    @property
    def ending(self) -> bool:
        return self._ending is not None

    @property
    def idle_limit(self) -> float:
        return settings.TERMINAL_CODE_IDLE_SECONDS if self.is_code_session else settings.TERMINAL_IDLE_SECONDS

    def describe(self) -> dict[str, Any]:
        return {
            "session_id": self.id,
            "mode": self.mode,
            "cols": self.cols,
            "rows": self.rows,
            "started_at": self.started_at.isoformat(),
            "attached": self.sid is not None,
            "paused": self.stream.paused,
        }

    # Life

    def start(self, sid: str) -> None:
        """Begin reading, attached to `sid` (which may have gone while the PTY was spawned)."""
        self._attach(sid)
        self.pty.start(self._output, self._eof_reached)
        self._schedule_idle_check()
        if not transport.is_local(self.sio, sid):
            self.detach()

    async def attach(self, sid: str) -> None:
        """Attach `sid`: the scrollback is replayed, then output goes on live."""
        previous = self.sid
        self._attach(sid)
        if previous and previous != sid:
            event = {"session_id": self.id, "reason": "attached_elsewhere"}
            await transport.send(self.sio, "terminal:detached", event, previous)

    def _attach(self, sid: str) -> None:
        self._cancel("grace")
        self._gone.set()
        self._gone = asyncio.Event()
        self.sid = sid
        self.stream.attach()
        self.touch()

    def detach(self) -> None:
        """The client went away: shells wait for a grace period, code sessions run on."""
        self.sid = None
        self._gone.set()
        self.stream.detach()
        if not self.is_code_session and not self.ending:
            self._timers["grace"] = self._loop.call_later(
                settings.TERMINAL_GRACE_SECONDS, self.end_soon, "disconnected"
            )

    def touch(self) -> None:
        self.last_activity = self._loop.time()

    def _schedule_idle_check(self) -> None:
        self._timers["idle"] = self._loop.call_at(self.last_activity + self.idle_limit, self._check_idle)

    def _check_idle(self) -> None:
        if self._loop.time() - self.last_activity >= self.idle_limit:
            self.end_soon("idle")
        else:
            self._schedule_idle_check()

    def _cancel(self, timer: str) -> None:
        handle = self._timers.pop(timer, None)
        if handle is not None:
            handle.cancel()

    # Input and output

    def write(self, text: str) -> None:
        data = text.encode("utf-8", "replace")
        self.pty.write(data)
        self.bytes_in += len(data)
        self.touch()

    def resize(self, cols: int, rows: int) -> None:
        self.pty.resize(cols, rows)
        self.cols, self.rows = cols, rows
        self.touch()

    def _output(self, data: bytes) -> None:
        self.bytes_out += len(data)
        self.last_activity = self._loop.time()
        self.stream.feed(data)

    def _eof_reached(self) -> None:
        if not self._eof.done():
            self._eof.set_result(None)

    async def _deliver(self, text: str) -> None:
        sid, gone = self.sid, self._gone
        if sid is None:
            return
        try:
            await transport.send(self.sio, "terminal:data", {"session_id": self.id, "data": text}, sid)
            await transport.drained(self.sio, sid, gone)
        except Exception:
            logger.exception("delivering output of terminal %s failed", self.id)

    # End

    def end_soon(self, reason: str) -> asyncio.Task:
        """Begin ending the session (once); the task's result is the exit code."""
        if self._ending is None:
            self._ending = self._loop.create_task(self._finish(reason))
        return self._ending

    async def end(self, reason: str) -> int | None:
        return await asyncio.shield(self.end_soon(reason))

    async def _finish(self, reason: str) -> int | None:
        for name in list(self._timers):
            self._cancel(name)
        timeout = settings.TERMINAL_KILL_TIMEOUT
        self.stream.stop_flow_control()
        self.pty.start(self._output, self._eof_reached)
        try:
            await self._terminate(timeout)
            await asyncio.wait({self._eof}, timeout=timeout)  # the last output, up to the hang-up
            await self.stream.close(timeout)
        except Exception:
            logger.exception("ending terminal %s failed", self.id)
        finally:
            self.exit_code = self.pty.exited.result() if self.pty.exited.done() else None
            self.pty.close()
            self._on_ended(self)
        if self.sid is not None:
            event = {"session_id": self.id, "exit_code": self.exit_code, "reason": reason}
            await transport.send(self.sio, "terminal:exit", event, self.sid)
        await self._close_row(reason)
        return self.exit_code

    async def _terminate(self, timeout: float) -> None:
        """SIGHUP every process of the session, then SIGKILL those still alive after `timeout`."""
        for sig in (signal.SIGHUP, signal.SIGKILL):
            procs = await asyncio.to_thread(processes.session_processes, self.pty.pid, self.id)
            leader = None if self.pty.exited.done() else self.pty.pid
            if leader is None and not procs:
                return
            processes.signal_session(leader, procs, sig)
            await asyncio.gather(
                asyncio.wait({self.pty.exited}, timeout=timeout),
                asyncio.to_thread(processes.wait_gone, procs, timeout),
            )
        if not self.pty.exited.done():
            logger.error("terminal %s: process %s survived SIGKILL", self.id, self.pty.pid)

    async def _close_row(self, reason: str) -> None:
        try:
            await audit.close_row(
                self.id,
                exit_code=self.exit_code,
                end_reason=reason,
                bytes_in=self.bytes_in,
                bytes_out=self.bytes_out,
                cols=self.cols,
                rows=self.rows,
            )
        except Exception:
            logger.exception("closing the audit row of terminal %s failed", self.id)
