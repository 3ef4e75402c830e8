"""TerminalSession audit rows: opened when a PTY starts, closed when it ends, whatever the cause."""

from __future__ import annotations

import os
import socket
from datetime import datetime
from functools import cache

import psutil
from django.utils import timezone

from .models import TerminalSession


@cache
def node_name() -> str:
    """This server process, as rows name their PTY owner: `<host>:<pid>`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def node_is_dead(node: str, since: datetime) -> bool:
    """Whether `node`, a server process of this host running since `since`, has died.

    A process now holding its pid but started later is another process.
    """
    host, _, pid = node.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        return psutil.Process(int(pid)).create_time() > since.timestamp()
    except psutil.NoSuchProcess:
        return True


async def open_row(**fields) -> TerminalSession:
    return await TerminalSession.objects.acreate(node=node_name(), **fields)


async def close_row(session_id: str, **fields) -> None:
    await TerminalSession.objects.filter(session_id=session_id, ended_at__isnull=True).aupdate(
        ended_at=timezone.now(), **fields
    )


async def owner_node(session_id: str, user_id: int) -> str | None:
    """The node running live session `session_id` of `user_id`, if there is one."""
    row = await TerminalSession.objects.filter(session_id=session_id, user_id=user_id, ended_at__isnull=True).afirst()
    return row.node if row else None


async def live_count(user_id: int) -> int:
    return await TerminalSession.objects.filter(user_id=user_id, ended_at__isnull=True).acount()


async def close_orphaned_rows() -> list[str]:
    """Close the rows left open by server processes of this host that died; return their ids."""
    stale = [
        row.session_id
        async for row in TerminalSession.objects.filter(ended_at__isnull=True).only("session_id", "node", "started_at")
        if node_is_dead(row.node, row.started_at)
    ]
    if stale:
        await TerminalSession.objects.filter(session_id__in=stale, ended_at__isnull=True).aupdate(
            ended_at=timezone.now(), end_reason="server_restart"
        )
    return stale
