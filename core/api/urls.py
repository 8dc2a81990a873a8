from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", views.RevokeTokenView.as_view(), name="api-token-revoke"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("audit/", views.AuditEntryListView.as_view(), name="api-audit"),
]
