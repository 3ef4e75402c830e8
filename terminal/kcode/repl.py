"""The interactive loop: line editing with history, slash commands, interruptible answers."""

from __future__ import annotations

import asyncio
import signal

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory
from rich.text import Text

from . import routes
from . import settings as conf
from .agent import CodeAgent
from .commands import dispatch
from .permissions import is_yes
from .render import TerminalView

PROMPT = "kcode> "


def history_file(user_id: int) -> FileHistory:
    conf.KCODE_HISTORY_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    return FileHistory(str(conf.KCODE_HISTORY_DIR / f"history-{user_id}"))


class Repl:
    def __init__(self, agent: CodeAgent, view: TerminalView) -> None:
        self.agent = agent
        self.view = view
        self.session: PromptSession = PromptSession(history=history_file(agent.user_id))
        self.questions: PromptSession = PromptSession()
        self.turn: asyncio.Task | None = None

    async def run(self) -> None:
        self.banner()
        loop = asyncio.get_running_loop()
        # At the prompt the terminal is in raw mode and Ctrl-C is a key; while an answer
        # streams it is a signal, and cancels that answer.
        loop.add_signal_handler(signal.SIGINT, self.interrupt)
        try:
            while await self.step():
                pass
        finally:
            loop.remove_signal_handler(signal.SIGINT)

    def banner(self) -> None:
        console = self.view.console
        console.print(Text.assemble(("KULVEX kcode", "bold"), "  ", routes.describe(self.agent.task_type)))
        console.print(Text.assemble("working directory ", (str(self.agent.workspace.root), "bold")))
        console.print(Text("/help lists the commands · Ctrl-C cancels an answer · Ctrl-D or /exit leaves", "dim"))

    async def step(self) -> bool:
        """Read and handle one line; False when the user leaves."""
        try:
            line = (await self.session.prompt_async(PROMPT, handle_sigint=False)).strip()
        except KeyboardInterrupt:
            return True
        except EOFError:
            return False
        if line.startswith("/"):
            return dispatch(self, line)
        if line:
            await self.answer(line)
        return True

    async def answer(self, question: str) -> None:
        self.turn = asyncio.create_task(self.agent.ask(question))
        try:
            await asyncio.wait([self.turn])
        finally:
            turn, self.turn = self.turn, None
        if turn.cancelled():
            self.view.notice("Cancelled.")
        elif turn.exception() is not None:
            self.view.error(str(turn.exception()))

    def interrupt(self) -> None:
        if self.turn is not None:
            self.turn.cancel()

    async def confirm(self, question: str) -> bool:
        try:
            return is_yes(await self.questions.prompt_async(question, handle_sigint=False))
        except EOFError:
            return False
        except KeyboardInterrupt:
            self.interrupt()
            return False
