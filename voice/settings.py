"""Settings of the voice app, read from the environment (see .env.example)."""

from kulvex.environment import env

# Speech-to-text. Models are looked up in VOSK_MODEL_PATH (a directory of models named by
# language), then $KULVEX_MODELS_DIR/vosk/<language>, then installed packages `vosk_model_<language>`.
VOSK_MODEL_PATH = env.str("VOSK_MODEL_PATH", default="")
VOICE_DEFAULT_LANGUAGE = env.str("VOICE_DEFAULT_LANGUAGE", default="ko")
# Languages whose model is loaded when the server starts, so the first session does not wait.
VOICE_PRELOAD_LANGUAGES = env.list("VOICE_PRELOAD_LANGUAGES", default=[VOICE_DEFAULT_LANGUAGE])
VOICE_SAMPLE_RATES = [
    int(rate)
    for rate in env.list(
        "VOICE_SAMPLE_RATES", default=["8000", "11025", "16000", "22050", "24000", "32000", "44100", "48000"]
    )
]
VOICE_STT_THREADS = env.int("VOICE_STT_THREADS", default=2)

# Limits.
VOICE_MAX_SESSIONS_PER_USER = env.int("VOICE_MAX_SESSIONS_PER_USER", default=2)
VOICE_MAX_SESSION_SECONDS = env.float("VOICE_MAX_SESSION_SECONDS", default=600.0)
# An utterance with no endpoint after this many seconds of audio is ended anyway.
VOICE_MAX_UTTERANCE_SECONDS = env.float("VOICE_MAX_UTTERANCE_SECONDS", default=30.0)
# Listening resumes on voice:playback_done, or this long after the reply's audio would have
# finished playing, for clients that never send it.
VOICE_PLAYBACK_GRACE_SECONDS = env.float("VOICE_PLAYBACK_GRACE_SECONDS", default=10.0)

# The assistant.
VOICE_SYSTEM_PROMPT = env.str("VOICE_SYSTEM_PROMPT", default="Answer briefly, in plain spoken sentences.")
# A spoken reply is short: about 100 words, under a minute of speech.
VOICE_MAX_REPLY_TOKENS = env.int("VOICE_MAX_REPLY_TOKENS", default=150)

# Text-to-speech (pyttsx3 on espeak-ng).
VOICE_TTS_RATE = env.int("VOICE_TTS_RATE", default=175)
# Per-language voice overrides, e.g. VOICE_TTS_VOICES=en=gmw/en-us,ko=ko
VOICE_TTS_VOICES = env.dict("VOICE_TTS_VOICES", default={})
