from django.urls import include, path

from . import api

urlpatterns: list = [
    path("api/conversations/", api.ConversationList.as_view(), name="conversation-list"),
    path("api/conversations/<int:pk>/", api.ConversationDetail.as_view(), name="conversation-detail"),
    path("api/ai/status", api.AIStatus.as_view(), name="ai-status"),
    path("", include("chat.rag.urls")),
]
