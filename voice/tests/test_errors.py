"""Bad voice input: each gets voice:error with its code and a failed ack; nothing else breaks."""

from __future__ import annotations

import base64

import pytest
import pytest_asyncio
from django.conf import settings

from kulvex.testing import eventually
from voice.models import VoiceSession

from .conftest import MAX_SESSION_SECONDS, MAX_SESSIONS_PER_USER, b64, chunks, silence

pytestmark = pytest.mark.asyncio


def assert_refused(ack: dict, code: str) -> None:
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == code, ack
    assert ack["error"]["message"]


async def refused(client, event: str, data: dict | None, code: str) -> dict:
    """Send `event`, expect `code` in the ack and in a voice:error; return the error event."""
    assert_refused(await client.call(event, data), code)
    return await client.wait("voice:error", where=lambda e: e["code"] == code)


async def start(client, **payload) -> dict:
    ack = await client.call("voice:start", payload)
    assert ack["ok"] is True, ack
    return ack


async def still_working(client) -> None:
    """The connection survived: it answers, and a session on it (or a new one) takes audio."""
    assert client.sio.connected
    ack = await client.call("voice:audio_chunk", {"audio": chunks(silence(0.1))[0]})
    if not ack["ok"] and ack["error"]["code"] == "no_session":
        await start(client)
        ack = await client.call("voice:audio_chunk", {"audio": chunks(silence(0.1))[0]})
    assert ack == {"ok": True, "listening": True}


@pytest_asyncio.fixture
async def bystander(connect, make_account):
    """Another user's live session, which must keep working whatever the others send."""
    client = await connect(make_account())
    await start(client)
    return client


async def test_anonymous_connections_cannot_use_voice(connect, bystander):
    client = await connect()
    await refused(client, "voice:start", {}, "unauthenticated")
    await refused(client, "voice:audio_chunk", {"audio": chunks(silence(0.1))[0]}, "unauthenticated")
    assert client.sio.connected
    await still_working(bystander)


async def test_viewers_cannot_use_voice(connect, make_account, bystander):
    client = await connect(make_account("viewer"))
    await refused(client, "voice:start", {}, "forbidden")
    await still_working(bystander)


@pytest.mark.parametrize("event", ["voice:audio_chunk", "voice:stop", "voice:playback_done"])
async def test_events_without_a_session(connect, make_account, bystander, event):
    client = await connect(make_account())
    data = {"audio": chunks(silence(0.1))[0]} if event == "voice:audio_chunk" else {}
    await refused(client, event, data, "no_session")
    await still_working(client)
    await still_working(bystander)


@pytest.mark.parametrize(
    "audio",
    [
        pytest.param("not base64 at all!", id="not-base64"),
        pytest.param(base64.b64encode(b"\x01\x02\x03").decode(), id="odd-length"),
        pytest.param("", id="empty"),
    ],
)
async def test_invalid_audio(connect, make_account, bystander, audio):
    client = await connect(make_account())
    await start(client)
    await refused(client, "voice:audio_chunk", {"audio": audio}, "invalid_audio")
    await still_working(client)
    await still_working(bystander)


async def test_audio_is_required(connect, make_account, bystander):
    client = await connect(make_account())
    await start(client)
    error = await refused(client, "voice:audio_chunk", {}, "invalid_payload")
    assert error["field"] == "audio"
    await still_working(client)


async def test_chunk_over_the_size_limit(connect, make_account, bystander):
    limit = settings.SOCKETIO_EVENT_LIMITS["voice:audio_chunk"]
    client = await connect(make_account())
    await start(client)
    error = await refused(client, "voice:audio_chunk", {"audio": "A" * (limit + 4)}, "payload_too_large")
    assert error["limit"] == limit
    await still_working(client)
    await still_working(bystander)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"sample_rate": 12345}, "unsupported_sample_rate"),
        ({"engine": "whisper"}, "unsupported_engine"),
        ({"language": "not a language!"}, "invalid_payload"),
    ],
)
async def test_bad_start(connect, make_account, bystander, payload, code):
    client = await connect(make_account())
    await refused(client, "voice:start", payload, code)
    await still_working(client)
    await still_working(bystander)


async def test_missing_model_names_where_to_put_one(connect, make_account, bystander):
    client = await connect(make_account())
    error = await refused(client, "voice:start", {"language": "xx"}, "model_missing")
    assert str(settings.MODELS_DIR / "vosk" / "xx") in error["message"]
    assert "VOSK_MODEL_PATH" in error["message"]
    assert error["language"] == "xx"
    await still_working(client)
    await still_working(bystander)


async def test_one_session_per_connection(connect, make_account):
    client = await connect(make_account())
    await start(client)
    await refused(client, "voice:start", {}, "session_active")
    await still_working(client)


async def test_too_many_sessions_per_user(connect, make_account, bystander):
    account = make_account()
    clients = [await connect(account) for _ in range(MAX_SESSIONS_PER_USER + 1)]
    ids = [(await start(client))["session_id"] for client in clients[:-1]]
    error = await refused(clients[-1], "voice:start", {}, "too_many_sessions")
    assert error["limit"] == MAX_SESSIONS_PER_USER
    for client in clients[:-1]:
        await still_working(client)
    await clients[0].disconnect()
    await eventually(lambda: VoiceSession.objects.filter(pk=ids[0], end_reason="disconnect").aexists())
    await start(clients[-1])
    await still_working(bystander)


async def test_session_over_the_maximum_length(connect, make_account, bystander):
    client = await connect(make_account())
    session_id = (await start(client))["session_id"]
    half = b64(silence(MAX_SESSION_SECONDS / 2))
    for _ in range(2):
        assert (await client.call("voice:audio_chunk", {"audio": half}))["ok"] is True
    error = await refused(client, "voice:audio_chunk", {"audio": chunks(silence(0.1))[0]}, "session_too_long")
    assert error["limit"] == MAX_SESSION_SECONDS
    ended = await client.wait("voice:ended")
    assert ended == {"session_id": session_id, "reason": "too_long"}
    row = await VoiceSession.objects.aget(pk=session_id)
    assert row.end_reason == "too_long" and row.ended_at is not None
    assert row.audio_seconds == pytest.approx(MAX_SESSION_SECONDS)
    await refused(client, "voice:audio_chunk", {"audio": chunks(silence(0.1))[0]}, "no_session")
    await still_working(client)
    await still_working(bystander)


async def test_stop_after_no_speech(connect, make_account, bystander):
    client = await connect(make_account())
    session_id = (await start(client))["session_id"]
    for chunk in chunks(silence(1.0)):
        await client.emit("voice:audio_chunk", {"audio": chunk})
    assert (await client.call("voice:stop", {})) == {"ok": True, "session_id": session_id}
    error = await client.wait("voice:error", timeout=30)
    assert error["code"] == "no_speech"
    assert await client.wait("voice:ended", timeout=30) == {"session_id": session_id, "reason": "stop"}
    assert client.received("voice:transcript") == []
    await still_working(client)
    await still_working(bystander)
