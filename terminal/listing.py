"""Live sessions as terminal:list and GET /api/code-sessions/ show them."""

from __future__ import annotations

from typing import Any

from . import manager
from .models import TerminalSession


def describe(row: TerminalSession, live: dict | None) -> dict[str, Any]:
    """Size and state come from the PTY owner when it is this process; None: unknown here."""
    return {
        "session_id": row.session_id,
        "mode": row.mode,
        "cols": live["cols"] if live else row.cols,
        "rows": live["rows"] if live else row.rows,
        "started_at": row.started_at.isoformat(),
        "attached": live["attached"] if live else None,
        "paused": live["paused"] if live else None,
        "node": row.node,
        "user": {"id": row.user_id, "username": row.user.get_username()},
    }


def live_sessions(user_id: int | None, mode: str | None = None) -> list[dict[str, Any]]:
    """The live sessions of `user_id` (None: everyone's), on every server process."""
    rows = TerminalSession.objects.filter(ended_at__isnull=True).select_related("user")
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if mode is not None:
        rows = rows.filter(mode=mode)
    local = manager.current()
    here = {item["session_id"]: item for item in local.listing()} if local else {}
    return [describe(row, here.get(row.session_id)) for row in rows.order_by("started_at")]
