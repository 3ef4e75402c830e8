from django.urls import path

from . import api

urlpatterns = [
    path("api/code-sessions/", api.CodeSessionList.as_view(), name="code-session-list"),
]
