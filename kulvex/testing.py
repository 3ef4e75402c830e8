"""Helpers to run the real server in a subprocess, for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def command_env(**overrides: str) -> dict[str, str]:
    """This process's environment for a child `manage.py`, plus `overrides`.

    The test process may allow sync ORM calls in its event loop; servers and commands never do.
    """
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(overrides)
    return env


def manage(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run `manage.py ARGS` to completion in a subprocess; `env` defaults to `command_env()`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env if env is not None else command_env(),
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def requires_redis():
    """A pytest mark skipping tests when no Redis answers on the local default port."""
    import pytest

    return pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")


class ServerProcess:
    """`uvicorn kulvex.asgi:application` on a free loopback port."""

    def __init__(self, env: dict[str, str], log_path: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = command_env(**env)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> ServerProcess:
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer /health within {timeout}s; see {self.log_path}")

    def stop(self, timeout: float = 20) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        return self.process.returncode

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class SocketClient:
    """A python-socketio AsyncClient that records every event it receives.

    `wait(event)` returns the next unread payload of that event, waiting up to `timeout`.
    """

    def __init__(self, url: str) -> None:
        import asyncio

        import socketio

        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self._events: dict[str, list] = {}
        self._read: dict[str, int] = {}
        self._changed = asyncio.Condition()
        self.sio.on("*", self._record)
        self.sio.on("connect_error", self._connect_error)

    async def _connect_error(self, data=None) -> None:
        await self._record("connect_error", data)

    async def _record(self, event: str, data=None) -> None:
        async with self._changed:
            self._events.setdefault(event, []).append(data)
            self._changed.notify_all()

    async def connect(self, token: str | None = None, headers: dict | None = None, **kwargs) -> SocketClient:
        auth = {"token": token} if token else None
        await self.sio.connect(
            self.url, auth=auth, headers=headers or {}, transports=["websocket"], wait_timeout=10, **kwargs
        )
        return self

    async def call(self, event: str, data=None, timeout: float = 10):
        return await self.sio.call(event, data, timeout=timeout)

    async def emit(self, event: str, data=None) -> None:
        await self.sio.emit(event, data)

    def received(self, event: str) -> list:
        return list(self._events.get(event, []))

    async def wait(self, event: str, timeout: float = 10, where=None):
        """The next unread `event` payload (matching `where`, if given)."""
        import asyncio

        async def next_one():
            async with self._changed:
                while True:
                    seen = self._events.get(event, [])
                    start = self._read.get(event, 0)
                    for index in range(start, len(seen)):
                        if where is None or where(seen[index]):
                            self._read[event] = index + 1
                            return seen[index]
                    if where is None:
                        self._read[event] = len(seen)
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(next_one(), timeout)
        except TimeoutError:
            seen = {name: len(items) for name, items in self._events.items()}
            errors = [item for name, items in self._events.items() if name.endswith(":error") for item in items]
            raise TimeoutError(f"no {event} within {timeout}s; received {seen}; errors {errors}") from None

    async def disconnect(self) -> None:
        await self.sio.disconnect()

    async def __aenter__(self) -> SocketClient:
        return self

    async def __aexit__(self, *exc) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


class AdminBrowser(httpx.Client):
    """A browser-like HTTP client logged in to the Django admin, carrying session and CSRF cookies."""

    def __init__(self, url: str, username: str, password: str) -> None:
        super().__init__(base_url=url, timeout=30)
        page = self.get("/admin/login/")
        response = self.post(
            "/admin/login/?next=/admin/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(page.text)},
        )
        if response.status_code != 302:
            raise AssertionError(f"admin login of {username!r} failed: {response.status_code}")

    def __enter__(self) -> AdminBrowser:
        return self  # already open: the login happened in __init__

    def submit(self, path: str, data: dict, files: dict | None = None, follow: bool = False) -> httpx.Response:
        """POST a form found at `path`, as the browser would after loading it."""
        page = self.get(path)
        page.raise_for_status()
        form = {**data, "csrfmiddlewaretoken": csrf_token(page.text)}
        return self.post(path, data=form, files=files, follow_redirects=follow)


def csrf_token(page: str) -> str:
    import re

    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise AssertionError("the page has no CSRF token")
    return match.group(1)


async def eventually(check, timeout: float = 15, interval: float = 0.05):
    """Poll `check()` (sync or async) until it returns something truthy, or fail after `timeout`.

    For state outside our events (another process, the database); events are awaited instead.
    """
    import asyncio
    import inspect

    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check}")
        await asyncio.sleep(interval)
