"""One FilterSet for the triage queue page and ``GET /api/v1/cases/``."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Region
from core.datetimes import BoundedIsoDateTimeFilter

from .choices import CaseStatus
from .models import Case, CaseIndicator, Typology, Victim
from .normalize import candidate_indicators

OPEN_STATUSES = [CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.INVESTIGATING]
# A partial case number (its middle or its end) is searched for from this many characters on
# (a trigram index serves it: migration cases 0005).
PARTIAL_NUMBER_MIN = 4


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """"全部 / 是 / 否" instead of Django's "未知 / 是 / 否" (which reads as a value of its own)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q", help_text=_("案件编号、线索或受害人姓名"))
    typology = django_filters.ModelMultipleChoiceFilter(
        label=_("诈骗类型"), queryset=Typology.objects.all(), field_name="typology"
    )
    region = django_filters.ModelChoiceFilter(label=_("发案地"), queryset=Region.objects.all(), method="filter_region")
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=CaseStatus.choices)
    open = django_filters.BooleanFilter(label=_("仅未结案件"), method="filter_open", widget=YesNoWidget)
    reported_after = BoundedIsoDateTimeFilter(label=_("报案时间起"), field_name="reported_at", lookup_expr="gte")
    reported_before = BoundedIsoDateTimeFilter(label=_("报案时间止"), field_name="reported_at", lookup_expr="lte")
    date_from = django_filters.DateFilter(label=_("报案日期起"), field_name="reported_at__date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("报案日期止"), field_name="reported_at__date", lookup_expr="lte")
    loss_min = django_filters.NumberFilter(label=_("最低金额"), field_name="loss_amount", lookup_expr="gte")
    loss_max = django_filters.NumberFilter(label=_("最高金额"), field_name="loss_amount", lookup_expr="lte")
    ring_size_min = django_filters.NumberFilter(label=_("团伙规模不少于"), field_name="ring__case_count", lookup_expr="gte")
    ring = django_filters.NumberFilter(label=_("团伙"), field_name="ring_id")
    assigned_to_me = django_filters.BooleanFilter(label=_("指派给我"), method="filter_mine", widget=YesNoWidget)
    duplicate = django_filters.BooleanFilter(label=_("疑似重复"), field_name="possible_duplicate_of", lookup_expr="isnull",
                                             exclude=True, widget=YesNoWidget)

    class Meta:
        model = Case
        fields = []

    def filter_region(self, queryset, name, value):
        return queryset.filter(region__path__startswith=value.path) if value else queryset

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(assigned_to=user) if value and user else queryset

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        cond = Q(number__iexact=value) | Q(number__startswith=value.upper())
        if len(value) >= PARTIAL_NUMBER_MIN and value.isalnum():
            cond |= Q(number__contains=value.upper())
        pairs = [(c.kind, c.value) for c in candidate_indicators(value)]
        if pairs:
            ind_q = Q()
            for kind, norm in pairs:
                ind_q |= Q(indicator__kind=kind, indicator__value=norm)
            cond |= Q(Exists(CaseIndicator.objects.filter(ind_q, case_id=OuterRef("pk"))))
        cond |= Q(Exists(Victim.objects.filter(case_id=OuterRef("pk"), name=value)))
        return queryset.filter(cond)
