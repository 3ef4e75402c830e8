"""Keyword ranking of a user's chunks: SQLite FTS5 (bm25) or PostgreSQL full text (ts_rank_cd)."""

from __future__ import annotations

import logging
import re
import threading

from django.db import connection

from . import schema
from .scope import Scope

logger = logging.getLogger("chat.rag")
_WORD = re.compile(r"\w+")
_MAX_TERMS = 32
# bm25 gives terms found in over half of all chunks no weight, and they are the slowest to
# match: SQLite searches without them (a query of only such terms keeps its rarest one).
_COMMON_SHARE = 0.5
_checked = threading.Event()


def terms(query: str) -> list[str]:
    """The distinct words of a query, lower-cased; punctuation never reaches the query syntax."""
    return list(dict.fromkeys(_WORD.findall(query.lower())))[:_MAX_TERMS]


def ensure_index() -> None:
    """Once per process: repair SQLite triggers a table rebuild by a later migration dropped."""
    if _checked.is_set():
        return
    if connection.vendor == "sqlite" and schema.sqlite_triggers_missing(connection):
        logger.warning("The chunk keyword index was out of sync; rebuilding it.")
        schema.install_sqlite(connection)
    elif connection.vendor not in ("sqlite", "postgresql"):
        logger.warning("Keyword search needs SQLite or PostgreSQL; on %s only vectors are searched.", connection.vendor)
    _checked.set()


def keyword_ranking(scope: Scope, query: str, limit: int) -> list[int]:
    """Chunk ids, best match first."""
    words = terms(query)
    if not words:
        return []
    ensure_index()
    if connection.vendor == "sqlite":
        return _sqlite(scope, words, limit)
    if connection.vendor == "postgresql":
        return _postgresql(scope, words, limit)
    return []


def _ids(sql: str, params: list) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _informative(words: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM chat_chunk")
        rows = cursor.fetchone()[0] or 0
        placeholders = ", ".join(["%s"] * len(words))
        cursor.execute(f"SELECT term, doc FROM {schema.FTS_VOCAB} WHERE term IN ({placeholders})", words)
        counts = dict(cursor.fetchall())
    kept = [word for word in words if counts.get(word, 0) <= rows * _COMMON_SHARE]
    return kept or [min(words, key=lambda word: counts.get(word, 0))]


def _sqlite(scope: Scope, words: list[str], limit: int) -> list[int]:
    where, params = scope.sql()
    match = " OR ".join(f'"{word}"' for word in _informative(words))
    return _ids(
        f"""SELECT rowid FROM {schema.FTS_TABLE} WHERE {schema.FTS_TABLE} MATCH %s AND {where}
            ORDER BY bm25({schema.FTS_TABLE}, 2.0, 1.0) LIMIT %s""",
        [match, *params, limit],
    )


def _postgresql(scope: Scope, words: list[str], limit: int) -> list[int]:
    where, params = scope.sql()
    tsquery = " | ".join(f"'{word}'" for word in words)
    return _ids(
        f"""SELECT id FROM chat_chunk, to_tsquery('{schema.PG_TEXT_SEARCH_CONFIG}', %s) query
            WHERE {schema.PG_TSVECTOR} @@ query AND {where}
            ORDER BY ts_rank_cd({schema.PG_TSVECTOR}, query, 1) DESC, id LIMIT %s""",
        [tsquery, *params, limit],
    )
