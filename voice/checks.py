"""What `/health` reports about voice, and what `manage.py prepare` checks."""

from __future__ import annotations

import time

from django.conf import settings

from . import stt, tts

CHECK_RATE = 16000


def tts_available(timeout: float = 10) -> bool:
    try:
        return bool(tts.executor().submit(tts.voices).result(timeout))
    except Exception:
        return False


def engines() -> dict:
    return {
        "stt": {"engine": "vosk", "languages": stt.languages(), "default_language": settings.VOICE_DEFAULT_LANGUAGE},
        "tts": {"engine": tts.ENGINE, "available": tts_available()},
    }


def prepare(stdout, style) -> None:
    """Load every vosk model found and have espeak-ng speak; raise on what is missing."""
    default = settings.VOICE_DEFAULT_LANGUAGE
    if stt.find_model(default) is None:
        raise stt.ModelMissing(default)
    for language in stt.languages():
        started = time.perf_counter()
        recognizer = stt.open_recognizer(language, CHECK_RATE)
        recognizer.feed(bytes(CHECK_RATE // 5))
        recognizer.finish()
        seconds = time.perf_counter() - started
        stdout.write(f"vosk {language}: {stt.find_model(language)} loads and listens ({seconds:.1f} s)")
    speech = tts.executor().submit(tts.synthesize, "KULVEX voice check.", default).result()
    stdout.write(
        style.SUCCESS(f"{tts.ENGINE} speaks {default!r}: {speech.seconds:.1f} s of audio at {speech.sample_rate} Hz")
    )
