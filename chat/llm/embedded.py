"""llama.cpp in-process (xllamacpp), loaded once and shared by every request.

xllamacpp's `Server.handle_completions` blocks and streams through a callback, so each
generation runs in a worker thread and hands its chunks to the event loop; the callback
returning True stops llama.cpp at once, which is how a cancelled reply ends upstream.
`n_parallel` slots serve that many generations at once; further requests wait in llama.cpp's
queue.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.conf import settings

from . import model_file
from .base import Backend, BackendError, Outcome, Prompt, read_chunk
from .prompt import STOP_SEQUENCES, render_transcript

logger = logging.getLogger("chat.llm.embedded")

_END = object()


class EmbeddedBackend(Backend):
    kind = "embedded"

    def __init__(self, name: str, model: str = "", path: str = "", temperature: float | None = None) -> None:
        super().__init__(name, model or settings.LLM_EMBEDDED_MODEL_NAME, settings.LLM_EMBEDDED_CONTEXT)
        self.path = Path(path or settings.LLM_EMBEDDED_MODEL_PATH or model_file.bundled_path())
        self.temperature = settings.LLM_EMBEDDED_TEMPERATURE if temperature is None else temperature
        self.parallel = settings.LLM_EMBEDDED_PARALLEL
        self._server = None
        self._load_lock = threading.Lock()
        self._counts_lock = threading.Lock()
        self.active = 0
        self.stopped_early = 0
        # Blocked generations each hold a thread; a few more than the slots keeps the queue in llama.cpp.
        self._executor = ThreadPoolExecutor(max_workers=4 * self.parallel, thread_name_prefix="llama")

    async def startup(self) -> None:
        if settings.LLM_EMBEDDED_PRELOAD:
            asyncio.create_task(self._engine())

    async def stream(self, prompt: Prompt, outcome: Outcome) -> AsyncIterator[str]:
        engine = await self._engine()
        body = {
            "prompt": render_transcript(prompt.messages),
            "max_tokens": prompt.max_tokens,
            "stream": True,
            "stop": STOP_SEQUENCES,
            "temperature": self.temperature,
        }
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue = asyncio.Queue()
        stop = threading.Event()

        def on_chunk(chunk: dict) -> bool:
            loop.call_soon_threadsafe(chunks.put_nowait, chunk)
            return stop.is_set()

        job = loop.run_in_executor(self._executor, self._generate, engine, body, on_chunk, stop)
        job.add_done_callback(lambda _: chunks.put_nowait(_END))
        try:
            while (chunk := await chunks.get()) is not _END:
                if text := read_chunk(chunk, outcome).get("text"):
                    yield text
            if job.exception() is not None:
                raise BackendError(f"llama.cpp failed: {job.exception()}")
        finally:
            stop.set()

    def _generate(self, engine, body: dict, on_chunk: Callable[[dict], bool], stop: threading.Event) -> None:
        if stop.is_set():  # cancelled while queued for a thread
            return
        stopped = False

        def callback(chunk: dict) -> bool:
            nonlocal stopped
            stopped = on_chunk(chunk)
            return stopped

        self._count(active=1)
        try:
            engine.handle_completions(body, callback)
        finally:
            self._count(active=-1, stopped_early=int(stopped))

    def _count(self, active: int = 0, stopped_early: int = 0) -> None:
        with self._counts_lock:
            self.active += active
            self.stopped_early += stopped_early

    async def _engine(self):
        if self._server is not None:
            return self._server
        try:
            return await asyncio.to_thread(self._load)
        except Exception as exc:
            self.last_error = f"the model could not be loaded: {exc}"
            logger.exception("loading %s failed", self.path)
            raise BackendError(self.last_error) from exc

    def _load(self):
        with self._load_lock:
            if self._server is None:
                import xllamacpp

                self.prepare(lambda percent: logger.info("assembling the model: %d%%", percent))
                logger.info("loading %s (%d slots of %d tokens)", self.path.name, self.parallel, self.context_tokens)
                self._server = xllamacpp.Server(self._params(xllamacpp))
                logger.info("loaded %s", self.path.name)
        return self._server

    def prepare(self, progress: Callable[[int], None]) -> bool:
        """Assemble the bundled model if it is missing; True if it was. Blocking."""
        written = self.path == model_file.bundled_path() and model_file.assemble(self.path, progress)
        if not self.path.is_file():
            raise FileNotFoundError(f"no model file at {self.path}")
        return written

    def _params(self, xllamacpp):
        params = xllamacpp.CommonParams()
        params.model.path = str(self.path)
        params.n_parallel = self.parallel
        params.n_ctx = self.context_tokens * self.parallel
        params.cpuparams.n_threads = settings.LLM_EMBEDDED_THREADS
        params.cpuparams_batch.n_threads = settings.LLM_EMBEDDED_THREADS
        params.warmup = False
        params.verbosity = -1
        # xllamacpp also serves llama.cpp's HTTP API on loopback; a random port and a secret key
        # nobody learns keep it private to this process.
        params.port = 0
        params.api_keys = [secrets.token_urlsafe(32)]
        return params

    async def status(self) -> dict[str, Any]:
        if self._server is not None:
            state = "ok"
        elif self.last_error:
            state = "error"
        else:
            state = "not_loaded" if self.path.is_file() else "model_missing"
        return {
            "status": state,
            "slots": self.parallel,
            "active": self.active,
            "stopped_early": self.stopped_early,
            "last_error": self.last_error,
        }

    async def aclose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._server = None
