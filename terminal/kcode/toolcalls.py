"""The text protocol of tool calls: models are text-in, text-out, so a call is a fenced block.

The model asks for a tool by ending its answer with

    ```tool
    {"tool": "read_file", "args": {"path": "notes.txt"}}
    ```

and gets the tool's output back as the next user message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .tools import TOOLS, clip
from .workspace import ToolError, Workspace

# The closing fence may be missing: a stop sequence can end the answer right after the JSON.
_TOOL_BLOCK = re.compile(
    r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*tool[ \t]*\n(?P<body>.*?)(?:^[ \t]*(?P=fence)[ \t]*$|\Z)", re.M | re.S
)
_BACKTICKS = re.compile(r"`{3,}")

SYSTEM_PROMPT = """\
You are kcode, a coding assistant. You work in the directory {root} and nothing outside it.
To use a tool, end your answer with one fenced block like this and wait for its result:
```tool
{{"tool": "read_file", "args": {{"path": "README.md"}}}}
```
Tools:
{tools}
Paths are relative to the working directory. The user approves write_file and run_shell.
The tool's output comes back in the next message. Answer without a tool block once you know the answer."""


@dataclass(frozen=True)
class ToolCall:
    name: str
    args: dict[str, Any]

    def describe(self) -> str:
        """One line: the name and each argument, long ones shortened (see `long_args`)."""
        shown = ", ".join(f"{key}={_short(value)}" for key, value in self.args.items())
        return f"{self.name}({shown})"

    def long_args(self) -> dict[str, str]:
        """The arguments `describe` had to shorten, in full, so the user sees what will run."""
        return {key: str(value) for key, value in self.args.items() if _short(value) != repr(value)}


def _short(value: Any, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def system_prompt(workspace: Workspace) -> str:
    tools = "\n".join(f"- {tool.usage()}" for tool in TOOLS.values())
    return SYSTEM_PROMPT.format(root=workspace.root, tools=tools)


def find_call(answer: str) -> ToolCall | None:
    """The tool call an answer ends with, if any; a malformed one raises ToolError."""
    match = _TOOL_BLOCK.search(answer)
    if match is None:
        return None
    try:
        data = json.loads(match["body"])
    except json.JSONDecodeError as exc:
        raise ToolError(f"The tool block is not valid JSON: {exc}.") from None
    if not isinstance(data, dict) or not isinstance(data.get("tool"), str):
        raise ToolError('The tool block must be one JSON object with "tool" and "args".')
    args = data.get("args", {})
    if not isinstance(args, dict):
        raise ToolError('"args" must be a JSON object.')
    if data["tool"] not in TOOLS:
        raise ToolError(f"There is no tool {data['tool']!r}; the tools are {', '.join(TOOLS)}.")
    return ToolCall(data["tool"], args)


def strip_call(answer: str) -> str:
    """The answer without its tool block, for display."""
    return _TOOL_BLOCK.sub("", answer).rstrip()


def fenced(text: str) -> str:
    """`text` in a code fence longer than any backtick run inside it."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}\n{text.removesuffix(chr(10))}\n{fence}"


def result_message(call: ToolCall, output: str) -> str:
    return f"Result of {call.describe()}:\n{fenced(clip(output))}"


def failure_message(name: str, reason: str) -> str:
    return f"The tool call {name} failed: {reason}"
