"""The audit rows of voice sessions and turns, written from async code."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils import timezone

from .models import VoiceSession, VoiceTurn


@dataclass
class Turn:
    """One utterance and the reply to it; timings in milliseconds."""

    index: int
    transcript: str
    reply: str = ""
    stt_ms: float | None = None  # last audio of the utterance → transcript
    llm_ms: float | None = None  # transcript → reply complete
    first_sentence_ms: float | None = None  # transcript → first sentence of the reply
    first_audio_ms: float | None = None  # transcript → first voice:audio sent
    tts_ms: float | None = None  # synthesis time, all sentences
    error: str = ""


async def open_session(*, user_id: int, language: str, engine: str, sample_rate: int, address: str) -> int:
    row = await VoiceSession.objects.acreate(
        user_id=user_id, language=language, engine=engine, sample_rate=sample_rate, client_address=address
    )
    return row.pk


async def save_turn(session_id: int, turn: Turn, *, conversation_id: int | None, audio_seconds: float) -> None:
    await VoiceTurn.objects.acreate(session_id=session_id, **asdict(turn))
    await VoiceSession.objects.filter(pk=session_id).aupdate(
        turns=turn.index + 1, conversation_id=conversation_id, audio_seconds=audio_seconds
    )


async def close_session(session_id: int, *, reason: str, audio_seconds: float) -> None:
    await VoiceSession.objects.filter(pk=session_id, ended_at=None).aupdate(
        ended_at=timezone.now(), end_reason=reason, audio_seconds=audio_seconds
    )
