"""The analyst's home: the triage queue, its live counts and its rows partial.

Fast on a million cases: the open queue is read in the order of ``case_queue_open_idx``
(``priority`` already holds the supervisor's override, so one indexed column orders it), the
total and the per-status badges are capped counts (reading at most ``PAGE_COUNT_CAP + 1`` and
``BADGE_CAP + 1`` rows), never a COUNT(*) over every open case.
"""

from django import forms
from django.db import connection
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View

from core.forms import bootstrap_widgets
from core.policy import allowed

from ..api.pagination import CappedPaginator, capped_count
from ..choices import CaseStatus
from ..models import Indicator, SavedFilter
from .queue_actions import bulk_context
from . import url_pattern
from .access import CaseReaderMixin, can_file_cases, visible_cases
from .benign import can_view_benign

OPEN_STATUSES = [CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.INVESTIGATING]
PAGE_SIZE = 50
# A badge says "999+" beyond this: the analyst needs the order of magnitude, not the digit.
BADGE_CAP = 999
# The page's total is exact up to this many cases (20 pages), "more than" beyond: nobody pages
# further through a triage queue, they filter.
PAGE_COUNT_CAP = 1000


class QueuePaginator(CappedPaginator):
    """The API's capped paginator with the page's smaller cap."""

    @cached_property
    def count(self):
        return capped_count(self.object_list, cap=PAGE_COUNT_CAP)


def queue_queryset(request):
    """The filtered, searched, ordered queue; also the filterset, for the form."""
    from ..filtersets import CaseFilterSet

    base = visible_cases(request.user)
    filterset = CaseFilterSet(request.GET, queryset=base, request=request)
    qs = filterset.qs if filterset.is_valid() else base.none()
    if not request.GET.get("status"):
        qs = qs.filter(status__in=OPEN_STATUSES)
    qs = qs.select_related("typology", "region", "ring", "assigned_to").order_by(
        "-priority", "-reported_at", "-pk"
    )
    return filterset, qs


def capped_counts(querysets, cap: int) -> list[int]:
    """``capped_count`` of several querysets in one round trip (one scalar subquery each)."""
    parts, params = [], []
    for qs in querysets:
        sql, p = qs.order_by().values("pk")[: cap + 1].query.sql_with_params()
        parts.append("(SELECT COUNT(*) FROM (%s) AS capped)" % sql)
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


def status_counts(user) -> list[dict]:
    """Open cases per status, each capped at ``BADGE_CAP``: short index reads, one statement."""
    visible = visible_cases(user)
    counts = capped_counts([visible.filter(status=s) for s in OPEN_STATUSES], BADGE_CAP)
    return [
        {"status": s.value, "label": s.label, "count": min(n, BADGE_CAP), "capped": n > BADGE_CAP}
        for s, n in zip(OPEN_STATUSES, counts)
    ]


def suspect_count(user) -> int | None:
    """Values flagged for a person (shared by unusually many cases); None if not the user's page."""
    if not can_view_benign(user):
        return None
    return capped_count(Indicator.objects.filter(needs_review=True), cap=BADGE_CAP)


