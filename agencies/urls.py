from django.urls import path

from . import views

app_name = "agencies"
urlpatterns = [
    path("", views.AgencyDirectoryView.as_view(), name="directory"),
    path("<int:pk>/", views.AgencyDetailView.as_view(), name="detail"),
    path("routing-keys/pending/", views.PendingRoutingKeysView.as_view(), name="routing_keys_pending"),
    path("routing-keys/<int:pk>/approve/", views.RoutingKeyApproveView.as_view(), name="routing_key_approve"),
]
