"""The tools the model may call. Each takes validated arguments and returns text for the model."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from pydantic import BaseModel, ConfigDict, ValidationError

from . import settings as conf
from .workspace import ToolError, Workspace

# Directories grep does not descend into: tool caches and dependencies, not the user's code.
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "venv", ".venv", ".git"})
# What a shell command sees of kcode's environment: inside a terminal session that is the
# server's, whose secrets (SECRET_KEY, DATABASE_URL…) must not reach the model's commands.
PASSED_TO_SHELL = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM", "TMPDIR")
# Characters of a chat message kept for what surrounds a tool's output (header, fences, cut note).
MESSAGE_RESERVE = 512


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PathArgs(Args):
    path: str


class ListArgs(Args):
    path: str = "."


class GrepArgs(Args):
    pattern: str
    path: str = "."


class WriteArgs(Args):
    path: str
    content: str


class ShellArgs(Args):
    command: str


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args: type[Args]
    run: Callable[[Workspace, Any], Awaitable[str]]
    needs_permission: bool = False

    def usage(self) -> str:
        fields = ", ".join(f'"{name}": ...' for name in self.args.model_fields)
        return f"{self.name} {{{fields}}}: {self.description}"


def output_limit() -> int:
    """Tool output goes back to the model in one chat message, so it must fit in one."""
    return settings.CHAT_MAX_MESSAGE_CHARS - MESSAGE_RESERVE


def clip(text: str, limit: int | None = None) -> str:
    limit = output_limit() if limit is None else limit
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[... {len(text) - limit} more characters cut]"


async def read_file(workspace: Workspace, args: PathArgs) -> str:
    return await asyncio.to_thread(workspace.read_text, args.path, conf.KCODE_FILE_MAX_BYTES)


def _listing(workspace: Workspace, path: str) -> str:
    target = workspace.resolve(path)
    if not target.is_dir():
        raise ToolError(f"{path!r} is not a directory.")
    entries = sorted(target.iterdir(), key=lambda entry: entry.name)
    lines = [entry.name + ("/" if entry.is_dir() else "") for entry in entries]
    return clip("\n".join(lines)) if lines else "(empty directory)"


async def list_dir(workspace: Workspace, args: ListArgs) -> str:
    return await asyncio.to_thread(_listing, workspace, args.path)


def _files_under(workspace: Workspace, start: str):
    target = workspace.resolve(start)
    if target.is_file():
        yield target
        return
    for folder, dirs, files in os.walk(target):
        dirs[:] = sorted(name for name in dirs if name not in SKIPPED_DIRS and not name.startswith("."))
        for name in sorted(files):
            path = os.path.join(folder, name)
            try:
                yield workspace.resolve(path)
            except ToolError:
                continue  # a symlink leading out of the working directory


def _matches(workspace: Workspace, args: GrepArgs) -> str:
    try:
        regex = re.compile(args.pattern)
    except re.error as exc:
        raise ToolError(f"Bad regular expression: {exc}.") from None
    found, size = [], 0
    for path in _files_under(workspace, args.path):
        try:
            text = workspace.read_text(workspace.relative(path), conf.KCODE_FILE_MAX_BYTES)
        except (ToolError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if regex.search(line):
                found.append(f"{workspace.relative(path)}:{number}: {line}")
                size += len(found[-1]) + 1
                if size > output_limit():
                    return clip("\n".join(found))
    return "\n".join(found) or "(no matches)"


async def grep(workspace: Workspace, args: GrepArgs) -> str:
    return await asyncio.to_thread(_matches, workspace, args)


def _write(workspace: Workspace, args: WriteArgs) -> str:
    target = workspace.resolve(args.path)
    if target.is_dir():
        raise ToolError(f"{args.path!r} is a directory.")
    target.parent.mkdir(parents=True, exist_ok=True)
    data = args.content.encode()
    target.write_bytes(data)
    return f"Wrote {len(data)} bytes to {workspace.relative(target)}."


async def write_file(workspace: Workspace, args: WriteArgs) -> str:
    return await asyncio.to_thread(_write, workspace, args)


async def _collect(stream: asyncio.StreamReader, limit: int) -> bytes:
    """Read the whole stream, keeping its first `limit` bytes."""
    kept = bytearray()
    while chunk := await stream.read(65536):
        kept += chunk[: max(0, limit - len(kept))]
    return bytes(kept)


async def run_shell(workspace: Workspace, args: ShellArgs) -> str:
    process = await asyncio.create_subprocess_shell(
        args.command,
        cwd=workspace.root,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={name: os.environ[name] for name in PASSED_TO_SHELL if name in os.environ},
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(conf.KCODE_SHELL_TIMEOUT):
            output = await _collect(process.stdout, output_limit() * 4)
            code = await process.wait()
    except BaseException as exc:
        # Timed out or cancelled (Ctrl-C): stop the command and whatever it started.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await asyncio.shield(process.wait())
        if isinstance(exc, TimeoutError):
            raise ToolError(
                f"The command ran longer than {conf.KCODE_SHELL_TIMEOUT:g} seconds; it was killed."
            ) from None
        raise
    text = output.decode(errors="replace")
    return f"exit code {code}\n{clip(text)}"


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool("read_file", "the text of a file", PathArgs, read_file),
        Tool("list_dir", "the entries of a directory (default: the working directory)", ListArgs, list_dir),
        Tool("grep", "lines matching a Python regular expression, in a file or under a directory", GrepArgs, grep),
        Tool("write_file", "create or replace a file with this content", WriteArgs, write_file, True),
        Tool("run_shell", "run a shell command in the working directory; gives its output", ShellArgs, run_shell, True),
    )
}


def validate_args(tool: Tool, args: dict) -> Args:
    try:
        return tool.args.model_validate(args)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "args"
        raise ToolError(f"Bad arguments for {tool.name}: {where}: {first['msg']}.") from None