def _page(request, qs):
    paginator = QueuePaginator(qs, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def queue_rows(cases) -> list:
    """The page's cases with what their row shows, formatted in one pass.

    In the rows template a reverse, a localised date and a lazy status label per row cost about
    as much as the rest of the page; here each is one ``%`` or dict lookup per row.
    """
    detail, ring = url_pattern("cases:detail"), url_pattern("cases:ring")
    labels = {value: str(label) for value, label in CaseStatus.choices}
    tz = timezone.get_current_timezone()
    rows = list(cases)
    for case in rows:
        case.url = detail % case.pk
        case.ring_url = ring % case.ring_id if case.ring_id else ""
        case.status_label = labels.get(case.status, case.status)
        case.reported_local = case.reported_at.astimezone(tz).strftime("%m-%d %H:%M")
        case.loss_display = "{:,.2f}".format(case.loss_amount)  # the grouping both UI languages use
    return rows


# The filter bar: these fields in the bar itself, the rest behind "more"; the API's
# datetime bounds (reported_after/before) are not offered on the page (the date fields are),
# but a link carrying them still filters and shows them as chips.
BAR_FIELDS = ("status", "typology", "region", "assigned_to_me", "duplicate")
MORE_FIELDS = ("date_from", "date_to", "loss_min", "loss_max", "ring_size_min", "ring", "open")


def filter_chips(request, filterset) -> list[dict]:
    """One chip per active filter value, with the address of the queue without it."""
    form = filterset.form
    chips = []
    for key in request.GET:
        if key == "page" or key not in form.fields:
            continue
        field = form.fields[key]
        choices = {str(k): str(v) for k, v in getattr(field, "choices", []) if k != ""}
        widget_choices = {str(k): str(v) for k, v in getattr(field.widget, "choices", []) if k != ""}
        for value in request.GET.getlist(key):
            if not value:
                continue
            shown = choices.get(value) or widget_choices.get(value.lower()) or value
            rest = request.GET.copy()
            rest.pop("page", None)
            rest.setlist(key, [v for v in request.GET.getlist(key) if v != value])
            chips.append({"key": key, "label": str(field.label), "value": shown, "remove": "?" + rest.urlencode()})
    return chips


class OneOfManySelect(forms.Select):
    """A plain select for a field that takes a list (the page picks one, the API several)."""

    def value_from_datadict(self, data, files, name):
        return [v for v in data.getlist(name) if v] if hasattr(data, "getlist") else data.get(name)


def _style_filter_form(form) -> None:
    """The shared FilterSet knows nothing of Bootstrap; dress its widgets for the page's bar:
    the statuses as toggle buttons, one typology at a time in a plain select (the API still
    takes several), "全部" where nothing is chosen."""
    status = form.fields["status"]
    status.widget = forms.CheckboxSelectMultiple(choices=status.choices, attrs={"class": "btn-check"})
    typology = form.fields["typology"]
    typology.widget = OneOfManySelect(choices=[("", _("全部"))] + [(c[0], c[1]) for c in typology.choices])
    form.fields["region"].empty_label = _("全部")
    form.fields["region"].widget.choices = form.fields["region"].choices
    bootstrap_widgets(form, small=True, skip=("status",))


class QueueView(CaseReaderMixin, View):
    template_name = "cases/queue.html"

    def get(self, request):
        filterset, qs = queue_queryset(request)
        _style_filter_form(filterset.form)
        page = _page(request, qs)
        params = request.GET.copy()
        params.pop("page", None)
        form = filterset.form
        return render(
            request,
            self.template_name,
            {
                "filter": filterset,
                "page_obj": page,
                "cases": queue_rows(page.object_list),
                "is_paginated": page.has_other_pages(),
                "count_capped": page.paginator.count > PAGE_COUNT_CAP,
                "count_cap": PAGE_COUNT_CAP,
                "counts": status_counts(request.user),
                "suspects": suspect_count(request.user),
                "query_string": params.urlencode(),
                "can_file": can_file_cases(request.user),
                "selected_status": request.GET.get("status", ""),
                "bar_fields": [form[name] for name in BAR_FIELDS],
                "more_fields": [form[name] for name in MORE_FIELDS],
                "more_open": any(request.GET.get(name) for name in MORE_FIELDS),
                "chips": filter_chips(request, filterset),
                "saved_filters": list(SavedFilter.objects.filter(user=request.user).values("pk", "name", "query")),
                **bulk_context(request.user),
            },
        )


class QueueRowsView(CaseReaderMixin, View):
    """The table body alone, with the same filters: re-fetched by the live-updates helper."""

    def get(self, request):
        _filterset, qs = queue_queryset(request)
        page = _page(request, qs)
        return render(request, "cases/_queue_rows.html",
                      {"cases": queue_rows(page.object_list), "can_bulk": allowed(request.user, "case.change")})


class QueueCountsView(CaseReaderMixin, View):
    def get(self, request):
        return render(request, "cases/_queue_counts.html", {"counts": status_counts(request.user)})
