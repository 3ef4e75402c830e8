"""Sentence-by-sentence speech and reply failures, with an LLM server the test controls."""

from __future__ import annotations

import json

import pytest
import pytest_asyncio

from kulvex.testing import SocketClient, eventually
from voice.models import VoiceSession, VoiceTurn

from .conftest import chunks, silence
from .held_llm import FIRST, REST, HeldLLM
from .test_pipeline import HANGUL, decode_wav, start, stream

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def held_llm():
    llm = await HeldLLM().start()
    yield llm
    llm.release()
    await llm.stop()


@pytest.fixture(scope="package")
def held_server(start_server, held_llm):
    backends = {"held": {"kind": "openai", "base_url": held_llm.base_url, "model": "held"}}
    return start_server(
        {
            "LLM_BACKENDS": json.dumps(backends),
            "LLM_ROUTES": json.dumps({"chat": ["held"]}),
            "VOICE_PLAYBACK_GRACE_SECONDS": "0",
        },
        name="voice-held",
    )


@pytest_asyncio.fixture
async def account(held_llm, make_account):
    held_llm.hold()
    held_llm.failing = False
    return make_account()


@pytest_asyncio.fixture
async def client(held_server, account):
    async with SocketClient(held_server.url) as client:
        await client.connect(token=account.token)
        yield client


async def test_first_sentence_is_spoken_while_the_rest_is_generated(client, held_llm, korean_speech):
    await start(client)
    await stream(client, korean_speech + silence(1.0))
    transcript = await client.wait("voice:transcript", timeout=60)
    assert HANGUL.search(transcript["text"])

    # The model is holding back everything after its first sentence, yet that sentence is heard.
    first = await client.wait("voice:audio", timeout=30)
    assert first["text"] == FIRST.strip() and first["index"] == 0
    assert decode_wav(first)[1] > 0
    assert client.received("voice:response") == []

    held_llm.release()
    response = await client.wait("voice:response", timeout=30)
    assert response["text"] == FIRST + "".join(REST)
    assert response["audio_parts"] == 3
    rest = [await client.wait("voice:audio", timeout=30) for _ in range(2)]
    assert [a["text"] for a in rest] == ["This is the rest.", "Goodbye."]
    assert all(decode_wav(a)[1] > 0 for a in rest)


async def test_listening_resumes_without_playback_done(client, held_llm, korean_speech):
    await start(client)
    held_llm.release()
    await stream(client, korean_speech + silence(1.0))
    response = await client.wait("voice:response", timeout=60)
    for _ in range(response["audio_parts"]):
        await client.wait("voice:audio", timeout=30)

    async def listening() -> bool:
        ack = await client.call("voice:audio_chunk", {"audio": chunks(silence(0.1))[0]})
        return ack["listening"]

    # Once the reply would have finished playing (plus a grace of 0 s here), the gate reopens.
    assert await eventually(listening, timeout=30, interval=0.2)


async def test_a_failed_reply_is_reported_and_listening_resumes(client, held_llm, korean_speech):
    held_llm.failing = True
    session_id = (await start(client))["session_id"]
    await stream(client, korean_speech + silence(1.0))
    transcript = await client.wait("voice:transcript", timeout=60)
    error = await client.wait("voice:error", timeout=30)
    assert error["code"] == "llm_unavailable"
    assert client.received("voice:audio") == []
    turn = await VoiceTurn.objects.aget(session_id=session_id, index=transcript["turn"])
    assert turn.error.startswith("llm_unavailable")
    assert await client.call("voice:audio_chunk", {"audio": chunks(silence(0.1))[0]}) == {
        "ok": True,
        "listening": True,
    }


async def test_disconnect_mid_reply_ends_the_session_at_once(held_server, client, account, korean_speech):
    session_id = (await start(client))["session_id"]
    await stream(client, korean_speech + silence(1.0))
    await client.wait("voice:audio", timeout=60)  # the model now holds the rest of its reply
    await client.disconnect()

    row = await eventually(lambda: VoiceSession.objects.filter(pk=session_id, ended_at__isnull=False).afirst())
    assert row.end_reason == "disconnect"
    turn = await VoiceTurn.objects.aget(session_id=session_id)
    assert turn.error == "cancelled: the session ended" and HANGUL.search(turn.transcript)
    # The user's sessions are free again, and the server still listens.
    async with SocketClient(held_server.url) as again:
        await again.connect(token=account.token)
        await start(again)
        ack = await again.call("voice:audio_chunk", {"audio": chunks(silence(0.1))[0]})
        assert ack == {"ok": True, "listening": True}
