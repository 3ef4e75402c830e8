"""The voice sessions of connected clients, one per connection: start, feed, stop, end."""

from __future__ import annotations

from django.conf import settings
from socketio import AsyncServer

from kulvex.protocol import Client, ProtocolError, require_user
from kulvex.roles import VIEWER

from . import records, stt
from .audio import decode_pcm
from .pipeline import LiveSession, in_thread

ENGINES = ("vosk",)


class VoiceSessions:
    def __init__(self, sio: AsyncServer) -> None:
        self.sio = sio
        self._live: dict[str, LiveSession] = {}
        self._opening: dict[str, int] = {}  # sid → user id while its session is being opened

    async def start(self, client: Client, *, language: str, engine: str, sample_rate: int) -> LiveSession:
        self._check_start(client, engine, sample_rate)
        self._opening[client.sid] = client.user_id
        try:
            recognizer = await self._recognizer(language, sample_rate)
            session_id = await records.open_session(
                user_id=client.user_id,
                language=language,
                engine=engine,
                sample_rate=sample_rate,
                address=client.address,
            )
        finally:
            del self._opening[client.sid]
        session = LiveSession(
            session_id=session_id,
            user_id=client.user_id,
            language=language,
            recognizer=recognizer,
            emit=lambda name, data: self.sio.emit(f"voice:{name}", data, to=client.sid),
            on_end=lambda reason: self.end(client.sid, reason, only=session),
        )
        self._live[client.sid] = session
        session.start()
        if not self.sio.manager.is_connected(client.sid, "/"):
            await self.end(client.sid, "disconnect")
        return session

    def get(self, sid: str) -> LiveSession:
        session = self._live.get(sid)
        if session is None:
            raise ProtocolError("no_session", "No voice session on this connection; send voice:start first.")
        return session

    async def feed(self, sid: str, audio: str) -> bool:
        """Take a chunk of base64 PCM; False when the gate drops it while the reply is spoken."""
        session = self.get(sid)
        pcm = decode_pcm(audio)
        try:
            return session.accept(pcm)
        except ProtocolError:
            await self.end(sid, "too_long")
            raise

    async def end(self, sid: str, reason: str, only: LiveSession | None = None) -> None:
        """End the session at once and close its row; `only` ends it if it is still that one."""
        session = self._live.get(sid)
        if session is None or (only is not None and session is not only):
            return
        del self._live[sid]
        await session.close()
        await records.close_session(session.session_id, reason=reason, audio_seconds=session.audio_seconds)
        await self.sio.emit("voice:ended", {"session_id": session.session_id, "reason": reason}, to=sid)

    async def end_all(self, reason: str) -> None:
        for sid in list(self._live):
            await self.end(sid, reason)

    def _check_start(self, client: Client, engine: str, sample_rate: int) -> None:
        require_user(client, "voice")
        if client.role == VIEWER:
            raise ProtocolError("forbidden", "Viewers have read-only access; voice writes conversations.")
        if client.sid in self._live or client.sid in self._opening:
            raise ProtocolError("session_active", "This connection already has a voice session; send voice:stop first.")
        if engine not in ENGINES:
            raise ProtocolError("unsupported_engine", f"Unknown engine {engine!r}; use one of {', '.join(ENGINES)}.")
        rates = settings.VOICE_SAMPLE_RATES
        if sample_rate not in rates:
            raise ProtocolError(
                "unsupported_sample_rate",
                f"sample_rate {sample_rate} is not supported; use one of {', '.join(map(str, rates))}.",
                supported=rates,
            )
        mine = [s for s in self._live.values() if s.user_id == client.user_id]
        opening = [uid for uid in self._opening.values() if uid == client.user_id]
        limit = settings.VOICE_MAX_SESSIONS_PER_USER
        if len(mine) + len(opening) >= limit:
            raise ProtocolError("too_many_sessions", f"You may have {limit} voice sessions at once.", limit=limit)

    async def _recognizer(self, language: str, sample_rate: int) -> stt.Recognizer:
        try:
            return await in_thread(stt.executor(), stt.open_recognizer, language, sample_rate)
        except stt.ModelMissing as exc:
            raise ProtocolError("model_missing", str(exc), language=exc.language) from None
