"""chat:send with use_rag through the real server: sources, the prompt, scoping, isolation."""

import pytest

from chat.models import Chunk, Message
from kulvex.testing import SocketClient
from kulvex.tokens import issue_tokens

from .chatting import ask, rejected, upstream_request
from .rag_corpus import FACTS, corpus_files, ingest, make_project, make_user

pytestmark = pytest.mark.asyncio
BOB_SECRET = "The Zorblax X9 hovers for 99 minutes on the prototype cell of Rivka Obst."


@pytest.fixture(scope="module")
def shelf():
    """Alice's corpus: the drone in project Drones (with instructions), the rest in Workshop."""
    alice, bob = make_user("alice"), make_user("bob")
    drones = make_project(alice, "Drones")
    drones.instructions = "Give flight times in minutes."
    drones.save()
    workshop = make_project(alice, "Workshop")
    for name, data in corpus_files().items():
        ingest(alice, name, data, drones if name.startswith("zorblax") else workshop)
    secret = ingest(bob, "bob-notes.txt", BOB_SECRET.encode())
    tokens = {user.username: issue_tokens(user)["access_token"] for user in (alice, bob)}
    return {"alice": alice, "bob": bob, "tokens": tokens, "secret": secret}


async def connected(server, shelf, who: str) -> SocketClient:
    client = SocketClient(server.url)
    return await client.connect(shelf["tokens"][shelf[who].username])


async def test_the_answering_chunk_is_the_first_source_and_is_kept(routed_server, fake_llm, shelf):
    fact = FACTS[0]
    battery = Chunk.objects.get(owner=shelf["alice"], text__contains=fact.answer)
    async with await connected(routed_server, shelf, "alice") as client:
        done, _ = await ask(client, message=fact.question, use_rag=True)
    sources = done["sources"]
    assert sources[0]["chunk_id"] == battery.pk
    assert sources[0]["document_id"] == battery.document_id and sources[0]["title"] == fact.file
    assert fact.answer in sources[0]["excerpt"]
    assert all(set(source) == {"document_id", "title", "chunk_id", "score", "excerpt"} for source in sources)
    assert [source["score"] for source in sources] == sorted((source["score"] for source in sources), reverse=True)
    assert Message.objects.get(pk=done["message_id"]).sources == sources

    messages = upstream_request(fake_llm, fact.question)["messages"]
    context = next(i for i, m in enumerate(messages) if m["role"] == "system" and fact.answer in m["content"])
    assert context < len(messages) - 1 and messages[-1] == {"role": "user", "content": fact.question}


async def test_project_scopes_sources_and_adds_its_instructions(routed_server, fake_llm, shelf):
    question = "How long does the Zorblax X9 hover, and what does the K-12 pump move? (scoped)"
    drone_chunks = set(Chunk.objects.filter(owner=shelf["alice"], project__slug="drones").values_list("id", flat=True))
    async with await connected(routed_server, shelf, "alice") as client:
        in_drones, _ = await ask(client, message=question, use_rag=True, project="drones")
        in_workshop, _ = await ask(client, message=question + " ", use_rag=True, project="workshop")
    assert in_drones["sources"] and {s["chunk_id"] for s in in_drones["sources"]} <= drone_chunks
    assert in_workshop["sources"] and not {s["chunk_id"] for s in in_workshop["sources"]} & drone_chunks

    system = [m["content"] for m in upstream_request(fake_llm, question)["messages"] if m["role"] == "system"]
    instructions = next(i for i, text in enumerate(system) if "Give flight times in minutes." in text)
    context = next(i for i, text in enumerate(system) if "41 minutes" in text)
    assert 0 < instructions < context  # system prompt → project instructions → retrieved context


async def test_other_users_documents_never_reach_sources(routed_server, shelf):
    async with await connected(routed_server, shelf, "alice") as alice:
        done, _ = await ask(alice, message="Rivka Obst prototype cell: how many minutes?", use_rag=True)
    assert done["sources"] and shelf["secret"].pk not in {s["document_id"] for s in done["sources"]}
    async with await connected(routed_server, shelf, "bob") as bob:
        done, _ = await ask(bob, message=FACTS[0].question + " (bob)", use_rag=True)
        # Alice's project slug means nothing for Bob.
        await rejected(bob, {"message": "hello", "use_rag": True, "project": "drones"}, "unknown_project")
    assert {s["document_id"] for s in done["sources"]} == {shelf["secret"].pk}


async def test_unknown_project_and_rag_off(routed_server, shelf):
    async with await connected(routed_server, shelf, "alice") as client:
        await rejected(client, {"message": "hello", "use_rag": True, "project": "no-such-project"}, "unknown_project")
        done, _ = await ask(client, message=FACTS[1].question)
    assert not done.get("sources")
