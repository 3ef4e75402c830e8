"""Retrieval on PostgreSQL: with pgvector and full-text indexes, and without pgvector."""

import os

import pytest

from .rag_postgres import PLAIN_POSTGRES_ADMIN_URL, pgvector_postgres, postgres, run_probe

PGVECTOR_WARNING = "pgvector is not available in this PostgreSQL database"


def assert_every_mode_answers(report: dict) -> None:
    for mode, texts in report["best"].items():
        for answer, text in zip(report["answers"], texts, strict=True):
            assert answer in text, (mode, answer, text)
    assert report["leaked"] is False


@pytest.fixture(scope="module")
def pgvector_url(tmp_root):
    with pgvector_postgres(tmp_root / "pgvector") as url:
        yield url


def test_postgresql_with_pgvector(pgvector_url, tmp_root):
    report, log = run_probe(pgvector_url, tmp_root / "pgvector-data")
    assert report["engines"]["vector_search"] == "pgvector"
    assert report["engines"]["keyword_search"] == "postgresql-fts"
    assert report["stored_vectors"] > 0  # every chunk is in the vector column
    assert PGVECTOR_WARNING not in log
    assert_every_mode_answers(report)


@pytest.fixture
def plain_postgres_url():
    available = postgres(PLAIN_POSTGRES_ADMIN_URL, "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    if available:
        pytest.fail(f"{PLAIN_POSTGRES_ADMIN_URL} has pgvector; set TEST_POSTGRES_WITHOUT_PGVECTOR_URL to one without")
    name = f"kulvex_rag_plain_{os.getpid()}"
    postgres(PLAIN_POSTGRES_ADMIN_URL, f'CREATE DATABASE "{name}"')
    yield PLAIN_POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    postgres(PLAIN_POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_without_pgvector_falls_back_to_numpy_and_says_so(plain_postgres_url, tmp_root):
    report, log = run_probe(plain_postgres_url, tmp_root / "plain-postgres-data")
    assert report["engines"]["vector_search"] == "numpy"
    assert report["engines"]["keyword_search"] == "postgresql-fts"
    assert report["stored_vectors"] is None
    assert PGVECTOR_WARNING in log  # logged, never silent
    assert_every_mode_answers(report)
