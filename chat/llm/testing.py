"""A scriptable OpenAI-compatible server, for tests and benchmarks of the router.

    python -m chat.llm.testing --port 8001

Each backend gets its behaviour from the first path segment of its base URL,
`http://127.0.0.1:8001/<scenario>/v1`:

* `ok`: streams "Echo: <last user message>" word by word;
* `slow`: streams 400 words, one every 20 ms;
* `burst`: streams N words as fast as it can, one event each, N being the last user message;
* `ragged`: like `ok`, with CRLF line ends, comment lines, each JSON split over two `data:`
  lines, written a few bytes at a time;
* `midfail`: streams three words, then drops the connection;
* `hang`: never answers;
* `fail503`, `fail429`: answer with that status.

`GET /_requests` lists the requests received (messages, and whether each stream `completed`,
`failed` or saw the client `disconnected`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

import httpx
from aiohttp import web

from kulvex.testing import BASE_DIR, free_port

SLOW_WORDS, SLOW_INTERVAL = 400, 0.02


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: deque[dict] = deque(maxlen=1000)
        self.ids = itertools.count(1)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/_requests", self.list_requests)
        app.router.add_get("/{scenario}/v1/models", self.models)
        app.router.add_post("/{scenario}/v1/chat/completions", self.completions)
        return app

    async def list_requests(self, request: web.Request) -> web.Response:
        return web.json_response(list(self.requests))

    async def models(self, request: web.Request) -> web.Response:
        status = _failure_status(request.match_info["scenario"]) or 200
        return web.json_response({"object": "list", "data": [{"id": "fake"}]}, status=status)

    async def completions(self, request: web.Request) -> web.StreamResponse:
        scenario = request.match_info["scenario"]
        body = await request.json()
        record = {"id": next(self.ids), "scenario": scenario, "state": "received", **_summary(body)}
        self.requests.append(record)
        if status := _failure_status(scenario):
            record["state"] = "failed"
            return web.json_response({"error": {"message": f"scenario {scenario}"}}, status=status)
        if scenario == "hang":
            await asyncio.sleep(3600)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        record["state"] = "streaming"
        try:
            await self._stream(request, response, scenario, body, record)
        except ConnectionError:
            record["state"] = "disconnected"
        return response

    async def _stream(
        self, request: web.Request, response: web.StreamResponse, scenario: str, body: dict, record: dict
    ) -> None:
        model = body.get("model", "fake")
        for word in _words(scenario, body):
            if scenario == "midfail" and record["words"] == 3:
                record["state"] = "dropped"
                request.transport.close()
                return
            await self._write(
                response, scenario, {"model": model, "choices": [{"index": 0, "delta": {"content": word}}]}
            )
            record["words"] += 1
            if scenario == "slow":
                await asyncio.sleep(SLOW_INTERVAL)
        usage = {"prompt_tokens": 7, "completion_tokens": record["words"]}
        final = {"model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": usage}
        await self._write(response, scenario, final)
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        record["state"] = "completed"

    async def _write(self, response: web.StreamResponse, scenario: str, data: dict) -> None:
        if scenario != "ragged":
            await response.write(b"data: " + json.dumps(data).encode() + b"\n\n")
            return
        head, _, tail = json.dumps(data).encode().partition(b", ")
        event = b": keep-alive\r\ndata: " + head + b",\r\ndata: " + tail + b"\r\n\r\n"
        for start in range(0, len(event), 5):
            await response.write(event[start : start + 5])
            await asyncio.sleep(0.001)


def _failure_status(scenario: str) -> int | None:
    return int(scenario[4:]) if scenario.startswith("fail") and scenario[4:].isdigit() else None


def _summary(body: dict) -> dict:
    return {key: body.get(key) for key in ("model", "messages", "max_tokens")} | {"words": 0}


def _words(scenario: str, body: dict) -> list[str]:
    last = next((m["content"] for m in reversed(body.get("messages", [])) if m["role"] == "user"), "")
    if scenario == "slow":
        return [f"tick{i} " for i in range(SLOW_WORDS)]
    if scenario == "burst":
        return [f"w{i} " for i in range(int(last) if last.isdigit() else 16)]
    if scenario == "midfail":
        return [f"w{i} " for i in range(10)]
    return [word + " " for word in f"Echo: {last}".split()]


class FakeOpenAIProcess:
    """The fake server in a subprocess on a free loopback port."""

    def __init__(self, log_path: Path | None = None) -> None:
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def base_url(self, scenario: str) -> str:
        return f"{self.root}/{scenario}/v1"

    def requests(self) -> list[dict]:
        return httpx.get(f"{self.root}/_requests", timeout=5).json()

    def start(self, timeout: float = 20) -> FakeOpenAIProcess:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chat.llm.testing", "--port", str(self.port)],
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.requests()
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the fake OpenAI server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> FakeOpenAIProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    web.run_app(FakeOpenAI().app(), host="127.0.0.1", port=args.port, print=None, access_log=None, shutdown_timeout=1)


if __name__ == "__main__":
    main()
