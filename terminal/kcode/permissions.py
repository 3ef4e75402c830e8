"""Whether a tool that changes things (write_file, run_shell) may run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

ASK, AUTO, DENY = "ask", "auto", "deny"
MODES = (ASK, AUTO, DENY)


class Permission:
    """`ask` calls `confirm` with a question; without one (no terminal to ask on) it refuses."""

    def __init__(self, mode: str, confirm: Callable[[str], Awaitable[bool]] | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown permission mode {mode!r}; choose one of {', '.join(MODES)}")
        self.mode = mode
        self.confirm = confirm

    async def allows(self, action: str) -> bool:
        if self.mode == AUTO:
            return True
        if self.mode == DENY or self.confirm is None:
            return False
        return await self.confirm(f"Allow {action}? [y/N] ")


def is_yes(answer: str) -> bool:
    return answer.strip().lower() in ("y", "yes")
