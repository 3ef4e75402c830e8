"""Slash commands of the REPL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.table import Table

from . import routes
from . import settings as conf
from .workspace import ToolError

if TYPE_CHECKING:
    from .repl import Repl


@dataclass(frozen=True)
class SlashCommand:
    usage: str
    help: str
    run: Callable[[Repl, str], bool]  # False: leave the REPL


COMMANDS: dict[str, SlashCommand] = {}


def command(name: str, usage: str, help: str) -> Callable:
    def register(run: Callable[[Repl, str], bool]) -> Callable[[Repl, str], bool]:
        COMMANDS[name] = SlashCommand(usage, help, run)
        return run

    return register


def dispatch(repl: Repl, line: str) -> bool:
    """Run a `/command argument` line; False when the REPL should end."""
    name, _, argument = line[1:].partition(" ")
    found = COMMANDS.get(name)
    if found is None:
        repl.view.error(f"Unknown command /{name}; /help lists the commands.")
        return True
    return found.run(repl, argument.strip())


@command("help", "/help", "list these commands")
def show_help(repl: Repl, argument: str) -> bool:
    table = Table(show_header=False, box=None, padding=(0, 2))
    for found in COMMANDS.values():
        table.add_row(found.usage, found.help)
    repl.view.console.print(table)
    repl.view.console.print("Ctrl-C cancels the answer in progress; Ctrl-D leaves.")
    return True


@command("model", "/model [TASK_TYPE]", "show the model and backend answering, or switch to another task type")
def model(repl: Repl, argument: str) -> bool:
    if argument:
        if problem := routes.problem_with(argument):
            repl.view.error(problem)
            return True
        repl.agent.task_type = argument
    repl.view.console.print(routes.describe(repl.agent.task_type))
    return True


@command("clear", "/clear", "start a new conversation")
def clear(repl: Repl, argument: str) -> bool:
    repl.agent.clear()
    repl.view.notice("New conversation.")
    return True


@command("read", "/read PATH", f"put a file (up to {conf.KCODE_FILE_MAX_BYTES} bytes) into the context")
def read(repl: Repl, argument: str) -> bool:
    if not argument:
        repl.view.error("Usage: /read PATH")
        return True
    try:
        shown = repl.agent.add_file(argument)
    except (ToolError, OSError) as exc:
        repl.view.error(str(exc))
        return True
    repl.view.notice(f"Read {shown}; it goes with your next question.")
    return True


@command("exit", "/exit", "leave kcode (Ctrl-D too)")
def leave(repl: Repl, argument: str) -> bool:
    return False
