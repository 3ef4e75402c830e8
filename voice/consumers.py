"""Socket.IO events of the voice area (see voice.pipeline for how a turn unfolds)."""

from __future__ import annotations

import asyncio
import logging

from django.conf import settings
from pydantic import Field

from kulvex.protocol import Client, Consumer, Empty, Payload, event, require_user

from . import stt
from .pipeline import in_thread
from .services import VoiceSessions

logger = logging.getLogger("voice")

LANGUAGE_TAG = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$"


class StartPayload(Payload):
    language: str | None = Field(default=None, max_length=35, pattern=LANGUAGE_TAG)
    engine: str = "vosk"
    sample_rate: int = 16000


class ChunkPayload(Payload):
    audio: str


class VoiceConsumer(Consumer):
    area = "voice"

    def __init__(self, sio) -> None:
        super().__init__(sio)
        self.sessions = VoiceSessions(sio)
        self._preloading: asyncio.Task | None = None

    @event("start", StartPayload)
    async def start(self, client: Client, payload: StartPayload) -> dict:
        session = await self.sessions.start(
            client,
            language=payload.language or settings.VOICE_DEFAULT_LANGUAGE,
            engine=payload.engine,
            sample_rate=payload.sample_rate,
        )
        return {
            "session_id": session.session_id,
            "sample_rate": session.sample_rate,
            "format": "pcm_s16le",
            "language": session.language,
        }

    @event("audio_chunk", ChunkPayload)
    async def audio_chunk(self, client: Client, payload: ChunkPayload) -> dict:
        require_user(client, "voice")
        return {"listening": await self.sessions.feed(client.sid, payload.audio)}

    @event("stop")
    async def stop(self, client: Client, payload: Empty) -> dict:
        require_user(client, "voice")
        session = self.sessions.get(client.sid)
        session.stop()
        return {"session_id": session.session_id}

    @event("playback_done")
    async def playback_done(self, client: Client, payload: Empty) -> dict:
        require_user(client, "voice")
        return {"listening": self.sessions.get(client.sid).playback_done()}

    async def disconnect(self, client: Client) -> None:
        await self.sessions.end(client.sid, "disconnect")

    async def startup(self) -> None:
        self._preloading = asyncio.create_task(self._preload())

    async def shutdown(self) -> None:
        if self._preloading is not None:
            self._preloading.cancel()
        await self.sessions.end_all("shutdown")

    async def _preload(self) -> None:
        """Load the usual models in the background so the first session does not wait for them."""
        for language in settings.VOICE_PRELOAD_LANGUAGES:
            try:
                await in_thread(stt.executor(), stt.load_model, language)
            except stt.ModelMissing as exc:
                logger.warning("%s", exc)
            except Exception:
                logger.exception("loading the vosk model for %r failed", language)
