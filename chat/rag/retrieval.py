"""Hybrid retrieval: keyword and vector rankings of a user's chunks fused by reciprocal rank."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass

import numpy as np
from asgiref.sync import sync_to_async
from django.conf import settings

from ..models import Chunk, Document
from .embeddings import EmbeddingError, get_embedder
from .keyword import keyword_ranking, terms
from .scope import Scope
from .vectors import vector_ranking

logger = logging.getLogger("chat.rag")
HYBRID, VECTOR, KEYWORD = "hybrid", "vector", "keyword"


@dataclass(frozen=True)
class Retrieved:
    document_id: int
    title: str
    chunk_id: int
    score: float  # reciprocal-rank-fusion score: higher is better, comparable within one search
    excerpt: str  # a short passage of the chunk around the query's most specific word
    text: str  # the whole chunk

    def as_source(self) -> dict:
        """The citation sent to clients: everything but the full text."""
        found = asdict(self)
        del found["text"]
        return found


async def retrieve(user_id: int, query: str, project_id: int | None, limit: int) -> list[Retrieved]:
    """The user's chunks best matching `query`, within the project when one is given."""
    query = clean_query(query)
    if user_id is None or not query or limit <= 0:
        return []
    vector = await asyncio.to_thread(embed_query, query)
    return await sync_to_async(search)(Scope(user_id, project_id), query, limit, vector=vector)


def clean_query(query: str) -> str:
    return " ".join(query.split())[: settings.RAG_QUERY_MAX_CHARS]


def embed_query(query: str) -> np.ndarray | None:
    """The query's vector, or None when the embedding backend fails: keywords still work."""
    try:
        return get_embedder().query(query)
    except EmbeddingError as exc:
        logger.warning("Searching by keywords only: %s", exc)
        return None


def search(
    scope: Scope, query: str, limit: int, *, mode: str = HYBRID, vector: np.ndarray | None = None
) -> list[Retrieved]:
    """Blocking search; `vector` is the query's embedding when the caller has it already."""
    query = clean_query(query)
    limit = min(limit, settings.RAG_MAX_RESULTS)
    if not query or limit <= 0:
        return []
    candidates = max(limit, settings.RAG_CANDIDATES)
    rankings = []
    if mode in (HYBRID, KEYWORD):
        rankings.append(keyword_ranking(scope, query, candidates))
    if mode in (HYBRID, VECTOR):
        vector = embed_query(query) if vector is None else vector
        if vector is not None:
            rankings.append(vector_ranking(scope, vector, get_embedder().name, candidates))
    fused = fuse(rankings, settings.RAG_RRF_K)[:limit]
    return _results(scope, query, fused)


def fuse(rankings: list[list[int]], k: int) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each ranking adds 1 / (k + rank) to the ids it ranks."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking, 1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def _results(scope: Scope, query: str, fused: list[tuple[int, float]]) -> list[Retrieved]:
    rows = Chunk.objects.filter(
        id__in=[chunk_id for chunk_id, _ in fused],
        owner_id=scope.user_id,
        document__status=Document.STATUS_INDEXED,
    ).values_list("id", "document_id", "document__title", "text")
    found = {row[0]: row[1:] for row in rows}
    words = terms(query)
    results = []
    for chunk_id, score in fused:
        if chunk_id in found:
            document_id, title, text = found[chunk_id]
            results.append(Retrieved(document_id, title, chunk_id, score, excerpt(text, words), text))
    return results


def excerpt(text: str, words: list[str]) -> str:
    """About RAG_EXCERPT_CHARS of `text` around the longest query word in it (the most specific)."""
    size = settings.RAG_EXCERPT_CHARS
    flat = " ".join(text.split())
    if len(flat) <= size:
        return flat
    lowered = flat.lower()
    hits = [(len(word), -found) for word in words if (found := lowered.find(word)) >= 0]
    anchor = -max(hits)[1] if hits else 0
    start = max(0, min(anchor - size // 4, len(flat) - size))
    return ("…" if start else "") + flat[start : start + size].strip() + ("…" if start + size < len(flat) else "")
