"""manage.py ingest: files and directories, progress bars, failures, duplicates."""

import io

import pytest
from django.core.management import CommandError, call_command

from chat.models import Chunk, Document, Project
from chat.rag.retrieval import search
from chat.rag.scope import Scope

from .rag_corpus import FACTS, corpus_files, make_user


def ingest(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def folder(tmp_path):
    for name, data in corpus_files().items():
        (tmp_path / "docs" / ("manuals" if name.endswith(".pdf") else "")).mkdir(parents=True, exist_ok=True)
        (tmp_path / "docs" / ("manuals" if name.endswith(".pdf") else "") / name).write_bytes(data)
    (tmp_path / "docs" / "photo.jpg").write_bytes(b"\xff\xd8\xff")  # not a supported type: skipped
    return tmp_path / "docs"


def test_ingest_a_directory_into_a_project_with_progress(folder, capsys):
    owner = make_user()
    summary = ingest(str(folder), "--user", owner.username, "--project", "Manuals", "--create-project")
    assert summary.strip() == "Indexed 4 files (9 chunks), 0 unchanged, 0 failed."
    project = Project.objects.get(owner=owner, slug="manuals")
    documents = Document.objects.filter(owner=owner)
    assert sorted(documents.values_list("title", flat=True)) == sorted(corpus_files())
    assert set(documents.values_list("status", "project")) == {(Document.STATUS_INDEXED, project.pk)}
    bars = capsys.readouterr().err
    assert "4/4" in bars and "file/s" in bars and "chunk" in bars

    found = search(Scope(owner.pk, project.pk), FACTS[4].question, 3)
    assert found[0].title == "tessaly.pdf" and FACTS[4].answer in found[0].text

    again = ingest(str(folder), "--user", owner.username, "--project", "manuals")
    assert again.strip() == "Indexed 0 files (0 chunks), 4 unchanged, 0 failed."
    assert documents.count() == 4


def test_ingest_reports_failures_and_keeps_the_good_files(tmp_path):
    owner = make_user()
    (tmp_path / "good.txt").write_text("The Sorrel ferry carries 12 cars.")
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CommandError) as failure:
        ingest(
            str(tmp_path / "good.txt"), str(tmp_path / "bad.pdf"), str(tmp_path / "empty.txt"), "--user", owner.username
        )
    message = str(failure.value)
    assert "bad.pdf: Could not read the PDF" in message and "empty.txt: The file is empty." in message
    bad = Document.objects.get(owner=owner, title="bad.pdf")
    assert bad.status == Document.STATUS_FAILED and not Chunk.objects.filter(document=bad).exists()
    assert Document.objects.get(owner=owner, title="good.txt").status == Document.STATUS_INDEXED


def test_ingest_argument_errors(tmp_path):
    owner = make_user()
    (tmp_path / "a.txt").write_text("text")
    for args, message in [
        ([str(tmp_path / "missing.txt"), "--user", owner.username], "no such file or directory"),
        ([str(tmp_path), "--user", "nobody-at-all"], "There is no active user 'nobody-at-all'"),
        ([str(tmp_path), "--user", owner.username, "--project", "nope"], "--create-project"),
        ([str(tmp_path / "empty-dir"), "--user", owner.username], "no such file"),
    ]:
        with pytest.raises(CommandError, match=message):
            ingest(*args)
    (tmp_path / "only-images").mkdir()
    (tmp_path / "only-images" / "x.png").write_bytes(b"\x89PNG")
    with pytest.raises(CommandError, match="No files to index"):
        ingest(str(tmp_path / "only-images"), "--user", owner.username)
