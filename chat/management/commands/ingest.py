"""manage.py ingest PATH... [--user U] [--project P]: index files for a user."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify
from tqdm import tqdm

from chat.models import Document, Project
from chat.rag.documents import DocumentRejected, create_document, find_duplicate, resolve_project
from chat.rag.extract import EXTENSIONS
from chat.rag.indexing import index_document
from kulvex.users import UnknownUser, active_user, only_superuser


class ChunkBar:
    """A progress bar over the chunks of one file, made once their number is known."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.enabled and self.bar is None:
            self.bar = tqdm(total=total, unit="chunk", position=1, leave=False)
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = "Index text, Markdown, HTML and PDF files (directories recursively) for a user's retrieval."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--user", help="the owner's username (default: the only superuser)")
        parser.add_argument("--project", help="the owner's project slug")
        parser.add_argument("--create-project", action="store_true", help="create --project if it does not exist")

    def handle(self, *args, paths, user, project, create_project, **options):
        owner = self.owner(user)
        target = self.project(owner, project, create_project)
        files = collect(paths)
        if not files:
            raise CommandError(f"No files to index; KULVEX indexes {', '.join(sorted(EXTENSIONS))}.")
        show = options["verbosity"] > 0
        counts, chunks, failures = Counter(), 0, []
        for path in tqdm(files, unit="file", position=0, disable=not show):
            state, detail = self.ingest(owner, target, path, show)
            counts[state] += 1
            if state == "failed":
                failures.append(f"{path}: {detail}")
            else:
                chunks += detail
        self.stdout.write(
            f"Indexed {counts['indexed']} files ({chunks} chunks), "
            f"{counts['unchanged']} unchanged, {counts['failed']} failed."
        )
        if failures:
            raise CommandError("Some files could not be indexed:\n  " + "\n  ".join(failures))

    def ingest(self, owner, project: Project | None, path: Path, show: bool) -> tuple[str, int | str]:
        """("indexed", its chunk count), ("unchanged", 0) or ("failed", the reason)."""
        data = path.read_bytes()
        if find_duplicate(owner, project, data):
            return "unchanged", 0
        try:
            document = create_document(owner, path.name, data, project=project)
        except DocumentRejected as error:
            return "failed", error.message
        bar = ChunkBar(show)
        try:
            document = index_document(document, progress=bar)
        finally:
            bar.close()
        if document.status != Document.STATUS_INDEXED:
            return "failed", document.error
        return "indexed", document.chunk_count

    def owner(self, username: str | None):
        try:
            return active_user(username) if username else only_superuser()
        except UnknownUser as exc:
            raise CommandError(str(exc)) from None

    def project(self, owner, slug: str | None, create: bool) -> Project | None:
        if slug and create:
            return Project.objects.get_or_create(owner=owner, slug=slugify(slug), defaults={"name": slug})[0]
        try:
            return resolve_project(owner, slug)
        except DocumentRejected as error:
            raise CommandError(f"{error.message} Pass --create-project to create it.") from None


def collect(paths: list[str]) -> list[Path]:
    """The files named, and the supported files under the directories named, sorted."""
    found = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)
        elif path.is_file():
            found.append(path)
        else:
            raise CommandError(f"{name}: no such file or directory.")
    return found
