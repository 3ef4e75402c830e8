"""Real speech through the real server: Korean audio in, transcript, reply and spoken audio out."""

from __future__ import annotations

import base64
import io
import re
import wave

import pytest

from chat.models import Conversation
from kulvex.testing import eventually
from voice.models import VoiceSession, VoiceTurn

from .conftest import chunks, silence

pytestmark = pytest.mark.asyncio

HANGUL = re.compile(r"[\uac00-\ud7a3]")
TURN_TIMEOUT = 120  # a reply from the embedded model on a busy 2-core machine


async def start(client, **payload) -> dict:
    ack = await client.call("voice:start", payload)
    assert ack["ok"] is True, ack
    return ack


async def stream(client, pcm: bytes) -> None:
    for chunk in chunks(pcm):
        await client.emit("voice:audio_chunk", {"audio": chunk})


def decode_wav(event: dict) -> tuple[int, float]:
    """The rate and seconds of a voice:audio payload, checking it is a WAV at the stated rate."""
    assert event["format"] == "wav"
    data = base64.b64decode(event["audio"], validate=True)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    with wave.open(io.BytesIO(data)) as reader:
        assert reader.getframerate() == event["sample_rate"]
        assert reader.getnchannels() == 1
        return reader.getframerate(), reader.getnframes() / reader.getframerate()


async def whole_reply(client, turn: int) -> tuple[dict, list[dict]]:
    """The turn's voice:response and all its voice:audio."""
    response = await client.wait("voice:response", timeout=TURN_TIMEOUT, where=lambda e: e["turn"] == turn)
    audio = [
        await client.wait("voice:audio", timeout=TURN_TIMEOUT, where=lambda e: e["turn"] == turn)
        for _ in range(response["audio_parts"])
    ]
    return response, audio


async def test_korean_speech_round_trip(connect, make_account, korean_speech):
    account = make_account()
    client = await connect(account)
    ack = await start(client, language="ko", sample_rate=16000)
    assert ack["sample_rate"] == 16000 and ack["format"] == "pcm_s16le" and ack["language"] == "ko"

    # Speech then silence: vosk's endpoint ends the utterance.
    await stream(client, korean_speech + silence(1.0))
    transcript = await client.wait("voice:transcript", timeout=60)
    assert transcript["language"] == "ko"
    assert HANGUL.search(transcript["text"]), transcript
    partials = [p["text"] for p in client.received("voice:partial")]
    assert partials and all(HANGUL.search(p) for p in partials)
    assert all(a != b for a, b in zip(partials, partials[1:], strict=False)), "partials repeat"

    # The gate: audio arriving while the reply is spoken is not a new utterance.
    assert await client.call("voice:audio_chunk", {"audio": chunks(silence(0.1))[0]}) == {
        "ok": True,
        "listening": False,
    }
    response, audio = await whole_reply(client, transcript["turn"])
    assert response["text"].strip()
    assert audio, "the reply was not spoken"
    assert [a["index"] for a in audio] == list(range(len(audio)))
    for event in audio:
        rate, seconds = decode_wav(event)
        assert rate == 22050 and seconds > 0
    assert await client.call("voice:playback_done", {}) == {"ok": True, "listening": True}
    assert await client.call("voice:audio_chunk", {"audio": chunks(silence(0.1))[0]}) == {
        "ok": True,
        "listening": True,
    }
    assert len(client.received("voice:transcript")) == 1

    # The audit rows and the voice conversation.
    turn = await eventually(
        lambda: VoiceTurn.objects.filter(session_id=ack["session_id"], index=transcript["turn"]).afirst()
    )
    assert turn.transcript == transcript["text"]
    assert turn.reply == response["text"]
    assert turn.error == ""
    assert None not in (turn.stt_ms, turn.llm_ms, turn.first_sentence_ms, turn.first_audio_ms, turn.tts_ms)
    row = await VoiceSession.objects.aget(pk=ack["session_id"])
    assert row.turns == 1 and row.conversation_id == response["conversation_id"]
    conversation = await Conversation.objects.aget(pk=response["conversation_id"])
    assert conversation.kind == "voice" and conversation.owner_id == account.user.pk
    messages = [(m.role, m.content) async for m in conversation.messages.order_by("created_at", "id")]
    assert messages[-2:] == [("user", transcript["text"]), ("assistant", response["text"])]

    assert (await client.call("voice:stop", {}))["ok"] is True
    assert await client.wait("voice:ended", timeout=30) == {"session_id": ack["session_id"], "reason": "stop"}
    row = await VoiceSession.objects.aget(pk=ack["session_id"])
    assert row.end_reason == "stop" and row.ended_at is not None and row.audio_seconds > 3


async def test_stop_finishes_the_utterance_then_ends(connect, make_account, korean_speech):
    client = await connect(make_account())
    session_id = (await start(client))["session_id"]
    await stream(client, korean_speech)  # no trailing silence: no endpoint, the stop ends it
    assert await client.call("voice:stop", {}) == {"ok": True, "session_id": session_id}
    transcript = await client.wait("voice:transcript", timeout=60)
    assert HANGUL.search(transcript["text"])
    response, audio = await whole_reply(client, transcript["turn"])
    assert response["text"].strip() and audio
    assert await client.wait("voice:ended", timeout=30) == {"session_id": session_id, "reason": "stop"}
    await eventually(lambda: VoiceSession.objects.filter(pk=session_id, end_reason="stop", turns=1).aexists())
