import django_filters
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .choices import AuditAction
from .models import AuditEntry

PROJECT_APPS = ("core", "agencies", "cases", "alerts", "events", "propaganda", "dashboards")


def object_type_choices():
    return sorted(((m._meta.label_lower, str(m._meta.verbose_name)) for m in apps.get_models()
                   if m._meta.app_label in PROJECT_APPS), key=lambda c: c[1])


class AuditEntryFilterSet(django_filters.FilterSet):
    """The audit log's filters, for the page and its export: person, agency, object, kind, time."""

    actor = django_filters.CharFilter(field_name="actor_username", lookup_expr="icontains", label=_("人员"))
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("单位"), empty_label=_("全部单位"))
    object_type = django_filters.ChoiceFilter(choices=object_type_choices, label=_("对象类型"), empty_label=_("全部对象"))
    object_id = django_filters.CharFilter(field_name="object_id", label=_("对象编号"))
    object = django_filters.CharFilter(field_name="object_repr", lookup_expr="icontains", label=_("对象"))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("动作"), empty_label=_("全部动作"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = AuditEntry
        fields = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from agencies.choices import AgencyKind

        if user is None or getattr(user, "agency_kind", None) != AgencyKind.LEADERSHIP_OFFICE:
            del self.filters["agency"]  # an agency admin reads only their own agency's log
        for f in self.form.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm" if hasattr(f, "choices") else "form-control form-control-sm")
        for name in ("since", "until"):
            if name in self.form.fields:
                self.form.fields[name].widget.input_type = "date"
