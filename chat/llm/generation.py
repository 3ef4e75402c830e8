"""One streamed reply: the first backend of a route that answers, with fallback and cancel."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from .base import Backend, BackendError, Outcome, Prompt

logger = logging.getLogger("chat.llm")


class Generation:
    """Runs in its own task from creation; iterate it for the text, `cancel()` to stop it.

    Pieces that arrive while the reader is busy are handed over joined, so a slow reader
    gets fewer, larger chunks instead of falling behind. `text` is everything produced.
    """

    def __init__(self, backends: list[Backend], prompt: Prompt) -> None:
        self.outcome = Outcome()
        self.started = time.monotonic()
        self.first_token_at: float | None = None
        self.finished_at: float | None = None
        self._parts: list[str] = []
        self._pending: list[str] = []
        self._ready = asyncio.Event()
        self._closed = False
        self._task = asyncio.create_task(self._run(backends, prompt))

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def first_token_ms(self) -> float | None:
        return None if self.first_token_at is None else (self.first_token_at - self.started) * 1000

    @property
    def duration_ms(self) -> float | None:
        return None if self.finished_at is None else (self.finished_at - self.started) * 1000

    def __aiter__(self) -> AsyncIterator[str]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[str]:
        while True:
            if self._pending:
                chunk = "".join(self._pending)
                self._pending.clear()
                yield chunk
            elif self._closed:
                return
            else:
                self._ready.clear()
                await self._ready.wait()

    def cancel(self) -> None:
        """Stop now, upstream included. Idempotent."""
        if not self._task.done():
            self._task.cancel()

    async def wait(self) -> Outcome:
        await asyncio.wait({self._task})
        return self.outcome

    def _push(self, piece: str) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.monotonic()
        self._parts.append(piece)
        self._pending.append(piece)
        self._ready.set()

    async def _run(self, backends: list[Backend], prompt: Prompt) -> None:
        try:
            self.outcome = await self._first_that_answers(backends, prompt)
        except asyncio.CancelledError:
            self.outcome.finish_reason = "cancelled"
        except BackendError as exc:
            self.outcome.finish_reason = "error"
            self.outcome.error = str(exc)
        finally:
            self.finished_at = time.monotonic()
            self._closed = True
            self._ready.set()

    async def _first_that_answers(self, backends: list[Backend], prompt: Prompt) -> Outcome:
        failures = []
        for backend in backends:
            outcome = Outcome(model=backend.model, backend=backend.name)
            self.outcome = outcome
            try:
                async with contextlib.aclosing(backend.stream(prompt, outcome)) as pieces:
                    async for piece in pieces:
                        self._push(piece)
                outcome.finish_reason = outcome.finish_reason or "stop"
                return outcome
            except Exception as exc:
                reason = _describe(exc)
                backend.last_error = reason
                if self.first_token_at is not None:
                    logger.warning("%s failed mid-reply: %s", backend.name, reason)
                    raise BackendError(f"{backend.name} failed mid-reply: {reason}") from exc
                logger.warning("%s failed before its first token: %s", backend.name, reason)
                failures.append(f"{backend.name}: {reason}")
        raise BackendError("no backend answered (" + "; ".join(failures) + ")")


def _describe(exc: Exception) -> str:
    if isinstance(exc, BackendError):
        return str(exc)
    logger.error("backend raised an unexpected error", exc_info=exc)
    return f"unexpected {type(exc).__name__}"
