"""What a PTY prints: decoded, kept for replay, and delivered to the attached client in frames.

Output is decoded incrementally (a multibyte character split across reads survives; invalid
UTF-8 becomes U+FFFD). Small output (echo, prompts) goes out at once; after a large frame, the
next waits for the frame interval or a full frame, so bulk output travels in few large events.
Delivery waits for the client's transport to drain, and reading pauses while too much output
waits (flow control, as ttyd does): a slow client slows the program instead of growing memory.
"""

from __future__ import annotations

import asyncio
import codecs
import math
from collections import deque
from collections.abc import Awaitable, Callable

# A frame at least this large means output is flowing in bulk: the next one is coalesced.
BULK_BYTES = 1024


class Scrollback:
    """The last `limit` bytes of output, replayed on attach."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._chunks: deque[bytes] = deque()
        self._size = 0

    def append(self, data: bytes) -> None:
        self._chunks.append(data)
        self._size += len(data)
        while self._size - len(self._chunks[0]) >= self.limit:
            self._size -= len(self._chunks.popleft())

    def data(self) -> bytes:
        data = b"".join(self._chunks)[-self.limit :]
        start = 0
        while start < min(3, len(data)) and 0x80 <= data[start] < 0xC0:
            start += 1  # trimming may have cut a character in two
        return data[start:]


class OutputStream:
    """Feeds PTY output to a scrollback and, while a client is attached, to `deliver`."""

    def __init__(
        self,
        deliver: Callable[[str], Awaitable[None]],
        pause: Callable[[], None],
        resume: Callable[[], None],
        *,
        scrollback_bytes: int,
        frame_bytes: int,
        frame_interval: float,
        high_water: int,
    ) -> None:
        self._deliver = deliver
        self._pause, self._resume = pause, resume
        self.scrollback = Scrollback(scrollback_bytes)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._frame_bytes = frame_bytes
        self._interval = frame_interval
        self._high, self._low = high_water, high_water // 4
        self._pending = bytearray()  # read, not yet delivered
        self._paused = False
        self._attached = False
        self._closing = False
        self._wake = asyncio.Event()
        self._pump = asyncio.ensure_future(self._run())

    @property
    def paused(self) -> bool:
        """Whether reading is paused until the client takes what waits for it."""
        return self._paused

    def feed(self, data: bytes) -> None:
        self.scrollback.append(data)
        if self._attached:
            self._pending += data
            self._wake.set()
            if len(self._pending) >= self._high and not self._closing:
                self._paused = True
                self._pause()

    def attach(self) -> None:
        """Replay the scrollback, then go on live."""
        self._decoder.reset()
        self._pending = bytearray(self.scrollback.data())
        self._attached = True
        self._wake.set()

    def detach(self) -> None:
        self._attached = False
        self._pending.clear()
        self._resume_reading()

    async def close(self, timeout: float) -> None:
        """Deliver what is left (within `timeout`) and stop."""
        self._closing = True
        self._wake.set()
        try:
            await asyncio.wait_for(self._pump, timeout)
        except TimeoutError:
            pass

    def stop_flow_control(self) -> None:
        """While a session ends, read everything regardless of the client."""
        self._closing = True
        self._resume_reading()

    def _take(self) -> str:
        chunk = bytes(self._pending[: self._frame_bytes])
        del self._pending[: self._frame_bytes]
        return self._decoder.decode(chunk)

    def _resume_reading(self) -> None:
        if self._paused:
            self._paused = False
            self._resume()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last, last_size = -math.inf, 0
        while True:
            await self._wake.wait()
            if not self._pending:
                if self._closing:
                    tail = self._decoder.decode(b"", final=True)  # an unfinished character
                    if tail and self._attached:
                        await self._deliver(tail)
                    return
                self._wake.clear()
                continue
            wait = last + self._interval - loop.time()
            bulk = last_size >= BULK_BYTES and len(self._pending) < self._frame_bytes
            if wait > 0 and bulk and not self._closing:
                await asyncio.sleep(wait)
            frame = self._take()
            last, last_size = loop.time(), len(frame)
            if frame:
                await self._deliver(frame)
            if len(self._pending) <= self._low:
                self._resume_reading()
