from django.urls import path

from . import views

urlpatterns = [
    path("api/projects/", views.ProjectList.as_view(), name="project-list"),
    path("api/projects/<slug:slug>/", views.ProjectDetail.as_view(), name="project-detail"),
    path("api/documents/", views.DocumentList.as_view(), name="document-list"),
    path("api/documents/search/", views.DocumentSearch.as_view(), name="document-search"),
    path("api/documents/<int:pk>/", views.DocumentDetail.as_view(), name="document-detail"),
]
