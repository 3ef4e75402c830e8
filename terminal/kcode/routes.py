"""What chat's router says about the task types kcode can use."""

from __future__ import annotations

from chat.llm import get_router


def task_types() -> list[str]:
    return get_router().task_types


def describe(task_type: str) -> str:
    """`model M via backend B (kind), falling back to …` for the route of `task_type`."""
    router = get_router()
    backends = [router.backends[name] for name in router.routes.get(task_type, [])]
    if not backends:
        return f"task type {task_type}: no route"
    first, *rest = backends
    text = f"task type {task_type}: model {first.model} via {first.name} ({first.kind})"
    if rest:
        text += ", falling back to " + ", ".join(f"{backend.model} via {backend.name}" for backend in rest)
    return text
