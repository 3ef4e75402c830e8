"""REST endpoints of chat: one's own conversations, and the LLM backends' health."""

from asgiref.sync import async_to_sync
from django.db.models import Count
from rest_framework import generics
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from .llm import get_router
from .models import Conversation
from .serializers import ConversationDetailSerializer, ConversationSerializer


class ConversationPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class OwnConversations:
    """Every query is scoped to the requesting user: others' conversations do not exist."""

    def get_queryset(self):
        conversations = (
            Conversation.objects.filter(owner=self.request.user)
            .select_related("project")
            .annotate(message_count=Count("messages"))
        )
        kind = self.request.query_params.get("kind")
        return conversations.filter(kind=kind) if kind else conversations


class ConversationList(OwnConversations, generics.ListAPIView):
    serializer_class = ConversationSerializer
    pagination_class = ConversationPagination


class ConversationDetail(OwnConversations, generics.RetrieveDestroyAPIView):
    serializer_class = ConversationDetailSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_related("messages")


class AIStatus(APIView):
    """Routes and each backend's health (probed now); no URLs or keys."""

    def get(self, request):
        # Probes run on the server's event loop, where the backends' connections live.
        return Response(async_to_sync(get_router().status)())
