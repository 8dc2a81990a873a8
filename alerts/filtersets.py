"""One FilterSet for the request pages and the API list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.datetimes import BoundedIsoDateTimeFilter

from .choices import Direction, RequestKind, RequestStatus
from .models import Request


class RequestFilterSet(django_filters.FilterSet):
    # distinct=False: both are columns of the request row itself, so no row can repeat, and the
    # filter's default DISTINCT over every selected column of the joined relations made an
    # agency system's inbox poll sort its whole result (16 ms of PostgreSQL per poll).
    kind = django_filters.MultipleChoiceFilter(choices=RequestKind.choices, distinct=False, label=_("类型"))
    status = django_filters.MultipleChoiceFilter(choices=RequestStatus.choices, distinct=False, label=_("状态"))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, method="filter_direction", label=_("方向"))
    since = BoundedIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", label=_("更新于此后"))
    escalated = django_filters.BooleanFilter(field_name="escalated_at", lookup_expr="isnull", exclude=True, label=_("已督办"))
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.filter(is_active=True).order_by("kind", "code"), method="filter_agency",
        field_name="target_agency",  # names the type for the schema; the method also matches secondary_agency
        label=_("接收单位"),
    )
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))

    class Meta:
        model = Request
        fields = ["kind", "status", "direction", "since", "escalated", "agency", "q"]

    def filter_direction(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if user is None or not getattr(user, "agency_id", None):
            return queryset
        if value == Direction.IN:
            return queryset.filter(Q(target_agency_id=user.agency_id) | Q(secondary_agency_id=user.agency_id))
        return queryset.filter(issuing_agency_id=user.agency_id)

    def filter_agency(self, queryset, name, value):
        return queryset.filter(Q(target_agency=value) | Q(secondary_agency=value))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(target_value__icontains=value) | Q(case__number__icontains=value))
