from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Agency, Region
from cases.models import Typology

from ..choices import Channel, TargetGroup
from ..constants import PHOTO_MAX_PER_OUTREACH
from ..models import Bulletin, BulletinReceipt, Campaign, ContentItem, Outreach


class CampaignSerializer(serializers.ModelSerializer):
    typologies = serializers.PrimaryKeyRelatedField(many=True, queryset=Typology.objects.all(), required=False)
    target_regions = serializers.PrimaryKeyRelatedField(many=True, queryset=Region.objects.all())
    agencies = serializers.PrimaryKeyRelatedField(many=True, queryset=Agency.objects.all(), required=False)
    target_groups = serializers.ListField(child=serializers.ChoiceField(choices=TargetGroup.choices), required=False)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), required=False)
    owner_agency_name = serializers.CharField(source="owner_agency.name", read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "title", "message", "typologies", "target_groups", "target_regions", "channels",
                  "starts_on", "ends_on", "agencies", "owner_agency", "owner_agency_name", "created_at"]
        read_only_fields = ["id", "owner_agency", "owner_agency_name", "created_at"]


class EffectArmSerializer(serializers.Serializer):
    population = serializers.IntegerField()
    before_cases = serializers.IntegerField()
    after_cases = serializers.IntegerField()
    before_rate = serializers.FloatField(allow_null=True)
    after_rate = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)


class EffectSerializer(serializers.Serializer):
    before = serializers.ListField(child=serializers.DateField())
    after = serializers.ListField(child=serializers.DateField())
    treated = EffectArmSerializer()
    control = EffectArmSerializer()
    control_regions = serializers.SerializerMethodField()
    groups_only = serializers.BooleanField()
    did = serializers.FloatField(allow_null=True, help_text=_("（目标区域变化）-（对照区域变化），每万人每30天"))
    caveat = serializers.CharField()

    def get_control_regions(self, obj) -> list[str]:
        return [r.name for r in obj.control_regions]


class OutreachSerializer(serializers.ModelSerializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False,
                                                help_text=_("默认为本单位服务区域"))
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    materials = serializers.PrimaryKeyRelatedField(many=True, queryset=ContentItem.objects.all(), required=False)
    photos = serializers.ListField(child=serializers.FileField(), write_only=True, required=False,
                                   max_length=PHOTO_MAX_PER_OUTREACH)
    people_reached = serializers.IntegerField(help_text=_("1 至 100000"))  # range checked by the service
    photo_urls = serializers.SerializerMethodField()
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Outreach
        fields = ["id", "date", "place", "region", "region_name", "channel", "target_group", "people_reached",
                  "campaign", "materials", "materials_note", "note", "photos", "photo_urls", "agency",
                  "agency_name", "created_at"]
        read_only_fields = ["id", "agency", "agency_name", "region_name", "created_at", "photo_urls"]

    def get_photo_urls(self, obj) -> list[str]:
        # Served only by the viewset's photo action, which checks the caller (core.storage).
        request = self.context.get("request")
        urls = [reverse("api-outreach-photo", args=[obj.pk, p.pk]) for p in obj.photos.all()]
        return [request.build_absolute_uri(u) for u in urls] if request is not None else urls


class ReceiptSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    agency_kind = serializers.CharField(source="agency.kind", read_only=True)
    opened_by = serializers.CharField(source="opened_by.username", read_only=True, default=None)

    class Meta:
        model = BulletinReceipt
        fields = ["agency", "agency_name", "agency_kind", "delivered_at", "opened_at", "opened_by"]
        read_only_fields = fields


class BulletinSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Bulletin
        fields = ["id", "week_start", "region", "agency", "agency_name", "title", "body", "advice", "figures",
                  "status", "published_at", "created_at", "updated_at"]
        read_only_fields = ["id", "region", "agency", "agency_name", "figures", "status", "published_at",
                            "created_at", "updated_at"]


class BulletinDraftSerializer(serializers.Serializer):
    week_start = serializers.DateField(required=False, help_text=_("该周任意一天；默认上周"))


class ContentItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContentItem
        fields = ["id", "kind", "title", "typology", "body", "link", "status", "review_note", "agency", "created_at"]
        read_only_fields = fields
