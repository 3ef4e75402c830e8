"""Starting kcode: the interactive REPL, or one answer for `--print`."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine

from chat.llm import get_router

from .agent import CodeAgent
from .permissions import Permission
from .render import PlainView, TerminalView
from .repl import Repl
from .workspace import Workspace


def interactive(user_id: int, workspace: Workspace, task_type: str, mode: str) -> None:
    view = TerminalView()
    permission = Permission(mode)
    repl = Repl(CodeAgent(user_id, workspace, task_type, permission, view), view)
    permission.confirm = repl.confirm
    asyncio.run(closing_backends(repl.run()))


def once(user_id: int, workspace: Workspace, task_type: str, mode: str, question: str) -> bool:
    """Answer `question` on stdout; False if that failed. `ask` cannot ask here, so it refuses."""
    view = PlainView()
    agent = CodeAgent(user_id, workspace, task_type, Permission(mode), view)
    try:
        asyncio.run(closing_backends(agent.ask(question)))
    except KeyboardInterrupt:
        view.error("Cancelled.")
        return False
    except Exception as exc:
        view.error(str(exc))
        return False
    return True


async def closing_backends(work: Coroutine) -> None:
    """Run `work`, then release the model backends (HTTP clients, llama.cpp threads)."""
    try:
        await work
    finally:
        await get_router().aclose()
