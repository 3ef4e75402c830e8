"""Voice tests: a server with small limits, and real speech made by espeak-ng."""

from __future__ import annotations

import base64
import subprocess

import pytest
import pytest_asyncio

from kulvex.testing import SocketClient

RATE = 16000
CHUNK_BYTES = RATE // 10 * 2  # 100 ms of s16le mono
MAX_SESSION_SECONDS = 6
MAX_SESSIONS_PER_USER = 2


@pytest.fixture(scope="package")
def server(start_server):
    return start_server(
        {
            "VOICE_MAX_SESSION_SECONDS": str(MAX_SESSION_SECONDS),
            "VOICE_MAX_SESSIONS_PER_USER": str(MAX_SESSIONS_PER_USER),
            "VOICE_MAX_REPLY_TOKENS": "40",  # the test checks a reply is spoken, not how long it is
        },
        name="voice",
    )


def speak(text: str, language: str, directory) -> bytes:
    """`text` spoken by espeak-ng, as 16 kHz mono s16le PCM (converted by sox)."""
    wav = directory / f"{abs(hash(text))}.wav"
    subprocess.run(["espeak-ng", "-v", language, "-w", str(wav), text], check=True)
    converted = subprocess.run(
        ["sox", str(wav), "-t", "raw", "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer", "-L", "-"],
        check=True,
        capture_output=True,
    )
    return converted.stdout


def silence(seconds: float, rate: int = RATE) -> bytes:
    return bytes(int(seconds * rate) * 2)


def b64(pcm: bytes) -> str:
    return base64.b64encode(pcm).decode()


def chunks(pcm: bytes, size: int = CHUNK_BYTES) -> list[str]:
    """`pcm` cut into base64 chunks of 100 ms."""
    return [b64(pcm[i : i + size]) for i in range(0, len(pcm), size)]


@pytest.fixture(scope="package")
def korean_speech(tmp_path_factory) -> bytes:
    return speak("안녕하세요. 오늘 날씨가 좋네요.", "ko", tmp_path_factory.mktemp("speech"))


@pytest_asyncio.fixture
async def connect(server):
    """Open Socket.IO connections (as an account, or anonymous); all are closed afterwards."""
    opened: list[SocketClient] = []

    async def open_one(account=None) -> SocketClient:
        client = await SocketClient(server.url).connect(token=account.token if account else None)
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        if client.sio.connected:
            await client.disconnect()
