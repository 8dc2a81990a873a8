"""Django's admin is the platform superuser's tool only: agency admins work in the product's
console (agencies:console), where every write goes through the services and the audit log."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class SuperuserAdminConfig(AdminConfig):
    default_site = "core.admin_site.SuperuserAdminSite"
