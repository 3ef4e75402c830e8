"""`manage.py chat` in a subprocess against the real database and a fake OpenAI-compatible server
(the router's HTTP backend, speaking server-sent events)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chat.models import Conversation
from kulvex.testing import BASE_DIR, command_env, manage


class FakeOpenAI(BaseHTTPRequestHandler):
    """Answers every chat completion with "Echo: <last user message>", one word per chunk."""

    requests: list[dict] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._json({"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        question = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
        words = ["Echo:"] + question.split()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for index, word in enumerate(words):
            piece = word if index == 0 else " " + word
            chunk = {"model": "fake-model", "choices": [{"index": 0, "delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        end = {"model": "fake-model", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())

    def _json(self, data: dict) -> None:
        payload = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture(scope="module")
def fake_openai():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture
def requests_seen():
    FakeOpenAI.requests.clear()
    return FakeOpenAI.requests


def chat(*args: str, base_url: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    routes = json.dumps({"chat": ["openai"], "code": ["openai"]})
    return manage("chat", *args, env=command_env(OPENAI_BASE_URL=base_url, LLM_ROUTES=routes), stdin=stdin)


def test_help():
    result = subprocess.run(
        [sys.executable, "manage.py", "chat", "--help"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "--task-type" in result.stdout and "--user" in result.stdout


def test_one_question_is_streamed_through_the_router(fake_openai, requests_seen):
    result = chat("what is the answer", base_url=fake_openai)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Echo: what is the answer"
    assert "fake-model" in result.stderr
    assert requests_seen[-1]["stream"] is True
    assert requests_seen[-1]["messages"][-1] == {"role": "user", "content": "what is the answer"}


def test_as_a_user_the_conversation_is_stored(fake_openai, requests_seen, make_account):
    account = make_account("user")
    result = chat("remember the blue door", "--user", account.username, base_url=fake_openai)
    assert result.returncode == 0, result.stderr
    conversation = Conversation.objects.get(owner=account.user)
    assert [(m.role, m.content) for m in conversation.messages.order_by("created_at", "id")] == [
        ("user", "remember the blue door"),
        ("assistant", "Echo: remember the blue door"),
    ]
    assert f"conversation {conversation.pk}" in result.stderr


def test_repl_keeps_the_conversation_and_new_starts_over(fake_openai, requests_seen):
    result = chat(base_url=fake_openai, stdin="first question\nsecond question\n/new\nthird\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["Echo: first question", "Echo: second question", "Echo: third"]
    second, third = requests_seen[1]["messages"], requests_seen[2]["messages"]
    assert {"role": "assistant", "content": "Echo: first question"} in second
    assert all("first question" not in m["content"] for m in third)


def test_unknown_task_type_and_user_are_errors(fake_openai):
    result = chat("hi", "--task-type", "no-such-task", base_url=fake_openai)
    assert result.returncode != 0
    assert "unknown_task_type" in result.stderr
    result = chat("hi", "--user", "nobody-here", base_url=fake_openai)
    assert result.returncode != 0 and "There is no active user" in result.stderr
