"""One FilterSet per list, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from agencies.models import Region

from .choices import BulletinStatus, Channel, ContentKind, ContentStatus, TargetGroup
from .models import Bulletin, Campaign, ContentItem, Outreach


class RegionWithinFilter(django_filters.ModelChoiceFilter):
    """A region and everything below it."""

    def filter(self, qs, value):
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path}) if value else qs


class OutreachFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(label=_("日期起"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("日期止"), field_name="date", lookup_expr="lte")
    channel = django_filters.ChoiceFilter(label=_("方式"), choices=Channel.choices)
    target_group = django_filters.ChoiceFilter(label=_("对象人群"), choices=TargetGroup.choices)
    campaign = django_filters.ModelChoiceFilter(label=_("所属活动"), queryset=Campaign.objects.all())
    region = RegionWithinFilter(label=_("区域"), field_name="region", queryset=Region.objects.filter(level__gte=2))

    class Meta:
        model = Outreach
        fields = []


class CampaignFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), field_name="title", lookup_expr="icontains")
    active_on = django_filters.DateFilter(label=_("进行中（日期）"), method="filter_active")

    class Meta:
        model = Campaign
        fields = []

    def filter_active(self, qs, name, value):
        return qs.filter(starts_on__lte=value, ends_on__gte=value) if value else qs


class ContentFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=ContentKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ContentStatus.choices)
    typology = django_filters.NumberFilter(label=_("诈骗类型"), field_name="typology_id")

    class Meta:
        model = ContentItem
        fields = []


class BulletinFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=BulletinStatus.choices)

    class Meta:
        model = Bulletin
        fields = []
