"""Documents through the Django admin of the real server: add, status, chunks, re-index, delete."""

import httpx
import pytest

from chat.models import Chunk, Document, Project
from kulvex.testing import AdminBrowser

from .rag_corpus import KRANTZ_TXT


class Admin(AdminBrowser):
    """A logged-in admin that can also wait for a document's indexing, as its owner sees it."""

    def indexed(self, document: Document, owner) -> dict:
        headers = {"Authorization": f"Bearer {owner.token}"}
        url = f"/api/documents/{document.pk}/"
        return httpx.get(f"{self.base_url}{url}", params={"wait": 60}, headers=headers, timeout=70).json()


@pytest.fixture
def admin(server, make_account):
    account = make_account("admin")
    return Admin(server.url, account.username, account.password)


def test_a_document_added_in_the_admin_is_indexed_and_can_be_reindexed(admin, make_account):
    account = make_account()
    owner = account.user
    project = Project.objects.create(owner=owner, name="Pumps")
    response = admin.submit(
        "/admin/chat/document/add/",
        {"owner": owner.pk, "project": project.pk, "title": ""},
        files={"file": ("krantz.txt", KRANTZ_TXT.encode(), "text/plain")},
    )
    assert response.status_code == 302, response.text
    document = Document.objects.get(owner=owner)
    assert (document.title, document.content_type, document.size) == ("krantz.txt", "text/plain", len(KRANTZ_TXT))
    assert admin.indexed(document, account)["status"] == "indexed"
    old_chunks = set(document.chunks.values_list("id", flat=True))
    assert old_chunks

    listing = admin.get("/admin/chat/document/", params={"q": "krantz"})
    assert "krantz.txt" in listing.text and f"?document__id__exact={document.pk}" in listing.text
    chunks = admin.get("/admin/chat/chunk/", params={"document__id__exact": document.pk})
    assert "418 litres" in chunks.text

    response = admin.submit(
        "/admin/chat/document/", {"action": "reindex", "_selected_action": [document.pk], "index": 0}
    )
    assert response.status_code == 302
    assert admin.indexed(document, account)["status"] == "indexed"
    new_chunks = set(document.chunks.values_list("id", flat=True))
    assert new_chunks and not new_chunks & old_chunks

    response = admin.submit(f"/admin/chat/document/{document.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not Chunk.objects.filter(pk__in=new_chunks).exists()


def test_the_admin_refuses_unsupported_files_and_foreign_projects(admin, make_account):
    owner, other = make_account().user, make_account().user
    foreign = Project.objects.create(owner=other, name="Not yours")
    response = admin.submit(
        "/admin/chat/document/add/",
        {"owner": owner.pk, "project": foreign.pk, "title": "x"},
        files={"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")},
    )
    assert response.status_code == 200  # the form again, with errors
    assert "not a supported file type" in response.text
    assert "The project belongs to another user." in response.text
    assert not Document.objects.filter(owner=owner).exists()
