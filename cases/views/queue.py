"""The analyst's home: the triage queue, its live counts and its rows partial."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.views import View

from ..choices import CaseStatus
from .access import CaseReaderMixin, can_file_cases, visible_cases

OPEN_STATUSES = [CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.INVESTIGATING]
PAGE_SIZE = 50


def queue_queryset(request):
    """The filtered, searched, ordered queue; also the filterset, for the form."""
    from ..filtersets import CaseFilterSet

    base = visible_cases(request.user)
    filterset = CaseFilterSet(request.GET, queryset=base, request=request)
    qs = filterset.qs if filterset.is_valid() else base.none()
    if not request.GET.get("status"):
        qs = qs.filter(status__in=OPEN_STATUSES)
    qs = (
        qs.select_related("typology", "region", "ring", "assigned_to", "reporting_agency")
        .annotate(effective_priority=Coalesce("priority_override", "priority"))
        .order_by("-effective_priority", "-reported_at", "-pk")
    )
    return filterset, qs


def status_counts(user) -> list[dict]:
    """Open cases per status: the queue's working set (closed ones would only cost a scan)."""
    counts = dict(
        visible_cases(user)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [{"status": s.value, "label": s.label, "count": counts.get(s.value, 0)} for s in OPEN_STATUSES]


def _page(request, qs):
    paginator = Paginator(qs, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _style_filter_form(form) -> None:
    """The shared FilterSet knows nothing of Bootstrap; dress its widgets for the page."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
        widget.attrs.setdefault("class", css)


class QueueView(CaseReaderMixin, View):
    template_name = "cases/queue.html"

    def get(self, request):
        filterset, qs = queue_queryset(request)
        _style_filter_form(filterset.form)
        page = _page(request, qs)
        params = request.GET.copy()
        params.pop("page", None)
        return render(
            request,
            self.template_name,
            {
                "filter": filterset,
                "page_obj": page,
                "cases": page.object_list,
                "is_paginated": page.has_other_pages(),
                "counts": status_counts(request.user),
                "query_string": params.urlencode(),
                "can_file": can_file_cases(request.user),
                "selected_status": request.GET.get("status", ""),
            },
        )


class QueueRowsView(CaseReaderMixin, View):
    """The table body alone, with the same filters: re-fetched by the live-updates helper."""

    def get(self, request):
        _filterset, qs = queue_queryset(request)
        page = _page(request, qs)
        return render(request, "cases/_queue_rows.html", {"cases": page.object_list})


class QueueCountsView(CaseReaderMixin, View):
    def get(self, request):
        return render(request, "cases/_queue_counts.html", {"counts": status_counts(request.user)})
