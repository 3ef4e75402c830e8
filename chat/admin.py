from .rag import admin as rag_admin  # noqa: F401  (projects, documents, chunks)
