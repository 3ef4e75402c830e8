"""Retrieval over the user's documents.

    from chat.rag import retrieve
    found = await retrieve(user_id, "how long does the battery last?", project_id=None, limit=4)
    found[0].text, found[0].as_source()   # {document_id, title, chunk_id, score, excerpt}

This package is imported while settings load (for its settings), so the parts that need models
are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .retrieval import Retrieved, retrieve

__all__ = ["Retrieved", "retrieve", "engines", "prepare"]


def __getattr__(name: str) -> Any:
    if name in ("Retrieved", "retrieve"):
        from . import retrieval

        return getattr(retrieval, name)
    raise AttributeError(name)


def engines() -> dict:
    from django.db import connection

    from .embeddings import get_embedder
    from .vectors import backend

    keyword = {"sqlite": "sqlite-fts5", "postgresql": "postgresql-fts"}.get(connection.vendor, "none")
    return {"embeddings": get_embedder().name, "vector_search": backend(), "keyword_search": keyword}


def prepare(stdout, style) -> None:
    """Load the embedding model once and check that it embeds."""
    import numpy as np

    from .embeddings import get_embedder

    embedder = get_embedder()
    vector = embedder.query("Is the embedding model ready?")
    if vector.ndim != 1 or not vector.size or not np.isclose(np.linalg.norm(vector), 1.0, atol=1e-3):
        raise RuntimeError(f"{embedder.name} returned an unusable vector of shape {vector.shape}.")
    stdout.write(style.SUCCESS(f"Embeddings: {embedder.name} ready ({vector.size} dimensions)."))
