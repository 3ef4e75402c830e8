"""Admin of projects, documents and chunks. Documents added here are indexed in the background."""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from ..models import Chunk, Document, Project
from . import background
from .documents import DocumentRejected, check_upload, delete_document
from .indexing import mark_pending


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "owner", "default_task_type", "updated_at"]
    list_filter = ["default_task_type"]
    date_hierarchy = "created_at"
    search_fields = ["name", "slug", "owner__username"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["owner"]
    list_select_related = ["owner"]


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["owner", "project", "title", "file"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["file"].required = True

    def clean(self) -> dict:
        cleaned = super().clean()
        upload, project, owner = cleaned.get("file"), cleaned.get("project"), cleaned.get("owner")
        if project is not None and owner is not None and project.owner_id != owner.pk:
            self.add_error("project", "The project belongs to another user.")
        if upload is not None and "file" in self.changed_data:
            try:
                self.instance.content_type = check_upload(
                    upload.name, upload.size, upload.content_type or "", upload.read(8)
                )
            except DocumentRejected as error:
                self.add_error("file", error.message)
            upload.seek(0)
            self.instance.size = upload.size
            cleaned["title"] = cleaned.get("title") or upload.name
        return cleaned


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    list_display = ["title", "owner", "project", "status", "chunks", "embedding_model", "created_at", "indexed_at"]
    list_filter = ["status", "project", "embedding_model", "content_type"]
    date_hierarchy = "created_at"
    search_fields = ["title", "owner__username", "error", "sha256"]
    list_select_related = ["owner", "project"]
    raw_id_fields = ["owner", "project"]
    readonly_fields = [
        "status", "error", "content_type", "size", "sha256", "chunk_count", "embedding_model",
        "created_at", "indexed_at",
    ]  # fmt: skip
    actions = ["reindex"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        # A stored file is indexed as it is; upload a new document for new content.
        return self.readonly_fields + (["owner", "file"] if obj else [])

    @admin.display(description="chunks", ordering="chunk_count")
    def chunks(self, obj: Document) -> str:
        url = reverse("admin:chat_chunk_changelist") + f"?document__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.chunk_count)

    def save_model(self, request, obj: Document, form, change: bool) -> None:
        if "file" in form.changed_data:
            obj.sha256 = _sha256(obj.file)
        super().save_model(request, obj, form, change)
        if not change or "project" in form.changed_data:
            # New, or moved: chunks carry their project for scoping, so index it again.
            mark_pending(obj)
            transaction.on_commit(lambda: background.submit(obj.pk))

    def delete_model(self, request, obj: Document) -> None:
        delete_document(obj)

    def delete_queryset(self, request, queryset) -> None:
        for document in queryset:
            delete_document(document)

    @admin.action(description="Index the selected documents again")
    def reindex(self, request, queryset) -> None:
        for document in queryset:
            mark_pending(document)
            transaction.on_commit(lambda pk=document.pk: background.submit(pk))
        self.message_user(request, f"{queryset.count()} documents queued for indexing.", messages.SUCCESS)


def _sha256(file) -> str:
    digest = hashlib.sha256()
    for block in file.chunks():
        digest.update(block)
    file.seek(0)
    return digest.hexdigest()


@admin.register(Chunk)
class ChunkAdmin(admin.ModelAdmin):
    """Read-only: chunks change only by indexing their document."""

    list_display = ["id", "document", "index", "heading", "short_text", "embedding_model", "owner"]
    list_filter = ["embedding_model"]
    search_fields = ["text", "heading", "document__title"]
    list_select_related = ["document", "owner"]
    fields = ["document", "owner", "project", "index", "heading", "text", "embedding_model"]
    readonly_fields = fields

    @admin.display(description="text")
    def short_text(self, obj: Chunk) -> str:
        return obj.text[:100]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
