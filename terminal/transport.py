"""Delivering terminal events to one Socket.IO client, with backpressure when it is local."""

from __future__ import annotations

import asyncio
from typing import Any

import socketio

NAMESPACE = "/"


def is_local(sio: socketio.AsyncServer, sid: str) -> bool:
    return sio.manager.is_connected(sid, NAMESPACE)


async def send(sio: socketio.AsyncServer, event: str, data: dict[str, Any], sid: str) -> None:
    """Emit to `sid`; directly when it is connected here, through the manager's queue otherwise."""
    await sio.emit(event, data, to=sid, ignore_queue=is_local(sio, sid))


def _outgoing(sio: socketio.AsyncServer, sid: str) -> asyncio.Queue | None:
    """The Engine.IO socket's queue of packets not yet written, for a client connected here.

    python-engineio has no public API for this; without it delivery is simply not paced.
    """
    eio_sid = sio.manager.eio_sid_from_sid(sid, NAMESPACE)
    socket = sio.eio.sockets.get(eio_sid) if eio_sid else None
    queue = getattr(socket, "queue", None)
    return queue if isinstance(queue, asyncio.Queue) else None


async def drained(sio: socketio.AsyncServer, sid: str, gone: asyncio.Event) -> None:
    """Wait until the packets queued for `sid` are taken by its writer, or `gone` is set."""
    queue = _outgoing(sio, sid)
    if queue is None or queue.empty() or gone.is_set():
        return
    waits = {asyncio.ensure_future(queue.join()), asyncio.ensure_future(gone.wait())}
    _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
