"""A scripted OpenAI-compatible server for kcode tests: each request streams the next queued answer.

chat.llm.testing's fake server answers by fixed scenarios; kcode's tests need answers written
per step (tool calls, then a final answer), so this one is scripted by the test and runs in a
thread of the test process, where the test can also see what each request contained.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

from kulvex.testing import free_port

WAIT_LIMIT = 30  # seconds a gated answer waits for the test before going on anyway


@dataclass
class Answer:
    pieces: list  # str pieces, or threading.Event gates the stream waits for
    endless: bool = False


@dataclass
class Request:
    messages: list[dict]
    state: str = "streaming"
    closed: threading.Event = field(default_factory=threading.Event)

    @property
    def last(self) -> str:
        return self.messages[-1]["content"]


class ScriptedLLM:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.script: deque[Answer] = deque()
        self.requests: list[Request] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def answer(self, *pieces) -> None:
        """Queue an answer; a threading.Event among the pieces holds the stream until it is set."""
        self.script.append(Answer(list(pieces)))

    def endless(self) -> None:
        """Queue an answer that streams until the client closes the connection."""
        self.script.append(Answer([], endless=True))

    def backend(self, model: str = "scripted-coder") -> dict:
        return {"kind": "openai", "base_url": self.url, "model": model}

    def start(self) -> ScriptedLLM:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        record = Request(body["messages"])
        self.requests.append(record)
        answer = self.script.popleft() if self.script else Answer(["(nothing scripted)"])
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        try:
            await self._stream(response, answer, body.get("model", ""))
            record.state = "completed"
        except ConnectionError:
            record.state = "disconnected"
        finally:
            record.closed.set()
        return response

    async def _stream(self, response: web.StreamResponse, answer: Answer, model: str) -> None:
        def chunk(delta: dict, **extra) -> bytes:
            data = {"model": model, "choices": [{"index": 0, "delta": delta, **extra}]}
            return b"data: " + json.dumps(data).encode() + b"\n\n"

        for piece in answer.pieces:
            if isinstance(piece, threading.Event):
                await asyncio.to_thread(piece.wait, WAIT_LIMIT)
            else:
                await response.write(chunk({"content": piece}))
        tick = 0
        while answer.endless:
            tick += 1
            await response.write(chunk({"content": f"tick{tick} "}))
            await asyncio.sleep(0.02)  # a steady stream, not a flood
        await response.write(chunk({}, finish_reason="stop") + b"data: [DONE]\n\n")
        await response.write_eof()


def tool_block(tool: str, **args) -> str:
    """An answer asking kcode to run `tool` with `args`, as its system prompt tells models to."""
    return "```tool\n" + json.dumps({"tool": tool, "args": args}) + "\n```\n"
