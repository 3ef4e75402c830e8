"""Adding and removing a user's documents, whichever way they come in (REST, admin, command)."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile

from ..models import Document, Project
from .extract import UnsupportedType, detect_type


class DocumentRejected(Exception):
    """A file refused before it is stored, with a stable code and a message for its owner."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def resolve_project(owner, reference: str | int | None) -> Project | None:
    """The owner's project by slug (or id); None for no reference; DocumentRejected if unknown."""
    if reference in (None, ""):
        return None
    projects = Project.objects.filter(owner=owner)
    text = str(reference)
    project = projects.filter(slug=text).first() or (projects.filter(pk=int(text)).first() if text.isdigit() else None)
    if project is None:
        raise DocumentRejected("unknown_project", f"You have no project {text!r}.")
    return project


def check_upload(name: str, size: int, content_type: str = "", head: bytes = b"") -> str:
    """The canonical content type of an acceptable file; DocumentRejected otherwise."""
    if size > settings.RAG_MAX_UPLOAD_BYTES:
        raise DocumentRejected(
            "file_too_large", f"The file has {size} bytes; the limit is {settings.RAG_MAX_UPLOAD_BYTES}."
        )
    if size == 0:
        raise DocumentRejected("empty_file", "The file is empty.")
    try:
        return detect_type(name, content_type, head)
    except UnsupportedType as exc:
        raise DocumentRejected("unsupported_type", str(exc)) from None


def create_document(
    owner, name: str, data: bytes, *, content_type: str = "", project: Project | None = None, title: str = ""
) -> Document:
    """Store the file as a pending document; index it with `indexing.index_document`."""
    detected = check_upload(name, len(data), content_type, data[:8])
    document = Document(
        owner=owner,
        project=project,
        title=(title or name)[:300],
        content_type=detected,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    document.file.save(_storage_name(name), ContentFile(data), save=False)
    document.save()
    return document


def _storage_name(name: str) -> str:
    """A file name that fits Document.file (100 characters with its directory); the title keeps the whole."""
    path = PurePath(name)
    return path.stem[:50] + path.suffix[:10]


def find_duplicate(owner, project: Project | None, data: bytes) -> Document | None:
    """An indexed document of the owner with the same content in the same project."""
    return Document.objects.filter(
        owner=owner, project=project, sha256=hashlib.sha256(data).hexdigest(), status=Document.STATUS_INDEXED
    ).first()


def delete_document(document: Document) -> None:
    """Delete the document, its chunks and its stored file."""
    if document.file:
        document.file.delete(save=False)
    document.delete()
