"""Vector ranking of a user's chunks: pgvector where PostgreSQL has it, NumPy otherwise.

The NumPy search keeps each recent user's vectors in memory and reloads them when the user's
chunks change (their count or highest id moves: chunks are only ever inserted or deleted).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max

from ..models import Chunk
from . import schema
from .scope import Scope

logger = logging.getLogger("chat.rag")
_probe_lock = threading.Lock()
_probed: dict[str, bool] = {}


def _probe() -> dict[str, bool]:
    with _probe_lock:
        if not _probed:
            enabled = schema.has_vector_column(connection)
            if connection.vendor == "postgresql" and not enabled:
                logger.warning(schema.PGVECTOR_MISSING)
            _probed.update(pgvector=enabled, iterative=enabled and _extension_version() >= (0, 8))
        return _probed


def _extension_version() -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        return tuple(int(part) for part in cursor.fetchone()[0].split(".")[:2])


def forget_backend() -> None:
    """Probe the database again (after `manage.py reembed` enabled pgvector)."""
    with _probe_lock:
        _probed.clear()


def backend() -> str:
    return "pgvector" if _probe()["pgvector"] else "numpy"


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(repr(float(value)) for value in vector) + "]"


def store(chunk_ids: list[int], vectors: np.ndarray) -> None:
    """Copy vectors into the pgvector column, where there is one."""
    if not chunk_ids or not _probe()["pgvector"]:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE chat_chunk SET {schema.PG_VECTOR_COLUMN} = %s::vector WHERE id = %s",
            [(_literal(vector), chunk_id) for chunk_id, vector in zip(chunk_ids, vectors, strict=True)],
        )


def vector_ranking(scope: Scope, vector: np.ndarray, model: str, limit: int) -> list[int]:
    """Chunk ids of `model` embeddings, most similar to `vector` first."""
    if _probe()["pgvector"]:
        return _pgvector(scope, vector, model, limit)
    return _cache.matrix(scope.user_id, model).nearest(vector, scope.project_id, limit)


def _pgvector(scope: Scope, vector: np.ndarray, model: str, limit: int) -> list[int]:
    dims = int(len(vector))
    where, params = scope.sql()
    column = schema.PG_VECTOR_COLUMN
    with transaction.atomic(), connection.cursor() as cursor:
        if _probe()["iterative"]:
            # Keep scanning the index until enough of this user's chunks are found.
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(
            f"""SELECT id FROM chat_chunk
                WHERE {where} AND embedding_model = %s AND vector_dims({column}) = {dims}
                ORDER BY {column}::vector({dims}) <=> %s::vector({dims}) LIMIT %s""",
            [*params, model, _literal(vector), limit],
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass
class _Matrix:
    stamp: tuple
    ids: np.ndarray
    projects: np.ndarray
    vectors: np.ndarray

    def nearest(self, vector: np.ndarray, project_id: int | None, limit: int) -> list[int]:
        if not len(self.ids) or self.vectors.shape[1] != len(vector):
            return []
        # einsum runs in this thread: as fast as BLAS here, and BLAS worker threads left spinning
        # would slow the embedding model's own threads on the next query.
        scores = np.einsum("ij,j->i", self.vectors, vector)
        if project_id is not None:
            scores = np.where(self.projects == project_id, scores, -np.inf)
        count = min(limit, int(np.isfinite(scores).sum()))
        if count == 0:
            return []
        top = np.argpartition(-scores, count - 1)[:count]
        return self.ids[top[np.argsort(-scores[top], kind="stable")]].tolist()


def _stamp(user_id: int) -> tuple:
    found = Chunk.objects.filter(owner_id=user_id).aggregate(count=Count("id"), last=Max("id"))
    return found["count"], found["last"]


def _load(user_id: int, model: str, stamp: tuple) -> _Matrix:
    rows = list(
        Chunk.objects.filter(owner_id=user_id, embedding_model=model).values_list("id", "project_id", "embedding")
    )
    if len(rows) < stamp[0]:
        logger.warning(
            "%d chunks of user %s were embedded with another model than %s and are not searched by meaning; "
            "run `manage.py reembed`.",
            stamp[0] - len(rows),
            user_id,
            model,
        )
    if not rows:
        return _Matrix(stamp, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 0), np.float32))
    ids, projects, blobs = zip(*rows, strict=True)
    vectors = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(rows), -1)
    return _Matrix(stamp, np.array(ids), np.array([-1 if p is None else p for p in projects]), vectors)


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[int, str], _Matrix] = OrderedDict()

    def matrix(self, user_id: int, model: str) -> _Matrix:
        key, stamp = (user_id, model), _stamp(user_id)
        with self._lock:
            found = self._items.get(key)
            if found is not None and found.stamp == stamp:
                self._items.move_to_end(key)
                return found
        loaded = _load(user_id, model, stamp)
        with self._lock:
            self._items[key] = loaded
            self._items.move_to_end(key)
            while len(self._items) > settings.RAG_VECTOR_CACHE_USERS:
                self._items.popitem(last=False)
        return loaded


_cache = _Cache()
