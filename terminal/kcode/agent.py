"""One kcode conversation: questions go through chat's reply service, tool calls run in between."""

from __future__ import annotations

import asyncio
from typing import Protocol

from chat.models import Conversation
from chat.services import ReplyRequest, start_reply

from . import settings as conf
from .permissions import Permission
from .toolcalls import ToolCall, failure_message, fenced, find_call, result_message, system_prompt
from .tools import TOOLS, output_limit, validate_args
from .workspace import ToolError, Workspace


class StepLimit(Exception):
    """The model kept calling tools past KCODE_MAX_STEPS."""


class AnswerStream(Protocol):
    def __enter__(self) -> AnswerStream: ...
    def __exit__(self, *exc) -> None: ...
    def feed(self, piece: str) -> None: ...


class View(Protocol):
    def answer(self) -> AnswerStream: ...
    def tool_call(self, call: ToolCall, full: bool = False) -> None: ...
    def tool_output(self, output: str) -> None: ...
    def notice(self, message: str) -> None: ...
    def error(self, message: str) -> None: ...


class CodeAgent:
    """Holds the user, working directory, task type and current conversation of a kcode session."""

    def __init__(self, user_id: int, workspace: Workspace, task_type: str, permission: Permission, view: View) -> None:
        self.user_id = user_id
        self.workspace = workspace
        self.task_type = task_type
        self.permission = permission
        self.view = view
        self.conversation_id: int | None = None
        self.context: list[str] = []

    def clear(self) -> None:
        self.conversation_id = None
        self.context = []

    def add_file(self, path: str) -> str:
        """Put a file into the context of the next question; returns its path as shown."""
        text = self.workspace.read_text(path, conf.KCODE_FILE_MAX_BYTES)
        shown = self.workspace.relative(self.workspace.resolve(path))
        entry = f"The file {shown}:\n{fenced(text)}"
        used = sum(len(item) for item in self.context)
        if used + len(entry) > output_limit():
            raise ToolError(
                f"{shown} does not fit in one message with what was read before: {len(entry)} characters, "
                f"{used} used, {output_limit()} allowed (CHAT_MAX_MESSAGE_CHARS)."
            )
        self.context.append(entry)
        return shown

    async def ask(self, question: str) -> str:
        """Answer `question`, running the tools the model calls; returns the final answer."""
        message = "\n\n".join([*self.context, question])
        self.context = []
        for step in range(conf.KCODE_MAX_STEPS + 1):
            answer = await self._reply(message)
            try:
                call = find_call(answer)
            except ToolError as exc:
                self.view.error(str(exc))
                message = failure_message("block", str(exc))
                continue
            if call is None:
                return answer
            if step == conf.KCODE_MAX_STEPS:
                break
            message = await self._run(call)
        raise StepLimit(f"Stopped: the model asked for more than {conf.KCODE_MAX_STEPS} tool calls (KCODE_MAX_STEPS).")

    async def _reply(self, message: str) -> str:
        request = ReplyRequest(
            user_id=self.user_id,
            message=message,
            task_type=self.task_type,
            conversation_id=self.conversation_id,
            conversation_kind=Conversation.KIND_CODE,
            system=system_prompt(self.workspace),
        )
        reply = await start_reply(request)
        self.conversation_id = reply.conversation_id
        try:
            with self.view.answer() as stream:
                async for piece in reply.tokens():
                    stream.feed(piece)
        except asyncio.CancelledError:
            reply.cancel()
            await reply.wait()  # the partial answer is stored before the next question
            raise
        done = await reply.wait()
        if reply.error is not None:
            raise reply.error
        return done["response"]

    async def _run(self, call: ToolCall) -> str:
        """Show and run one tool call; returns the message that reports it to the model."""
        tool = TOOLS[call.name]
        self.view.tool_call(call, full=tool.needs_permission)
        try:
            args = validate_args(tool, call.args)
            if tool.needs_permission and not await self.permission.allows(call.describe()):
                raise ToolError(f"The user did not allow it (permission mode {self.permission.mode}).")
            output = await tool.run(self.workspace, args)
        except (ToolError, OSError) as exc:
            self.view.error(str(exc))
            return failure_message(call.describe(), str(exc))
        self.view.tool_output(output)
        return result_message(call, output)
