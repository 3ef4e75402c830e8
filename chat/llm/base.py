"""What every LLM backend provides, and the errors the router acts on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar

from kulvex.protocol import ProtocolError


class BackendError(Exception):
    """A backend could not produce (the rest of) a reply.

    Raised before the first token, the router tries the route's next backend.
    """


class UnknownTaskType(ProtocolError):
    def __init__(self, task_type: str, valid: list[str]) -> None:
        super().__init__(
            "unknown_task_type",
            f"Unknown task_type {task_type!r}; use one of: {', '.join(valid)}.",
            valid=valid,
        )


@dataclass
class Prompt:
    """What to generate from: OpenAI-style messages [{role, content}] and a token budget."""

    messages: list[dict[str, str]]
    max_tokens: int


@dataclass
class Outcome:
    """How a generation ended; filled in by the backend as it streams."""

    model: str = ""
    backend: str = ""
    finish_reason: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    error: str = ""


class Backend:
    kind: ClassVar[str]

    def __init__(self, name: str, model: str, context_tokens: int) -> None:
        self.name = name
        self.model = model
        self.context_tokens = context_tokens
        self.last_error = ""

    def stream(self, prompt: Prompt, outcome: Outcome) -> AsyncIterator[str]:
        """Yield the reply's text pieces in order and fill `outcome`; raise BackendError on failure.

        Closing the iterator, or cancelling the task that iterates it, stops the upstream
        generation at once.
        """
        raise NotImplementedError

    async def status(self) -> dict[str, Any]:
        """Current health, `{"status": "ok" | ..., ...}`."""
        raise NotImplementedError

    async def startup(self) -> None:
        """Called when the server starts."""

    async def aclose(self) -> None:
        """Release connections, threads and models."""

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "model": self.model, "context_tokens": self.context_tokens}


def read_chunk(chunk: dict, outcome: Outcome) -> dict:
    """Record an OpenAI-style stream chunk's usage and finish reason; return its first choice."""
    if "error" in chunk:
        error = chunk["error"]
        raise BackendError(error.get("message", "upstream error") if isinstance(error, dict) else str(error))
    if usage := chunk.get("usage"):
        outcome.prompt_tokens = usage.get("prompt_tokens")
        outcome.completion_tokens = usage.get("completion_tokens")
    choice = (chunk.get("choices") or [{}])[0]
    if reason := choice.get("finish_reason"):
        outcome.finish_reason = reason
    return choice
