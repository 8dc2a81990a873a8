from rest_framework import serializers

from core.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id", "at", "actor_username", "agency", "action",
            "object_type", "object_id", "object_repr", "detail", "ip_address",
        ]
        read_only_fields = fields
