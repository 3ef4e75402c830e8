"""Any OpenAI-compatible server (llama.cpp `llama-server`, Ollama, vLLM, LM Studio, OpenAI),
streamed over server-sent events.

aiohttp rather than httpx: these servers send every token as its own HTTP chunk, and httpx's
pure-Python HTTP/1.1 parser spends about as much CPU per chunk as a whole Node relay spends per
token; aiohttp's C parser hands over everything buffered at once (see docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from django.conf import settings

from .base import Backend, BackendError, Outcome, Prompt, read_chunk
from .sse import EventStream


class OpenAIBackend(Backend):
    kind = "openai"

    def __init__(
        self,
        name: str,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float | None = None,
        context_tokens: int = 8192,
        temperature: float | None = None,
    ) -> None:
        super().__init__(name, model, context_tokens)
        self.base_url = base_url.rstrip("/")
        self.temperature = temperature
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        seconds = settings.LLM_TIMEOUT if timeout is None else timeout
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=min(seconds, 10.0), sock_read=seconds)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        # A session belongs to one event loop; a command line running one loop per question gets a new one.
        if self._session is None or self._session._loop is not asyncio.get_running_loop():  # noqa: SLF001
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        return self._session

    def _body(self, prompt: Prompt) -> dict[str, Any]:
        body = {
            "model": self.model,
            "messages": prompt.messages,
            "max_tokens": prompt.max_tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if self.temperature is not None:
            body["temperature"] = self.temperature
        return body

    async def stream(self, prompt: Prompt, outcome: Outcome) -> AsyncIterator[str]:
        try:
            async with self._http().post(f"{self.base_url}/chat/completions", json=self._body(prompt)) as response:
                if response.status != 200:
                    raise BackendError(f"HTTP {response.status}")
                events = EventStream()
                try:
                    async for data in response.content.iter_any():
                        if text := "".join(_read(chunk, outcome) for chunk in events.feed(data)):
                            yield text
                        if events.done:
                            break
                finally:
                    if not events.done:  # never pool a connection with a reply still streaming
                        response.close()
                await _finish_body(response)
        except TimeoutError as exc:
            raise BackendError("timed out") from exc
        except aiohttp.ClientError as exc:
            raise BackendError(type(exc).__name__) from exc
        except ValueError as exc:
            raise BackendError("malformed event stream") from exc

    async def status(self) -> dict[str, Any]:
        try:
            async with self._http().get(f"{self.base_url}/models", timeout=aiohttp.ClientTimeout(total=3)) as response:
                state = "ok" if response.status == 200 else "error"
                return {"status": state, "detail": f"HTTP {response.status}", "last_error": self.last_error}
        except (TimeoutError, aiohttp.ClientError) as exc:
            return {"status": "unreachable", "detail": type(exc).__name__, "last_error": self.last_error}

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _finish_body(response: aiohttp.ClientResponse) -> None:
    """Read what follows [DONE] (the end of the chunked body) so the connection can be reused."""
    try:
        async with asyncio.timeout(0.5):
            await response.read()
    except TimeoutError:
        response.close()


def _read(chunk: dict, outcome: Outcome) -> str:
    outcome.model = chunk.get("model") or outcome.model
    return (read_chunk(chunk, outcome).get("delta") or {}).get("content") or ""
