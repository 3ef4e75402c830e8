"""Audio payloads: base64 PCM in, WAV facts out."""

from __future__ import annotations

import base64
import binascii
import io
import wave
from dataclasses import dataclass

from kulvex.protocol import ProtocolError

SAMPLE_WIDTH = 2  # s16le


def decode_pcm(audio: str) -> bytes:
    """Mono signed 16-bit little-endian PCM from its base64 text."""
    try:
        pcm = base64.b64decode(audio, validate=True)
    except (binascii.Error, ValueError):
        raise ProtocolError("invalid_audio", "audio must be base64 of s16le PCM.") from None
    if not pcm:
        raise ProtocolError("invalid_audio", "audio is empty.")
    if len(pcm) % SAMPLE_WIDTH:
        raise ProtocolError("invalid_audio", f"audio has {len(pcm)} bytes; s16le samples are 2 bytes each.")
    return pcm


def pcm_seconds(pcm: bytes, sample_rate: int) -> float:
    return len(pcm) / SAMPLE_WIDTH / sample_rate


@dataclass(frozen=True)
class Wav:
    data: bytes
    sample_rate: int
    seconds: float

    @classmethod
    def parse(cls, data: bytes) -> Wav:
        """Raises wave.Error or EOFError when `data` is not a WAV file."""
        with wave.open(io.BytesIO(data)) as reader:
            rate = reader.getframerate()
            return cls(data, rate, reader.getnframes() / rate)

    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")
