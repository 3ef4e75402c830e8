from django.conf import settings
from django.db import models
from django.utils.text import slugify


class Project(models.Model):
    """A user's workspace: instructions for the assistant, documents and defaults."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    instructions = models.TextField(blank=True, help_text="Added to the system prompt of every chat in this project.")
    default_task_type = models.CharField(max_length=50, default="chat")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "slug"], name="unique_project_slug_per_owner")]

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200] or "project"
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    KIND_CHAT = "chat"
    KIND_VOICE = "voice"
    KIND_CODE = "code"
    KINDS = [(KIND_CHAT, "Chat"), (KIND_VOICE, "Voice"), (KIND_CODE, "Code")]

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations")
    title = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=KINDS, default=KIND_CHAT)
    task_type = models.CharField(max_length=50, default="chat")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self) -> str:
        return self.title or f"Conversation {self.pk}"


class Message(models.Model):
    ROLE_USER = "user"
    ROLE_ASSISTANT = "assistant"
    ROLE_SYSTEM = "system"
    ROLES = [(ROLE_USER, "User"), (ROLE_ASSISTANT, "Assistant"), (ROLE_SYSTEM, "System")]

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=ROLES)
    content = models.TextField(blank=True)
    model = models.CharField(max_length=200, blank=True)
    backend = models.CharField(max_length=100, blank=True)
    finish_reason = models.CharField(max_length=30, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    first_token_ms = models.FloatField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"


class Document(models.Model):
    STATUS_PENDING = "pending"
    STATUS_INDEXED = "indexed"
    STATUS_FAILED = "failed"
    STATUSES = [(STATUS_PENDING, "Pending"), (STATUS_INDEXED, "Indexed"), (STATUS_FAILED, "Failed")]

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=STATUS_PENDING)
    error = models.TextField(blank=True)
    embedding_model = models.CharField(max_length=200, blank=True)
    chunk_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    indexed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.title


class Chunk(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    # Denormalised so retrieval filters without joins.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    index = models.PositiveIntegerField()
    heading = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    # float32 little-endian vector; on PostgreSQL a pgvector column mirrors it for search.
    embedding = models.BinaryField()
    embedding_model = models.CharField(max_length=200)

    class Meta:
        ordering = ["document_id", "index"]
        indexes = [models.Index(fields=["owner", "project"])]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.index}"
