"""REST endpoints for projects and documents; every query is limited to the requesting user."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, ErrorDetail, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from kulvex.roles import VIEWER, role_of

from ..models import Document, Project
from . import background
from .documents import DocumentRejected, create_document, delete_document, resolve_project
from .retrieval import search
from .scope import Scope
from .serializers import (
    DocumentSerializer,
    ProjectSerializer,
    SearchResultsSerializer,
    SearchSerializer,
    UploadSerializer,
)


def _first_error(detail, where: str = "") -> tuple[str, ErrorDetail]:
    if isinstance(detail, dict):
        key, value = next(iter(detail.items()))
        return _first_error(value, key if key != "non_field_errors" else where)
    if isinstance(detail, list):
        return _first_error(detail[0], where)
    return where, detail


def api_exception_handler(exc, context) -> Response | None:
    """DRF's errors as {code, detail} (and `fields` for invalid input), like the rest of KULVEX."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, APIException):
        where, first = _first_error(exc.detail)
        body = {
            "code": getattr(first, "code", exc.default_code),
            "detail": f"{where}: {first}" if where else str(first),
        }
        if isinstance(exc, ValidationError):
            body["fields"] = response.data
        response.data = body
    return response


def rejected(error: DocumentRejected) -> Response:
    codes = {"file_too_large": 413, "unsupported_type": 415}
    return Response({"code": error.code, "detail": error.message}, status=codes.get(error.code, 400))


class WritesNeedUserRole(BasePermission):
    message = "Viewers have read-only access."
    code = "forbidden"

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or role_of(request.user) != VIEWER


class OwnerAPIMixin:
    permission_classes = [IsAuthenticated, WritesNeedUserRole]

    def get_exception_handler(self):
        return api_exception_handler


class ProjectList(OwnerAPIMixin, generics.ListCreateAPIView):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return Project.objects.filter(owner=self.request.user)

    def perform_create(self, serializer) -> None:
        serializer.save(owner=self.request.user)


class ProjectDetail(OwnerAPIMixin, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = ProjectSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Project.objects.filter(owner=self.request.user)

    def perform_destroy(self, instance: Project) -> None:
        for document in instance.documents.all():  # with their stored files
            delete_document(document)
        instance.delete()


class DocumentList(OwnerAPIMixin, APIView):
    serializer_class = DocumentSerializer

    @extend_schema(
        operation_id="api_documents_list",
        parameters=[OpenApiParameter("project", str, description="only this project's (slug)")],
        responses=DocumentSerializer(many=True),
    )
    def get(self, request):
        documents = Document.objects.filter(owner=request.user).select_related("project")
        if request.query_params.get("project"):
            try:
                documents = documents.filter(project=resolve_project(request.user, request.query_params["project"]))
            except DocumentRejected as error:
                return rejected(error)
        return Response(DocumentSerializer(documents, many=True).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={202: DocumentSerializer})
    def post(self, request):
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        try:
            project = resolve_project(request.user, form.validated_data.get("project"))
            if upload.size > settings.RAG_MAX_UPLOAD_BYTES:  # before reading it into memory
                raise DocumentRejected("file_too_large", f"The limit is {settings.RAG_MAX_UPLOAD_BYTES} bytes.")
            document = create_document(
                request.user,
                upload.name,
                upload.read(),
                content_type=upload.content_type or "",
                project=project,
                title=form.validated_data.get("title", ""),
            )
        except DocumentRejected as error:
            return rejected(error)
        transaction.on_commit(lambda: background.submit(document.pk))
        return Response(DocumentSerializer(document).data, status=status.HTTP_202_ACCEPTED)


class DocumentDetail(OwnerAPIMixin, APIView):
    serializer_class = DocumentSerializer

    def get_object(self, pk: int) -> Document:
        return get_object_or_404(Document.objects.select_related("project"), pk=pk, owner=self.request.user)

    @extend_schema(parameters=[OpenApiParameter("wait", float, description="seconds to wait for indexing")])
    def get(self, request, pk: int):
        """`?wait=SECONDS` waits for indexing this server process started to finish."""
        document = self.get_object(pk)
        try:
            seconds = min(float(request.query_params.get("wait", 0)), settings.RAG_WAIT_MAX_SECONDS)
        except ValueError:
            return Response({"code": "invalid", "detail": "wait: a number of seconds."}, status=400)
        if seconds > 0 and document.status == Document.STATUS_PENDING:
            background.wait(document.pk, seconds)
            document.refresh_from_db()
        return Response(DocumentSerializer(document).data)

    def delete(self, request, pk: int):
        delete_document(self.get_object(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentSearch(OwnerAPIMixin, APIView):
    """The user's indexed chunks best matching `q`, as the sources chat would cite."""

    serializer_class = SearchResultsSerializer

    @extend_schema(parameters=[SearchSerializer])
    def get(self, request):
        form = SearchSerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        try:
            project = resolve_project(request.user, form.validated_data.get("project"))
        except DocumentRejected as error:
            return rejected(error)
        scope = Scope(request.user.pk, project.pk if project else None)
        found = search(scope, form.validated_data["q"], form.validated_data["limit"])
        return Response({"results": [item.as_source() for item in found]})
