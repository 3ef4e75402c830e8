"""manage.py reembed: embed chunks again after the embedding model changed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from chat.models import Document
from chat.rag import schema, vectors
from chat.rag.embeddings import EmbeddingError, get_embedder
from chat.rag.indexing import reembed_document


class Command(BaseCommand):
    help = (
        "Embed again, with the configured model, the chunks made by another one (after changing "
        "RAG_EMBEDDINGS_*). On PostgreSQL it also enables pgvector once the extension is installed "
        "(restart the server afterwards)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", dest="everything", action="store_true", help="every indexed document, not only stale ones"
        )
        parser.add_argument("--user", help="only this user's documents")
        parser.add_argument("--dry-run", action="store_true", help="only count what needs embedding again")

    def handle(self, *args, everything, user, dry_run, **options):
        model = get_embedder().name
        if connection.vendor == "postgresql" and not dry_run:
            self.enable_pgvector()
        documents = Document.objects.filter(status=Document.STATUS_INDEXED)
        if not everything:
            documents = documents.filter(pk__in=stale_documents(model))
        if user:
            documents = documents.filter(owner__username=user)
        documents = list(documents.order_by("pk"))
        self.stdout.write(f"{len(documents)} documents need embedding with {model}.")
        if dry_run:
            return
        for document in tqdm(documents, unit="document", disable=options["verbosity"] == 0):
            try:
                reembed_document(document)
            except EmbeddingError as exc:
                raise CommandError(f"{document.title} (id {document.pk}): {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Embedded {len(documents)} documents with {model}."))

    def enable_pgvector(self) -> None:
        had_column = schema.has_vector_column(connection)
        if schema.install_postgresql(connection):
            schema.ensure_vector_index(connection, len(get_embedder().query("dimensions")))
            if not had_column:
                self.stdout.write("pgvector enabled.")
        vectors.forget_backend()


def stale_documents(model: str) -> list[int]:
    """Ids of documents with chunks from another model, or missing from the pgvector column."""
    condition = "embedding_model <> %s"
    if schema.has_vector_column(connection):
        condition += f" OR {schema.PG_VECTOR_COLUMN} IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT document_id FROM chat_chunk WHERE {condition}", [model])
        return [row[0] for row in cursor.fetchall()]
