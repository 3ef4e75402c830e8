"""An OpenAI-compatible server whose reply the test releases: it streams the first sentence, then
waits until `release()` before streaming the rest. Or it fails, when `failing` is set."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from kulvex.testing import free_port

FIRST = "Hello there. "
REST = ["This is ", "the rest. ", "Goodbye."]


def _event(data: dict) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def _delta(text: str) -> bytes:
    return _event({"model": "held", "choices": [{"index": 0, "delta": {"content": text}}]})


class HeldLLM:
    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.failing = False
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None

    def release(self) -> None:
        self._released.set()

    def hold(self) -> None:
        self._released.clear()

    async def start(self) -> HeldLLM:
        app = web.Application()
        app.router.add_get("/v1/models", self.models)
        app.router.add_post("/v1/chat/completions", self.completions)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "held"}]})

    async def completions(self, request: web.Request) -> web.StreamResponse:
        if self.failing:
            return web.json_response({"error": {"message": "failing on purpose"}}, status=503)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(_delta(FIRST))
        await self._released.wait()
        for piece in REST:
            await response.write(_delta(piece))
        final = {"model": "held", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        await response.write(_event(final) + b"data: [DONE]\n\n")
        await response.write_eof()
        return response
