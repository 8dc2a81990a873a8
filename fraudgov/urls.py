from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views

# The calls agency systems make all day (requests, events) first: every pattern tried before
# the match costs each call, and a failed include builds the list of what it tried.
api_v1 = [
    path("", include("alerts.api.urls")),
    path("", include("events.api.urls")),
    path("", include("core.api.urls")),
    path("", include("agencies.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("dashboards.api.urls")),
    path("", include("propaganda.api.urls")),
]

urlpatterns = [
    # First for the same reason: each include before it that does not match raises and catches
    # a Resolver404 on every API call.
    path("api/v1/", include(api_v1)),
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("audit/", include("core.urls")),
    path("agencies/", include("agencies.urls")),
    path("cases/", include("cases.urls")),
    path("requests/", include("alerts.urls")),
    path("publicity/", include("propaganda.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a file (?script): no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="core/api_docs.html"),
         name="api-docs"),
]

# No route serves MEDIA_ROOT, not even under DEBUG: uploads are read through views that check
# the viewer may see the owning object (core.storage).
