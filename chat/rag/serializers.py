from django.utils.text import slugify
from rest_framework import serializers

from ..models import Document, Project


class ProjectSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = Project
        fields = ["id", "name", "slug", "instructions", "default_task_type", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        name = attrs.get("name", self.instance.name if self.instance else "")
        if not attrs.get("slug") and (self.instance is None or "slug" in attrs):
            attrs["slug"] = slugify(name)[:200] or "project"
        slug = attrs.get("slug")
        owner = self.context["request"].user
        taken = Project.objects.filter(owner=owner, slug=slug).exclude(pk=getattr(self.instance, "pk", None))
        if slug and taken.exists():
            raise serializers.ValidationError({"slug": f"You already have a project {slug!r}."}, code="slug_taken")
        return attrs


class DocumentSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id", "title", "project", "status", "error", "content_type", "size", "sha256",
            "chunk_count", "embedding_model", "created_at", "indexed_at",
        ]  # fmt: skip
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    project = serializers.CharField(required=False, allow_blank=True, help_text="the project's slug or id")
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SearchSerializer(serializers.Serializer):
    q = serializers.CharField()
    project = serializers.CharField(required=False, allow_blank=True)
    limit = serializers.IntegerField(required=False, min_value=1, default=5)


class SourceSerializer(serializers.Serializer):
    document_id = serializers.IntegerField()
    title = serializers.CharField()
    chunk_id = serializers.IntegerField()
    score = serializers.FloatField()
    excerpt = serializers.CharField()


class SearchResultsSerializer(serializers.Serializer):
    results = SourceSerializer(many=True)
