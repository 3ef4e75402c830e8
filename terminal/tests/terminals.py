"""Test helpers: a terminal session seen through a real Socket.IO client, and process checks."""

from __future__ import annotations

import time
from pathlib import Path

import psutil

from kulvex.testing import SocketClient, eventually
from terminal.models import TerminalSession

PROGRAMS = Path(__file__).parent / "programs"


class Terminal:
    """One session of a connected client: type into it, read what it prints."""

    def __init__(self, client: SocketClient, session_id: str) -> None:
        self.client = client
        self.id = session_id
        self.output = ""

    @classmethod
    async def open(cls, client: SocketClient, **create) -> Terminal:
        ack = await client.call("terminal:create", create)
        assert ack["ok"], ack
        return cls(client, ack["session_id"])

    async def type(self, text: str) -> None:
        ack = await self.client.call("terminal:data", {"session_id": self.id, "data": text})
        assert ack == {"ok": True}, ack

    async def next_data(self, timeout: float = 10) -> str:
        event = await self.client.wait("terminal:data", timeout, where=lambda d: d["session_id"] == self.id)
        self.output += event["data"]
        return event["data"]

    async def read_until(self, needle: str, timeout: float = 15) -> str:
        """Everything printed until `needle` (inclusive of all output so far)."""
        deadline = time.monotonic() + timeout
        try:
            while needle not in self.output:
                await self.next_data(max(0.01, deadline - time.monotonic()))
        except TimeoutError:
            raise AssertionError(f"{needle!r} not printed within {timeout}s; got {self.output[-1500:]!r}") from None
        return self.output

    async def exit_event(self, timeout: float = 15) -> dict:
        return await self.client.wait("terminal:exit", timeout, where=lambda d: d["session_id"] == self.id)


async def row(session_id: str) -> TerminalSession:
    return await TerminalSession.objects.select_related("user").aget(session_id=session_id)


async def closed_row(session_id: str, timeout: float = 15) -> TerminalSession:
    async def closed():
        found = await row(session_id)
        return found if found.ended_at else None

    return await eventually(closed, timeout)


def descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def find_descendant(pid: int, *cmdline: str) -> psutil.Process | None:
    for proc in descendants(pid):
        try:
            if proc.cmdline()[: len(cmdline)] == list(cmdline):
                return proc
        except psutil.NoSuchProcess:
            pass
    return None


def gone(pids) -> bool:
    """No process with these pids exists any more, zombies included."""
    return not any(psutil.pid_exists(pid) for pid in pids)
