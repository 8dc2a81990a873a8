"""One FilterSet for the request pages and the API list."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.datetimes import BoundedIsoDateTimeFilter

from .choices import Direction, RequestKind, RequestStatus
from .models import Request


class AnyYesNo(forms.NullBooleanSelect):
    """A yes/no filter whose unset choice reads "all", not "unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", _("全部")), ("true", _("是")), ("false", _("否")))


class OneOfMany(forms.Select):
    """One choice from a select box for a filter that takes several (``kind``, ``status``): the
    inbox's compact form; the blank choice means no filter."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [v for v in values if v]


CLAIM_CHOICES = (("mine", _("我认领的")), ("free", _("未认领")), ("others", _("他人认领")))


def overdue_q(now) -> Q:
    """Open requests past the deadline that matters now, or already escalated."""
    open_ = Q(status__in=[RequestStatus.DELIVERED, RequestStatus.ACKNOWLEDGED])
    ack_late = Q(status=RequestStatus.DELIVERED, ack_due_at__lt=now)
    ack_none_late = Q(status=RequestStatus.DELIVERED, ack_due_at__isnull=True, complete_due_at__lt=now)
    complete_late = Q(status=RequestStatus.ACKNOWLEDGED, complete_due_at__lt=now)
    return open_ & (Q(escalated_at__isnull=False) | ack_late | ack_none_late | complete_late)


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
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("超时"), widget=AnyYesNo)
    claim = django_filters.ChoiceFilter(choices=CLAIM_CHOICES, method="filter_claim", label=_("认领"),
                                        empty_label=_("全部"))

    class Meta:
        model = Request
        fields = ["kind", "status", "direction", "since", "escalated", "agency", "q", "overdue", "claim"]

    def filter_overdue(self, queryset, name, value):
        """Open and past the deadline that matters now (``alerts_tags.due_at``), or escalated."""
        late = overdue_q(timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_claim(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value == "free":
            return queryset.filter(claimed_by__isnull=True)
        if value == "mine" and user is not None:
            return queryset.filter(claimed_by_id=user.pk)
        if value == "others" and user is not None:
            return queryset.filter(claimed_by__isnull=False).exclude(claimed_by_id=user.pk)
        return queryset

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
        # An account, a phone number, a URL (the target), a request number or a case number.
        return queryset.filter(Q(number__icontains=value) | Q(target_value__icontains=value) | Q(case__number__icontains=value))
