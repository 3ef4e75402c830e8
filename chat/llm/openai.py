"""Any OpenAI-compatible server (llama.cpp `llama-server`, Ollama, vLLM, LM Studio, OpenAI),
streamed over server-sent events with httpx.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from django.conf import settings

from .base import Backend, BackendError, Outcome, Prompt, read_chunk


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
        self._timeout = httpx.Timeout(seconds, connect=min(seconds, 10.0))
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.base_url, headers=self._headers, timeout=self._timeout)
        return self._client

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
            async with self._http().stream("POST", "/chat/completions", json=self._body(prompt)) as response:
                if response.status_code != 200:
                    raise BackendError(f"HTTP {response.status_code}")
                async for line in response.aiter_lines():
                    data = line[5:].strip() if line.startswith("data:") else ""
                    if data == "[DONE]":
                        return
                    if data and (text := _read(json.loads(data), outcome)):
                        yield text
        except httpx.TimeoutException as exc:
            raise BackendError(f"timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise BackendError(f"{type(exc).__name__}: {exc}") from exc
        except ValueError as exc:
            raise BackendError("malformed event stream") from exc

    def status(self) -> dict[str, Any]:
        try:
            response = httpx.get(f"{self.base_url}/models", headers=self._headers, timeout=3)
        except httpx.HTTPError as exc:
            return {"status": "unreachable", "detail": type(exc).__name__, "last_error": self.last_error}
        state = "ok" if response.status_code == 200 else "error"
        return {"status": state, "detail": f"HTTP {response.status_code}", "last_error": self.last_error}

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _read(chunk: dict, outcome: Outcome) -> str:
    outcome.model = chunk.get("model") or outcome.model
    return (read_chunk(chunk, outcome).get("delta") or {}).get("content") or ""
