"""Indexing a document: extract, chunk, embed, then store every chunk in one transaction.

A document has chunks only while it is `indexed`: they appear together with that status, and a
failure or a re-index removes them together with it. So retrieval never sees half a document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Chunk, Document
from . import vectors
from .chunking import Draft, chunk_sections
from .embeddings import EmbeddingError, get_embedder
from .extract import ExtractionError, extract
from .keyword import ensure_index

logger = logging.getLogger("chat.rag")
# Called with (chunks embedded so far, chunks in the document).
Progress = Callable[[int, int], None]


class IndexingError(Exception):
    """A document that cannot be indexed; the message is its `error`."""


class _DocumentGone(Exception):
    pass


def index_document(document: Document, progress: Progress | None = None) -> Document:
    """Index `document` from its file; it ends `indexed`, or `failed` with the reason."""
    try:
        drafts = _drafts(document)
        store_chunks(document, drafts, _embed(document.title, drafts, progress))
    except _DocumentGone:
        logger.info("Document %s was deleted while being indexed.", document.pk)
        return document
    except (ExtractionError, EmbeddingError, IndexingError) as exc:
        _fail(document, str(exc))
    except Exception as exc:
        logger.exception("Indexing document %s failed", document.pk)
        _fail(document, f"Indexing failed unexpectedly: {exc}")
    document.refresh_from_db()
    return document


def reembed_document(document: Document, progress: Progress | None = None) -> Document:
    """Embed the document's chunks again with the current model, keeping their text."""
    drafts = [
        Draft(heading, text) for heading, text in document.chunks.order_by("index").values_list("heading", "text")
    ]
    if not drafts:
        return index_document(document, progress)
    try:
        store_chunks(document, drafts, _embed(document.title, drafts, progress))
    except _DocumentGone:
        return document
    document.refresh_from_db()
    return document


def mark_pending(document: Document) -> None:
    """Take the document out of search until it is indexed again."""
    with transaction.atomic():
        Chunk.objects.filter(document=document).delete()
        Document.objects.filter(pk=document.pk).update(status=Document.STATUS_PENDING, error="", chunk_count=0)
    document.refresh_from_db()


def embedding_input(title: str, draft: Draft) -> str:
    """What is embedded for a chunk: its text under the document title and heading path."""
    context = " › ".join(part for part in (title, draft.heading) if part)
    return f"{context}\n{draft.text}" if context else draft.text


def _drafts(document: Document) -> list[Draft]:
    if not document.file:
        raise IndexingError("The document has no file to index.")
    try:
        with document.file.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise IndexingError(f"The stored file cannot be read: {exc}") from None
    drafts = chunk_sections(
        extract(data, document.content_type), settings.RAG_CHUNK_CHARS, settings.RAG_CHUNK_OVERLAP_CHARS
    )
    if len(drafts) > settings.RAG_MAX_CHUNKS_PER_DOCUMENT:
        raise IndexingError(
            f"The document makes {len(drafts)} chunks; the limit is {settings.RAG_MAX_CHUNKS_PER_DOCUMENT} "
            "(RAG_MAX_CHUNKS_PER_DOCUMENT)."
        )
    return drafts


def _embed(title: str, drafts: list[Draft], progress: Progress | None) -> np.ndarray:
    embedder, batch = get_embedder(), max(1, settings.RAG_EMBEDDINGS_BATCH)
    parts = []
    if progress:
        progress(0, len(drafts))
    for start in range(0, len(drafts), batch):
        parts.append(embedder.passages([embedding_input(title, draft) for draft in drafts[start : start + batch]]))
        if progress:
            progress(min(start + batch, len(drafts)), len(drafts))
    return np.vstack(parts).astype("<f4")


def store_chunks(document: Document, drafts: list[Draft], embeddings: np.ndarray) -> None:
    """Replace the document's chunks with `drafts` and their embeddings, and mark it indexed."""
    model = get_embedder().name
    ensure_index()
    with transaction.atomic():
        # Locks the row on PostgreSQL so two indexings of one document cannot interleave.
        locked = Document.objects.select_for_update().filter(pk=document.pk).values_list("owner_id", "project_id")
        if not locked:
            raise _DocumentGone
        owner_id, project_id = locked[0]
        Chunk.objects.filter(document_id=document.pk).delete()
        chunks = Chunk.objects.bulk_create(
            Chunk(
                document_id=document.pk,
                owner_id=owner_id,
                project_id=project_id,
                index=position,
                heading=draft.heading[:300],
                text=draft.text,
                embedding=vector.tobytes(),
                embedding_model=model,
            )
            for position, (draft, vector) in enumerate(zip(drafts, embeddings, strict=True))
        )
        vectors.store([chunk.pk for chunk in chunks], embeddings)
        Document.objects.filter(pk=document.pk).update(
            status=Document.STATUS_INDEXED,
            error="",
            chunk_count=len(chunks),
            embedding_model=model,
            indexed_at=timezone.now(),
        )


def _fail(document: Document, reason: str) -> None:
    with transaction.atomic():
        Chunk.objects.filter(document_id=document.pk).delete()
        Document.objects.filter(pk=document.pk).update(
            status=Document.STATUS_FAILED, error=reason[:2000], chunk_count=0, indexed_at=None
        )
