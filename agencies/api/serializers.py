from rest_framework import serializers

from agencies.models import Agency, Region, RoutingKey, User
from agencies.selectors import sees_agency_members


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "population"]


class RoutingKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = RoutingKey
        fields = ["kind", "value", "note", "status"]


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "kind"]


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "role", "phone", "email", "is_service_account"]


class AgencySerializer(serializers.ModelSerializer):
    """A directory entry; ``members`` (the agency's active users) only for centres and leadership."""

    region = RegionSerializer(read_only=True)
    routing_keys = RoutingKeySerializer(many=True, read_only=True)
    members = MemberSerializer(source="active_members", many=True, read_only=True, required=False)

    class Meta:
        model = Agency
        fields = [
            "id", "code", "name", "kind", "region", "parent", "is_active",
            "duty_contact", "duty_phone", "routing_keys", "members",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or not sees_agency_members(request.user):
            fields.pop("members")
        return fields


class MeSerializer(serializers.ModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)
    region = RegionSerializer(source="agency.region", read_only=True, default=None)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role", "is_service_account", "agency", "region"]
