"""Text-to-speech with pyttsx3 on the espeak-ng driver: a sentence in, WAV bytes out.

espeak-ng keeps one synthesizer per process and pyttsx3 shares one engine per driver, so every
call runs on a single dedicated thread, one sentence at a time.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import tempfile
import wave
from concurrent.futures import ThreadPoolExecutor

import pyttsx3
from django.conf import settings

from .audio import Wav
from .stt import base_language

ENGINE = "pyttsx3/espeak-ng"

logger = logging.getLogger("voice.tts")


class SpeechError(RuntimeError):
    pass


@functools.cache
def executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="tts")


@functools.cache
def engine() -> pyttsx3.Engine:
    """The process's pyttsx3 engine; cached here because pyttsx3 itself only keeps a weak reference."""
    try:
        return pyttsx3.init("espeak")
    except (OSError, RuntimeError) as exc:
        raise SpeechError(f"espeak-ng is not usable: {exc}. Install espeak-ng and libespeak-ng1.") from exc


@functools.cache
def voices() -> dict[str, str]:
    """Voice id by language: a voice named like the language first, then by its declared languages."""
    found: dict[str, str] = {}
    available = engine().getProperty("voices")
    for voice in available:
        found.setdefault(voice.id.rsplit("/", 1)[-1].lower(), voice.id)
    for voice in available:
        for language in voice.languages or ():
            found.setdefault(language.lower(), voice.id)
            found.setdefault(base_language(language), voice.id)
    return found


def voice_for(language: str) -> str:
    language = language.lower()
    for key in (language, base_language(language)):
        voice = settings.VOICE_TTS_VOICES.get(key) or voices().get(key)
        if voice:
            return voice
    raise SpeechError(f"espeak-ng has no voice for {language!r}; set VOICE_TTS_VOICES.")


# pyttsx3's espeak driver now and then writes the file before the last audio callback is added
# (about 1 sentence in 200 here, seemingly when espeak delivers the end and its final samples
# together); synthesizing again gives the audio.
ATTEMPTS = 3


def synthesize(text: str, language: str) -> Wav:
    """Speak `text` in the voice for `language`. Blocks: call it on `executor()`."""
    speaker = engine()
    speaker.setProperty("voice", voice_for(language))
    speaker.setProperty("rate", settings.VOICE_TTS_RATE)
    problem = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            logger.warning("espeak-ng gave no audio for %r (%s); trying again", text[:40], problem)
        try:
            speech = Wav.parse(_render(speaker, text))
        except (wave.Error, EOFError) as exc:
            problem = str(exc)
            continue
        if speech.seconds > 0:
            return speech
        problem = "empty"
    raise SpeechError(f"espeak-ng produced no audio for {text[:40]!r} ({problem}).")


def _render(speaker: pyttsx3.Engine, text: str) -> bytes:
    with tempfile.NamedTemporaryFile(suffix=".wav") as target:
        speaker.save_to_file(text, target.name)
        # The espeak driver prints a line for every file it saves.
        with contextlib.redirect_stdout(io.StringIO()):
            speaker.runAndWait()
        return target.read()
