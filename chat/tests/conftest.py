"""Chat tests: a fake OpenAI-compatible server, and a KULVEX server routed to it.

The `server` fixture (default settings) answers with the real embedded model; `routed_server`
routes each task_type to scenarios of the fake server (see chat.llm.testing).
"""

from __future__ import annotations

import json
import socket

import pytest

from chat.llm.testing import FakeOpenAIProcess

MAX_CONCURRENT = 2
ANONYMOUS_RATE_LIMIT = 3
TINY_CONTEXT = 700  # tokens: with LLM_MAX_TOKENS=512 only a few history turns fit


@pytest.fixture(scope="package")
def fake_llm(tmp_root):
    with FakeOpenAIProcess(tmp_root / "fake-openai.log") as fake:
        yield fake


@pytest.fixture(scope="package")
def refused_port():
    """A port bound but never listening: connections to it are refused, and nobody else gets it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture(scope="package")
def routed_server(start_server, fake_llm, refused_port):
    def backend(scenario: str, model: str, **options) -> dict:
        return {"kind": "openai", "base_url": fake_llm.base_url(scenario), "model": model, **options}

    backends = {
        "fake": backend("ok", "fake-chat"),
        "coder": backend("ok", "fake-coder"),
        "tiny": backend("ok", "fake-tiny", context_tokens=TINY_CONTEXT),
        "slow": backend("slow", "fake-slow"),
        "midfail": backend("midfail", "fake-midfail"),
        "ragged": backend("ragged", "fake-ragged"),
        "unavailable": backend("fail503", "fake-503"),
        "busy": backend("fail429", "fake-429"),
        "hang": backend("hang", "fake-hang", timeout=0.5),
        "refused": {"kind": "openai", "base_url": f"http://127.0.0.1:{refused_port}/v1", "model": "nobody"},
    }
    routes = {
        "chat": ["fake"],
        "code": ["coder"],
        "tiny": ["tiny"],
        "slow": ["slow"],
        "fallback": ["refused", "unavailable", "busy", "hang", "fake"],
        "midfail": ["midfail", "fake"],
        "ragged": ["ragged"],
        "down": ["refused", "unavailable"],
    }
    return start_server(
        {
            "LLM_BACKENDS": json.dumps(backends),
            "LLM_ROUTES": json.dumps(routes),
            "CHAT_MAX_CONCURRENT_GENERATIONS": str(MAX_CONCURRENT),
            "CHAT_ANONYMOUS_RATE_LIMIT": str(ANONYMOUS_RATE_LIMIT),
        },
        name="chat-routed",
    )
