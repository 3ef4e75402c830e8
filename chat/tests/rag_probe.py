"""Retrieval against another database, in its own process (Django binds one database at setup).

    DATABASE_URL=postgres://... python -m chat.tests.rag_probe

Migrates, indexes the test corpus for one user and a secret for another, and prints one JSON
line: the search backends in use, each fact's best chunk per search mode, and whether the
secret ever reached the first user.
"""

from __future__ import annotations

import json
import os


def probe() -> dict:
    from django.core.management import call_command
    from django.db import connection

    from chat.rag import engines
    from chat.rag.retrieval import HYBRID, KEYWORD, VECTOR, search
    from chat.rag.schema import PG_VECTOR_COLUMN, has_vector_column
    from chat.rag.scope import Scope

    from .rag_corpus import FACTS, corpus_files, ingest, make_user

    call_command("migrate", verbosity=0, interactive=False)
    alice, bob = make_user("alice"), make_user("bob")
    for name, data in corpus_files().items():
        ingest(alice, name, data)
    secret = ingest(bob, "bob.txt", b"The Zorblax X9 hovers for 99 minutes on the prototype cell of Rivka Obst.")
    best = {
        mode: [
            (found[0].text if (found := search(Scope(alice.pk), fact.question, 3, mode=mode)) else "") for fact in FACTS
        ]
        for mode in (HYBRID, VECTOR, KEYWORD)
    }
    seen_by_alice = {
        item.document_id
        for mode in (HYBRID, VECTOR, KEYWORD)
        for item in search(Scope(alice.pk), "Zorblax hover minutes prototype Rivka Obst", 20, mode=mode)
    }
    stored_vectors = None
    if has_vector_column(connection):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM chat_chunk WHERE {PG_VECTOR_COLUMN} IS NOT NULL")
            stored_vectors = cursor.fetchone()[0]
    return {
        "engines": engines(),
        "best": best,
        "answers": [fact.answer for fact in FACTS],
        "leaked": secret.pk in seen_by_alice,
        "stored_vectors": stored_vectors,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kulvex.settings")
    import django

    django.setup()
    print(json.dumps(probe()))
