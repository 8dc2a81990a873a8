from django.contrib import admin

from .models import AuditEntry, AuditSeal


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse only: append-only tables are never added to, changed or deleted from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit log can be browsed, never edited."""

    list_display = ["at", "actor_username", "agency", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_repr", "object_id"]
    date_hierarchy = "at"


@admin.register(AuditSeal)
class AuditSealAdmin(ReadOnlyAdmin):
    """Read-only: the seals of the audit log's hash chain (``manage.py audit_verify`` checks them)."""

    list_display = ["id", "first_id", "last_id", "count", "digest", "sealed_at"]
    fields = ["previous", "first_id", "last_id", "count", "digest", "cutoff", "sealed_at"]
    readonly_fields = fields
