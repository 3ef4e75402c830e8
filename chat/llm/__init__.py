"""The LLM router: every model call of KULVEX goes through here.

Backends (`LLM_BACKENDS`) are the embedded llama.cpp model and OpenAI-compatible servers; the
route table (`LLM_ROUTES`) maps each task_type to backends tried in order, the next one when a
backend fails before its first token. Most callers want `chat.services.start_reply`, which adds
conversations, history, retrieval and limits. Callers that build their own messages (kcode)
use the router directly::

    from chat.llm import get_router

    generation = get_router().stream("code", [{"role": "system", "content": "…"},
                                              {"role": "user", "content": "…"}], max_tokens=256)
    async for text in generation:        # pieces in order; those that arrived together are joined
        ...
    outcome = await generation.wait()    # Outcome: model, backend, finish_reason, token counts, error

`stream()` raises `UnknownTaskType` (a ProtocolError with the valid list) and otherwise starts
at once. `generation.cancel()`, from any task, stops it now, upstream included (the HTTP stream
is closed; llama.cpp's callback returns True); iteration then ends and `finish_reason` is
"cancelled". A failure ends iteration with `finish_reason` "error" and `outcome.error` set;
`generation.text` holds everything produced either way.
"""

from __future__ import annotations

from django.conf import settings

from .router import Router, build_router

__all__ = ["Router", "engines", "get_router", "prepare"]

_router: Router | None = None


def get_router() -> Router:
    """The process-wide router, built from settings on first use."""
    global _router
    if _router is None:
        _router = build_router(settings.LLM_BACKENDS, settings.LLM_ROUTES)
    return _router


def engines() -> dict:
    router = get_router()
    return {"llm": {name: f"{backend.kind}:{backend.model}" for name, backend in router.backends.items()}}


def prepare(stdout, style) -> None:
    """Assemble the embedded model's GGUF into MODELS_DIR once."""
    from .embedded import EmbeddedBackend

    for backend in get_router().backends.values():
        if isinstance(backend, EmbeddedBackend):
            stdout.write(f"chat: checking the model of the {backend.name!r} backend ({backend.path.name})")
            if backend.prepare(lambda percent: stdout.write(f"  assembled {percent:3d}%")):
                stdout.write(style.SUCCESS(f"chat: assembled {backend.path}"))
