"""Database objects Django's ORM cannot describe: keyword and vector indexes of chunks.

SQLite: an FTS5 table of chunk text, owner and project, kept in sync by triggers. PostgreSQL: a GIN full-text
index, and where the pgvector extension can be created, a `vector` column with HNSW indexes.
Every function is idempotent: migrations call them, and so do `manage.py reembed` (to enable
pgvector installed later) and the first search of a process (to repair SQLite triggers that a
table rebuild by a later migration dropped).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger("chat.rag")

FTS_TABLE = "chat_chunk_fts"
FTS_VOCAB = "chat_chunk_fts_vocab"  # how many chunks each term is in
# The same expression in the index and in queries, so PostgreSQL uses the index.
# 'english' drops stop words, which matters: PostgreSQL's ranking has no inverse document frequency.
PG_TEXT_SEARCH_CONFIG = "english"
PG_TSVECTOR = f"to_tsvector('{PG_TEXT_SEARCH_CONFIG}'::regconfig, heading || ' ' || text)"
PG_VECTOR_COLUMN = "embedding_vec"
# An HNSW index is made per dimension; the migration makes one for the bundled model.
DEFAULT_DIMENSIONS = 384
PGVECTOR_MISSING = (
    "pgvector is not available in this PostgreSQL database: vector search falls back to NumPy "
    "in the server process (slower with many chunks). Install pgvector, then run "
    "`manage.py reembed` to enable it."
)

_FTS_COLUMNS = "heading, text, owner_id, project_id"
_NEW_ROW = f"""INSERT INTO {FTS_TABLE}(rowid, {_FTS_COLUMNS})
    VALUES (new.id, new.heading, new.text, new.owner_id, new.project_id);"""
_OLD_ROW = f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id;"
_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON chat_chunk BEGIN {_NEW_ROW} END",
    f"{FTS_TABLE}_ad": f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON chat_chunk BEGIN {_OLD_ROW} END",
    f"{FTS_TABLE}_au": f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF {_FTS_COLUMNS} ON chat_chunk
        BEGIN {_OLD_ROW} {_NEW_ROW} END""",
}


def _execute(connection: BaseDatabaseWrapper, *statements: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def sqlite_triggers_missing(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)",
            list(_SQLITE_TRIGGERS),
        )
        return cursor.fetchone()[0] != len(_SQLITE_TRIGGERS)


def install_sqlite(connection: BaseDatabaseWrapper) -> None:
    """The FTS5 table keeps its own copy of owner and project, so a search filters by them
    without reading chat_chunk rows (whose embeddings make them long)."""
    _execute(
        connection,
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
            heading, text, owner_id UNINDEXED, project_id UNINDEXED,
            tokenize='unicode61 remove_diacritics 2')""",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_VOCAB} USING fts5vocab({FTS_TABLE}, 'row')",
        *_SQLITE_TRIGGERS.values(),
        # Index the rows that exist already (all of them again when repairing).
        f"DELETE FROM {FTS_TABLE}",
        f"INSERT INTO {FTS_TABLE}(rowid, {_FTS_COLUMNS}) SELECT id, {_FTS_COLUMNS} FROM chat_chunk",
    )


def uninstall_sqlite(connection: BaseDatabaseWrapper) -> None:
    _execute(connection, *(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS))
    _execute(connection, f"DROP TABLE IF EXISTS {FTS_VOCAB}", f"DROP TABLE IF EXISTS {FTS_TABLE}")


def install_postgresql(connection: BaseDatabaseWrapper) -> bool:
    """Create the full-text index, and the vector column where pgvector is available."""
    _execute(connection, f"CREATE INDEX IF NOT EXISTS chat_chunk_fts_gin ON chat_chunk USING gin ({PG_TSVECTOR})")
    if not _create_pgvector_extension(connection):
        logger.warning(PGVECTOR_MISSING)
        return False
    _execute(connection, f"ALTER TABLE chat_chunk ADD COLUMN IF NOT EXISTS {PG_VECTOR_COLUMN} vector")
    ensure_vector_index(connection, DEFAULT_DIMENSIONS)
    return True


def _create_pgvector_extension(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
        if cursor.fetchone() is None:
            return False
    try:
        with transaction.atomic(using=connection.alias):
            _execute(connection, "CREATE EXTENSION IF NOT EXISTS vector")
    except Exception as exc:  # e.g. the database user may not create extensions
        logger.warning("Could not create the pgvector extension: %s", exc)
        return False
    return True


def ensure_vector_index(connection: BaseDatabaseWrapper, dimensions: int) -> None:
    """An HNSW cosine index over the vectors of one dimension (the column itself has none)."""
    dimensions = int(dimensions)
    _execute(
        connection,
        f"""CREATE INDEX IF NOT EXISTS chat_chunk_vec_{dimensions}_hnsw ON chat_chunk
            USING hnsw (({PG_VECTOR_COLUMN}::vector({dimensions})) vector_cosine_ops)
            WHERE vector_dims({PG_VECTOR_COLUMN}) = {dimensions}""",
    )


def uninstall_postgresql(connection: BaseDatabaseWrapper) -> None:
    _execute(
        connection,
        "DROP INDEX IF EXISTS chat_chunk_fts_gin",
        f"ALTER TABLE chat_chunk DROP COLUMN IF EXISTS {PG_VECTOR_COLUMN}",
    )


def has_vector_column(connection: BaseDatabaseWrapper) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'chat_chunk' AND column_name = %s",
            [PG_VECTOR_COLUMN],
        )
        return cursor.fetchone() is not None


def install(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        install_sqlite(connection)
    elif connection.vendor == "postgresql":
        install_postgresql(connection)
    else:
        logger.warning("Keyword search needs SQLite or PostgreSQL; on %s only vectors are searched.", connection.vendor)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        uninstall_sqlite(connection)
    elif connection.vendor == "postgresql":
        uninstall_postgresql(connection)
