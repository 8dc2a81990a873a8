from django.urls import path

from . import views

app_name = "agencies"
urlpatterns = [
    path("", views.AgencyDirectoryView.as_view(), name="directory"),
    path("<int:pk>/", views.AgencyDetailView.as_view(), name="detail"),
    path("routing-keys/pending/", views.PendingRoutingKeysView.as_view(), name="routing_keys_pending"),
    path("routing-keys/<int:pk>/approve/", views.RoutingKeyApproveView.as_view(), name="routing_key_approve"),
    path("console/", views.ConsoleView.as_view(), name="console"),
    path("console/duty/", views.ConsoleDutyView.as_view(), name="console_duty"),
    path("console/routing-keys/", views.ConsoleRoutingKeyAddView.as_view(), name="console_key_add"),
    path("console/routing-keys/<int:pk>/delete/", views.ConsoleRoutingKeyDeleteView.as_view(), name="console_key_delete"),
    path("console/users/new/", views.ConsoleUserCreateView.as_view(), name="console_user_new"),
    path("console/users/<int:pk>/", views.ConsoleUserView.as_view(), name="console_user"),
    path("console/import/", views.ConsoleImportView.as_view(), name="console_import"),
]
