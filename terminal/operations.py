"""What a client does to one of its live sessions: the same whether the PTY runs here or in
another server process (see relay.py). Each takes the session, the client and the arguments of
the event, and returns the ack's fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from kulvex.protocol import Client, ProtocolError

from .pty import InputOverflow
from .session import LiveSession


async def write(session: LiveSession, client: Client, args: dict) -> dict:
    try:
        session.write(args["data"])
    except InputOverflow as exc:
        raise ProtocolError("input_overflow", str(exc), session_id=session.id) from None
    return {}


async def resize(session: LiveSession, client: Client, args: dict) -> dict:
    session.resize(args["cols"], args["rows"])
    return {"session_id": session.id, "cols": session.cols, "rows": session.rows}


async def destroy(session: LiveSession, client: Client, args: dict) -> dict:
    return {"session_id": session.id, "exit_code": await session.end("destroyed")}


async def attach(session: LiveSession, client: Client, args: dict) -> dict:
    await session.attach(client.sid)
    if args.get("cols") and args.get("rows"):
        session.resize(args["cols"], args["rows"])
    return session.describe()


async def detach(session: LiveSession, client: Client, args: dict) -> dict:
    if session.sid == client.sid:
        session.detach()
    return {}


OPERATIONS: dict[str, Callable[[LiveSession, Client, dict], Awaitable[dict]]] = {
    "data": write,
    "resize": resize,
    "destroy": destroy,
    "attach": attach,
    "detach": detach,
}
