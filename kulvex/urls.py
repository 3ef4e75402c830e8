from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from . import api, dashboard, sessions_api

urlpatterns = [
    path("health", api.HealthView.as_view(), name="health"),
    path("api/auth/login", api.LoginView.as_view(), name="login"),
    path("api/auth/refresh", api.RefreshView.as_view(), name="refresh"),
    path("api/auth/me", api.MeView.as_view(), name="me"),
    path("api/auth/token/", TokenObtainPairView.as_view(), name="token_obtain_pair"),
    path("api/auth/token/refresh/", TokenRefreshView.as_view(), name="token_refresh"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/dashboard/profile", dashboard.ProfileView.as_view(), name="dashboard-profile"),
    path("api/sessions/", sessions_api.SessionListView.as_view(), name="sessions"),
    path("api/sessions/terminal/<str:session_id>/end", sessions_api.EndTerminalView.as_view(), name="end-terminal"),
    path("admin/", admin.site.urls),
    path("", include("chat.urls")),
    path("", include("voice.urls")),
    path("", include("terminal.urls")),
    path("", dashboard.index, name="dashboard"),
]
