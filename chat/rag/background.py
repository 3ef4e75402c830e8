"""Indexing uploads in worker threads of the server process, so requests return at once."""

from __future__ import annotations

import concurrent.futures
import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from ..models import Document
from .indexing import index_document

logger = logging.getLogger("chat.rag")
_lock = threading.Lock()
_executor: concurrent.futures.ThreadPoolExecutor | None = None
_running: dict[int, concurrent.futures.Future] = {}


def submit(document_id: int) -> concurrent.futures.Future:
    """Index the document in the background; call after the transaction that created it."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(
                settings.RAG_INDEX_WORKERS, thread_name_prefix="rag-index"
            )
        future = _executor.submit(_index, document_id)
        _running[document_id] = future
    future.add_done_callback(lambda done: _forget(document_id, done))
    return future


def wait(document_id: int, timeout: float) -> None:
    """Wait up to `timeout` seconds for indexing this process started for the document."""
    with _lock:
        future = _running.get(document_id)
    if future is not None:
        concurrent.futures.wait([future], timeout=max(0.0, timeout))


def _forget(document_id: int, future: concurrent.futures.Future) -> None:
    with _lock:
        if _running.get(document_id) is future:
            del _running[document_id]


def _index(document_id: int) -> None:
    close_old_connections()
    try:
        document = Document.objects.filter(pk=document_id).first()
        if document is not None:
            index_document(document)
    except Exception:
        logger.exception("Background indexing of document %s failed", document_id)
    finally:
        close_old_connections()
