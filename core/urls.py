from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.AuditLogView.as_view(), name="audit"),
    path("export/", views.AuditExportView.as_view(), name="audit_export"),
]
