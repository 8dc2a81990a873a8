from rest_framework import serializers

from agencies.models import Agency, Region, RoutingKey, User


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "population"]


class RoutingKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = RoutingKey
        fields = ["kind", "value", "note"]


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "kind"]


class AgencySerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)
    routing_keys = RoutingKeySerializer(many=True, read_only=True)

    class Meta:
        model = Agency
        fields = [
            "id", "code", "name", "kind", "region", "parent", "is_active",
            "duty_contact", "duty_phone", "routing_keys",
        ]


class MeSerializer(serializers.ModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)
    region = RegionSerializer(source="agency.region", read_only=True, default=None)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role", "is_service_account", "agency", "region"]
