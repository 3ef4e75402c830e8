"""What chat's router says about the task types kcode can use."""

from __future__ import annotations

from chat.llm import get_router


def problem_with(task_type: str) -> str | None:
    """Why `task_type` cannot be used, or None if it can."""
    known = get_router().task_types
    if task_type in known:
        return None
    return f"Unknown task type {task_type!r}; the task types are: {', '.join(known)}."


def describe(task_type: str) -> str:
    """`model M via backend B (kind), falling back to …` for the route of a known `task_type`."""
    first, *rest = get_router().route(task_type)
    text = f"task type {task_type}: model {first.model} via {first.name} ({first.kind})"
    if rest:
        text += ", falling back to " + ", ".join(f"{backend.model} via {backend.name}" for backend in rest)
    return text
