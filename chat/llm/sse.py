"""Server-sent events carrying JSON, parsed incrementally (OpenAI-style streams).

Each network read can hold many events; their JSON is parsed in a single call, which keeps the
cost per token low when a fast backend streams thousands of tokens a second.
"""

from __future__ import annotations

import json
from typing import Any


class EventStream:
    def __init__(self) -> None:
        self._pending = b""
        self.done = False  # "[DONE]" arrived

    def feed(self, data: bytes) -> list[Any]:
        """The payloads of the events that `data` completes, in order."""
        buffer = (self._pending + data).replace(b"\r\n", b"\n")
        end = buffer.rfind(b"\n\n")
        if end < 0:
            self._pending = buffer
            return []
        self._pending = buffer[end + 2 :]
        payloads = []
        for event in buffer[:end].split(b"\n\n"):
            payload = b"\n".join(_value(line) for line in event.split(b"\n") if line.startswith(b"data:"))
            if payload == b"[DONE]":
                self.done = True
                break
            if payload:
                payloads.append(payload)
        return json.loads(b"[" + b",".join(payloads) + b"]") if payloads else []


def _value(line: bytes) -> bytes:
    return line[6:] if line.startswith(b"data: ") else line[5:]
