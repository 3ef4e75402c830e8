"""Whose chunks a search looks at."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """Whose chunks are searched: one user's, within one project or all of them."""

    user_id: int
    project_id: int | None = None

    def sql(self, alias: str = "") -> tuple[str, list]:
        prefix = f"{alias}." if alias else ""
        where, params = f"{prefix}owner_id = %s", [self.user_id]
        if self.project_id is not None:
            where, params = f"{where} AND {prefix}project_id = %s", [*params, self.project_id]
        return where, params
