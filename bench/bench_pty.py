"""Terminal: what the server adds to a PTY, measured side by side in one run.

* keystroke echo: one character typed into bash (readline echoes it back), round trip as a
  python-socketio client sees it through the server, against writing to and reading from the
  same kind of PTY directly in this process;
* `cat` of a large file: throughput to the client through the server (decoding, framing,
  Socket.IO, the client's parsing), against reading the PTY directly in this process.

Both shells run `bash --login --noprofile --norc`, so no dotfile decides the numbers.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHELL = ["bash", "--login", "--noprofile", "--norc"]
KEYSTROKES = 300
FILE_BYTES = 32 * 1024 * 1024
RUNS = 3
USERNAME = "bench-pty"
PASSWORD = "bench-pty-password-9"
PROMPT = "$ "


def big_file(directory: Path) -> Path:
    path = directory / "big.txt"
    line = "".join(chr(ord("a") + i % 26) for i in range(79)) + "\n"
    path.write_text(line * (FILE_BYTES // len(line)))
    return path


def keys():
    """Printable characters to type; every 40, Ctrl-U clears the line so it never wraps."""
    for index in range(KEYSTROKES):
        yield chr(ord("a") + index % 26), index % 40 == 39


# --- a PTY in this process ----------------------------------------------------------------------


class DirectPty:
    def __init__(self, argv: list[str]) -> None:
        from ptyprocess import PtyProcess

        env = {**os.environ, "TERM": "xterm-256color", "PS1": PROMPT}
        self.process = PtyProcess.spawn(argv, env=env, dimensions=(24, 80))

    def read_until(self, needle: bytes) -> bytes:
        seen = b""
        while needle not in seen:
            seen += os.read(self.process.fd, 65536)
        return seen

    def close(self) -> None:
        self.process.terminate(force=True)


def direct_echo() -> list[float]:
    pty = DirectPty(SHELL)
    pty.read_until(PROMPT.encode())
    samples = []
    for key, clear in keys():
        started = time.perf_counter()
        os.write(pty.process.fd, key.encode())
        pty.read_until(key.encode())
        samples.append(time.perf_counter() - started)
        if clear:
            os.write(pty.process.fd, b"\x15echo CLEARED-$((1+1))\r")
            pty.read_until(b"CLEARED-2")
    pty.close()
    return samples


def direct_cat(path: Path) -> float:
    pty = DirectPty(["cat", str(path)])
    received, started = 0, time.perf_counter()
    while True:
        try:
            data = os.read(pty.process.fd, 65536)
        except OSError:  # EIO: cat is done and gone
            break
        if not data:
            break
        received += len(data)
    elapsed = time.perf_counter() - started
    pty.close()
    return received / elapsed


# --- the same through the server ----------------------------------------------------------------


class ServerPty:
    def __init__(self, client, session_id: str) -> None:
        self.client = client
        self.id = session_id
        self.chunks: list[str] = []

    @classmethod
    async def open(cls, client) -> ServerPty:
        ack = await client.call("terminal:create", {"cols": 80, "rows": 24})
        pty = cls(client, ack["session_id"])
        await pty.type(f"PS1='{PROMPT}'\n")
        await pty.read_until(PROMPT)
        return pty

    async def type(self, text: str) -> None:
        await self.client.emit("terminal:data", {"session_id": self.id, "data": text})

    async def read_until(self, needle: str) -> None:
        tail = ""
        while needle not in tail:
            event = await self.client.wait("terminal:data", 30, where=lambda d: d["session_id"] == self.id)
            self.chunks.append(event["data"])
            tail = tail[-len(needle) :] + event["data"]

    def output(self) -> str:
        return "".join(self.chunks)

    def forget(self) -> None:
        self.chunks = []


async def server_echo(url: str, token: str) -> list[float]:
    from kulvex.testing import SocketClient

    async with await SocketClient(url).connect(token) as client:
        pty = await ServerPty.open(client)
        samples = []
        for key, clear in keys():
            pty.forget()
            started = time.perf_counter()
            await pty.type(key)
            await pty.read_until(key)
            samples.append(time.perf_counter() - started)
            if clear:
                await pty.type("\x15echo CLEARED-$((1+1))\r")
                await pty.read_until("CLEARED-2")
        await client.call("terminal:destroy", {"session_id": pty.id})
    return samples


async def server_cat(url: str, token: str, path: Path) -> tuple[float, int]:
    from kulvex.testing import SocketClient

    async with await SocketClient(url).connect(token) as client:
        pty = await ServerPty.open(client)
        await pty.type("stty -echo\n")
        await pty.read_until(PROMPT)
        pty.forget()
        started = time.perf_counter()
        await pty.type(f"cat {path}; echo END-$((2+2))\n")
        await pty.read_until("END-4")
        elapsed = time.perf_counter() - started
        received = len(pty.output().split("END-4", 1)[0].encode())
        frames = len(pty.chunks)
        await client.call("terminal:destroy", {"session_id": pty.id})
    return received / elapsed, frames


# --- the report ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kulvex.settings")
    from kulvex.testing import ServerProcess

    from .scratch import scratch_env, user_token

    tmp = Path(tempfile.mkdtemp(prefix="kulvex-bench-pty-"))
    env = scratch_env(tmp, TERMINAL_SHELL=" ".join(SHELL))
    token = user_token(env, USERNAME, PASSWORD, role="admin")
    path = big_file(tmp)

    echo = {"direct": [], "server": []}
    cat = {"direct": [], "server": []}
    frames = []
    with ServerProcess(env, tmp / "server.log") as server:
        for _ in range(RUNS):  # interleaved, so both sides see the same machine load
            echo["direct"] += direct_echo()
            echo["server"] += asyncio.run(server_echo(server.url, token))
            cat["direct"].append(direct_cat(path))
            rate, count = asyncio.run(server_cat(server.url, token, path))
            cat["server"].append(rate)
            frames.append(count)

    def ms(values, share):
        return f"{percentile(values, share) * 1000:.2f} ms"

    direct_rate = statistics.median(cat["direct"]) / 1e6
    server_rate = statistics.median(cat["server"]) / 1e6
    echo_p50 = percentile(echo["server"], 0.5) * 1000
    rows = [
        ("measure", "PTY read directly", "through the server", "ratio", "target"),
        ("---",) * 5,
        (
            f"keystroke echo p50 ({KEYSTROKES * RUNS} keys)",
            ms(echo["direct"], 0.5),
            ms(echo["server"], 0.5),
            f"+{echo_p50 - percentile(echo['direct'], 0.5) * 1000:.2f} ms",
            f"< 3 ms: {'met' if echo_p50 < 3 else 'missed'}",
        ),
        ("keystroke echo p95", ms(echo["direct"], 0.95), ms(echo["server"], 0.95), "", ""),
        (
            f"`cat` of {FILE_BYTES // 2**20} MiB (median of {RUNS})",
            f"{direct_rate:.1f} MB/s",
            f"{server_rate:.1f} MB/s",
            f"{server_rate / direct_rate:.2f}",
            f"≥ 0.5: {'met' if server_rate >= direct_rate / 2 else 'missed'}",
        ),
    ]
    table = "\n".join("| " + " | ".join(row) + " |" for row in rows)
    mean_frame = FILE_BYTES / statistics.median(frames) / 1024
    return f"""## Terminal (PTY)

`python bench/run.py pty` — bash (`{" ".join(SHELL)}`) in a PTY, 80×24, on loopback; the client
is python-socketio's `AsyncClient` in the benchmark process; {os.cpu_count()} CPU cores.
"Directly" is the same kind of PTY spawned with ptyprocess and read with `os.read` in this
process, in the same run, interleaved with the server runs.

{table}

Through the server, the `cat` output arrived in {statistics.median(frames):.0f} `terminal:data` events
(≈ {mean_frame:.0f} KiB each; the kernel hands out at most 4 KiB per PTY read).
"""


if __name__ == "__main__":
    print(run())
