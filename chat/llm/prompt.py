"""Prompts: fitting messages into a context window, and the transcript a base model completes.

The embedded gemma-3-270m is a base model without a chat template. Given a short few-shot
"User: … / Assistant: …" transcript it answers the last question, and it answers from
"Context: …" lines placed above the transcript; the stop sequences end the reply at the next
turn or paragraph.
"""

from __future__ import annotations

import re

STOP_SEQUENCES = ["\nUser:", "\n\n"]

FEW_SHOT = [
    ("What is the capital of France?", "The capital of France is Paris."),
    ("How many days are in a week?", "A week has seven days."),
]

_SPEAKERS = {"user": "User", "assistant": "Assistant"}
_BLANK_LINES = re.compile(r"\n\s*\n")


def estimate_tokens(text: str) -> int:
    """A cautious estimate: real tokenizers average more than 3 UTF-8 bytes per token."""
    return len(text.encode()) // 3 + 4


def fit_messages(head: list[dict], history: list[dict], message: dict, budget: int) -> list[dict]:
    """`head + history + [message]`, dropping the oldest history turns that do not fit `budget`."""
    used = sum(estimate_tokens(item["content"]) for item in [*head, message])
    kept: list[dict] = []
    for item in reversed(history):
        used += estimate_tokens(item["content"])
        if used > budget:
            break
        kept.append(item)
    return [*head, *reversed(kept), message]


def _line(text: str) -> str:
    return _BLANK_LINES.sub("\n", text.strip())


def _turn(role: str, content: str) -> str:
    speaker = _SPEAKERS.get(role)
    return f"{speaker}: {_line(content)}" if speaker else _line(content)


def render_transcript(messages: list[dict]) -> str:
    """Leading system messages become the header; the rest become turns after the examples."""
    split = next((i for i, item in enumerate(messages) if item["role"] != "system"), len(messages))
    header = "\n".join(_line(item["content"]) for item in messages[:split] if item["content"].strip())
    examples = [f"User: {question}\nAssistant: {answer}" for question, answer in FEW_SHOT]
    turns: list[str] = []
    for item in messages[split:]:
        if item["role"] == "assistant" and turns and turns[-1].startswith("User:"):
            turns[-1] += "\n" + _turn("assistant", item["content"])
        else:
            turns.append(_turn(item["role"], item["content"]))
    if messages[split:] and messages[-1]["role"] != "assistant":
        turns[-1] += "\nAssistant:"
    return "\n\n".join(part for part in [header, *examples, *turns] if part)
