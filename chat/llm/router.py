"""The route table: each task_type maps to an ordered list of backends."""

from __future__ import annotations

import asyncio
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import Backend, Prompt, UnknownTaskType
from .embedded import EmbeddedBackend
from .generation import Generation
from .openai import OpenAIBackend

KINDS: dict[str, type[Backend]] = {"embedded": EmbeddedBackend, "openai": OpenAIBackend}


class Router:
    def __init__(self, backends: dict[str, Backend], routes: dict[str, list[str]]) -> None:
        for task_type, names in routes.items():
            unknown = [name for name in names if name not in backends]
            if unknown or not names:
                raise ImproperlyConfigured(f"LLM_ROUTES[{task_type!r}] names no backend or unknown ones: {unknown}")
        self.backends = backends
        self.routes = routes

    @property
    def task_types(self) -> list[str]:
        return sorted(self.routes)

    def route(self, task_type: str) -> list[Backend]:
        """The backends for `task_type`, in order; raises UnknownTaskType (a ProtocolError)."""
        if task_type not in self.routes:
            raise UnknownTaskType(task_type, self.task_types)
        return [self.backends[name] for name in self.routes[task_type]]

    def context_tokens(self, task_type: str) -> int:
        """The smallest context window among the route's backends: a prompt must fit them all."""
        return min(backend.context_tokens for backend in self.route(task_type))

    def stream(self, task_type: str, messages: list[dict[str, str]], max_tokens: int | None = None) -> Generation:
        """Start generating now; see the package docstring."""
        limit = min(max_tokens or settings.LLM_MAX_TOKENS, settings.LLM_MAX_TOKENS)
        return Generation(self.route(task_type), Prompt(messages=messages, max_tokens=limit))

    async def status(self) -> dict[str, Any]:
        """Routes and each backend's health, probed now."""
        states = await asyncio.gather(*(backend.status() for backend in self.backends.values()))
        described = {name: backend.describe() for name, backend in self.backends.items()}
        return {
            "routes": self.routes,
            "backends": {name: {**described[name], **state} for name, state in zip(described, states, strict=True)},
        }

    async def startup(self) -> None:
        for backend in self.backends.values():
            await backend.startup()

    async def aclose(self) -> None:
        for backend in self.backends.values():
            await backend.aclose()


def build_router(backends: dict[str, dict], routes: dict[str, list[str]]) -> Router:
    built = {}
    for name, spec in backends.items():
        options = dict(spec)
        kind = options.pop("kind", "")
        if kind not in KINDS:
            raise ImproperlyConfigured(f"LLM_BACKENDS[{name!r}]: kind must be one of {', '.join(KINDS)}")
        try:
            built[name] = KINDS[kind](name, **options)
        except TypeError as exc:
            raise ImproperlyConfigured(f"LLM_BACKENDS[{name!r}]: {exc}") from None
    return Router(built, routes)
