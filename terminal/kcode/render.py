"""What kcode shows: answers as Markdown in a terminal (rich), or plain text for pipes."""

from __future__ import annotations

import re
import sys
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown
from rich.text import Text

from .toolcalls import ToolCall, strip_call

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
# Tool output shown to the user; the model gets all of it.
SHOWN_OUTPUT_LINES = 12


def complete_blocks(text: str) -> int:
    """The length of the prefix of `text` made of finished Markdown blocks.

    A block ends at a blank line outside a code fence, or with the line closing a fence.
    """
    end = position = 0
    fence = ""
    for line in text.splitlines(keepends=True):
        position += len(line)
        if not line.endswith("\n"):
            break
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence, end = "", position
        elif match := _FENCE.match(line):
            fence = match[1]
        elif not stripped:
            end = position
    return end


class MarkdownStream:
    """Renders an answer as it streams: finished blocks as Markdown, the open block live."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.pending = ""
        self.printed = False
        self.live = Live(console=console, transient=True, refresh_per_second=8, vertical_overflow="crop")

    def __enter__(self) -> MarkdownStream:
        self.live.start()
        return self

    def feed(self, piece: str) -> None:
        self.pending += piece
        end = complete_blocks(self.pending)
        if end:
            self._print(self.pending[:end])
            self.pending = self.pending[end:]
        self.live.update(self._tail(), refresh=False)

    def __exit__(self, *exc) -> None:
        self.live.update(Text(""))
        self.live.stop()
        self._print(self.pending)

    def _print(self, markdown: str) -> None:
        markdown = strip_call(markdown)
        if not markdown.strip():
            return
        if self.printed:
            self.console.print()
        self.console.print(Markdown(markdown, code_theme="ansi_dark"))
        self.printed = True

    def _tail(self) -> Text:
        """The end of the open block that fits on the screen."""
        room = max(1, self.console.height - 2)
        lines = self.pending.splitlines()[-room:]
        return Text("\n".join(lines))


def first_lines(text: str, count: int = SHOWN_OUTPUT_LINES) -> str:
    lines = text.splitlines() or [""]
    shown = "\n".join(lines[:count])
    if len(lines) > count:
        shown += f"\n… {len(lines) - count} more lines"
    return shown


class TerminalView:
    """Output for the interactive REPL."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)

    def answer(self) -> MarkdownStream:
        return MarkdownStream(self.console)

    def tool_call(self, call: ToolCall, full: bool = False) -> None:
        """Show a call before it runs; `full` shows all of what the user is asked to approve."""
        self.console.print(Text.assemble(("● ", "bold cyan"), (call.describe(), "bold")))
        for name, value in call.long_args().items():
            self.console.print(Text(f"  {name}:", style="cyan"))
            self.console.print(Text(value if full else first_lines(value), style="dim"))

    def tool_output(self, output: str) -> None:
        self.console.print(Text(first_lines(output), style="dim"))

    def notice(self, message: str) -> None:
        self.console.print(Text(message, style="yellow"))

    def error(self, message: str) -> None:
        self.console.print(Text(message, style="bold red"))


class PlainAnswer:
    """One step's answer, written when complete: the final answer to stdout, the words that
    come with a tool call to stderr, so that stdout holds only the answer."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.parts: list[str] = []

    def __enter__(self) -> PlainAnswer:
        return self

    def feed(self, piece: str) -> None:
        self.parts.append(piece)

    def __exit__(self, *exc) -> None:
        text = "".join(self.parts).strip()
        prose = strip_call(text)
        if prose:
            stream = self.out if prose == text else self.err
            stream.write(prose + "\n")
            stream.flush()


class PlainView:
    """Output for `--print`: the final answer as plain text on stdout, everything else on stderr."""

    def __init__(self, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> None:
        self.out = out
        self.err = err

    def answer(self) -> PlainAnswer:
        return PlainAnswer(self.out, self.err)

    def tool_call(self, call: ToolCall, full: bool = False) -> None:
        self._say(f"[tool] {call.describe()}")
        for name, value in call.long_args().items():
            self._say(f"  {name}:\n{value}")

    def tool_output(self, output: str) -> None:
        self._say(output)

    def notice(self, message: str) -> None:
        self._say(message)

    def error(self, message: str) -> None:
        self._say(f"error: {message}")

    def _say(self, message: str) -> None:
        self.err.write(message.rstrip("\n") + "\n")
        self.err.flush()
