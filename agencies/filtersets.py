import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AgencyKind
from .models import Agency


class AgencyFilterSet(django_filters.FilterSet):
    """Shared by the member directory page and ``GET /api/v1/agencies/``."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=AgencyKind.choices, label=_("类型"))

    class Meta:
        model = Agency
        fields = ["q", "kind", "region", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(routing_keys__value=value)
        ).distinct()
