"""The ring page (network + table + totals) and the trace lookup page."""

from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple
from urllib.parse import quote

from django.db.models import Count, Max, Min, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views import View

from core.policy import allowed

from ..choices import IndicatorKind, IndicatorRole
from ..models import CaseIndicator, Ring
from ..selectors import linkable_links
from . import url_pattern
from .access import CaseReaderMixin, visible_cases

MAX_NODES = 600
TABLE_LIMIT = 500
FETCH_LIMIT = TABLE_LIMIT * 2  # cases read for the graph; beyond it the figures come from SQL
TIES_LIMIT = 100


class RingCase(NamedTuple):
    """One case row of the ring page: plain values, not model instances (a ring has hundreds)."""

    pk: int
    number: str
    occurred_at: datetime
    loss_amount: Decimal
    region_id: int
    region_name: str
    typology_name: str
    url: str = ""


class RingLink(NamedTuple):
    """One case-indicator link of the ring, with the indicator's kind and value."""

    pk: int
    case_id: int
    indicator_id: int
    role: str
    kind: str
    value: str


def ring_graph(cases: list, links: list, max_nodes: int = MAX_NODES) -> dict:
    """Nodes and edges for cytoscape, capped at ``max_nodes``.

    Indicators that tie two or more cases come first (they are what makes the ring); traces seen
    in a single case are added only while there is room. Cases are kept newest first.
    """
    by_indicator: dict[int, list] = {}
    for link in links:
        by_indicator.setdefault(link.indicator_id, []).append(link)
    case_sets = {ind_id: {link.case_id for link in ls} for ind_id, ls in by_indicator.items()}
    shared = sorted((i for i, cs in case_sets.items() if len(cs) > 1), key=lambda i: -len(by_indicator[i]))
    single = [i for i, cs in case_sets.items() if len(cs) == 1]

    case_budget = min(len(cases), max(1, (max_nodes * 2) // 3) if shared else max_nodes)
    kept_cases = {c.pk: c for c in cases[:case_budget]}
    lookup_url = reverse("cases:lookup") + "?q="
    roles = {value: str(label) for value, label in IndicatorRole.choices}
    nodes, edges = [], []
    for c in kept_cases.values():
        # The short label (the number's sequence part) keeps a 100-case graph legible; the
        # full number shows on hover.
        nodes.append({"data": {"id": "c%d" % c.pk, "label": c.number, "short": c.number[-6:], "type": "case",
                               "url": c.url, "loss": str(c.loss_amount)}})
    for ind_id in shared + single:
        if len(nodes) >= max_nodes:
            break
        ls = [link for link in by_indicator[ind_id] if link.case_id in kept_cases]
        if not ls:
            continue
        first = ls[0]
        nodes.append(
            {
                "data": {
                    "id": "i%d" % ind_id,
                    "label": first.value,
                    "type": "indicator",
                    "kind": first.kind,
                    "short": first.value if len(first.value) <= 12 else "…" + first.value[-10:],
                    "shared": len({link.case_id for link in ls}) > 1,
                    "url": lookup_url + quote(first.value, safe=""),
                }
            }
        )
        for link in ls:
            edges.append({"data": {"id": "e%d" % link.pk, "source": "c%d" % link.case_id, "target": "i%d" % ind_id,
                                   "role": roles.get(link.role, link.role)}})
    total = len(cases) + len(by_indicator)
    kinds = {value: str(label) for value, label in IndicatorKind.choices}
    return {"nodes": nodes, "edges": edges, "truncated": total > len(nodes), "total_nodes": total, "kinds": kinds}


_CASE_ROW = ('<tr data-node="c%d"><td><a class="mono" href="%s">%s</a></td><td>%s</td><td>%s</td>'
             '<td class="text-end">%s</td><td>%s</td></tr>')


def case_rows_html(cases: list[RingCase]) -> str:
    """The ring's case table body, built in one pass: through the template engine 500 rows cost
    more than everything else on the page, and so does ``format_html`` (a lazy-string check and
    a SafeString per value). Every text value is escaped here; the names repeat from row to row,
    so each is escaped once."""
    names: dict[str, str] = {}

    def name(value: str) -> str:
        if value not in names:
            names[value] = escape(value)
        return names[value]

    tz = timezone.get_current_timezone()
    return mark_safe(  # every value below is an int, escaped here, or a number formatted here
        "".join(
            _CASE_ROW % (
                c.pk, escape(c.url), escape(c.number), name(c.typology_name), name(c.region_name),
                "{:,.2f}".format(c.loss_amount),  # the grouping both UI languages use
                c.occurred_at.astimezone(tz).strftime("%m-%d"),
            )
            for c in cases
        )
    )


_TIE_ROW = '<tr><td>%s</td><td class="mono"><a href="%s">%s</a></td><td>%d</td></tr>'


def tie_rows_html(ties: list[dict]) -> str:
    """The tying indicators' table body (up to ``TIES_LIMIT`` rows, one ``reverse``)."""
    lookup_url = reverse("cases:lookup") + "?q="
    kinds = {value: escape(label) for value, label in IndicatorKind.choices}
    return mark_safe(  # as in case_rows_html
        "".join(
            _TIE_ROW % (
                kinds.get(t["indicator__kind"]) or escape(t["indicator__kind"]),
                escape(lookup_url + quote(t["indicator__value"], safe="")), escape(t["indicator__value"]), t["n"],
            )
            for t in ties
        )
    )


def _summaries_from_rows(cases: list, links: list) -> tuple[dict, list, list]:
    """Totals, regions and tying indicators of a ring whose visible cases were all fetched."""
    totals = {
        "n": len(cases),
        "loss": sum((c.loss_amount for c in cases), Decimal("0")),
        "regions": len({c.region_id for c in cases}),
        "first": min(c.occurred_at for c in cases),
        "last": max(c.occurred_at for c in cases),
    }
    regions = [{"region__name": name, "n": n} for name, n in Counter(c.region_name for c in cases).most_common(20)]
    per_indicator: dict[int, set] = {}
    first_link: dict[int, RingLink] = {}
    for link in links:
        per_indicator.setdefault(link.indicator_id, set()).add(link.case_id)
        first_link.setdefault(link.indicator_id, link)
    ties = [
        {"indicator_id": i, "indicator__kind": first_link[i].kind, "indicator__value": first_link[i].value,
         "n": len(cs)}
        for i, cs in per_indicator.items()
        if len(cs) > 1
    ]
    ties.sort(key=lambda t: (-t["n"], t["indicator_id"]))
    return totals, regions, ties[:TIES_LIMIT]


def _summaries_from_sql(cases_qs) -> tuple[dict, list, list]:
    """The same for a ring too big to fetch whole: aggregates in the database."""
    totals = cases_qs.aggregate(
        n=Count("pk"), loss=Sum("loss_amount"), regions=Count("region", distinct=True),
        first=Min("occurred_at"), last=Max("occurred_at"),
    )
    regions = list(cases_qs.values("region__name").annotate(n=Count("pk")).order_by("-n")[:20])
    ties = list(
        CaseIndicator.objects.filter(case__in=cases_qs, indicator__is_linkable=True)
        .values("indicator_id", "indicator__kind", "indicator__value")
        .annotate(n=Count("case_id", distinct=True))
        .filter(n__gt=1)
        .order_by("-n")[:TIES_LIMIT]
    )
    return totals, regions, ties


class RingDetailView(CaseReaderMixin, View):
    def get(self, request, pk):
        ring = get_object_or_404(Ring, pk=pk)
        cases_qs = visible_cases(request.user).filter(ring=ring)
        # A ring is shown to whoever may see at least one of its cases, and only those cases.
        case_url = url_pattern("cases:detail")
        fetched = [
            RingCase(*row, url=case_url % row[0])
            for row in cases_qs.order_by("-reported_at", "-pk").values_list(
                "pk", "number", "occurred_at", "loss_amount", "region_id", "region__name", "typology__name"
            )[: FETCH_LIMIT + 1]
        ]
        if not fetched:
            raise Http404
        cases = fetched[:FETCH_LIMIT]
        links = [RingLink(*row) for row in linkable_links([c.pk for c in cases])]
        # Most rings fit in one fetch: their figures come from the rows in hand, not 3 more scans.
        if len(fetched) <= FETCH_LIMIT:
            totals, regions, ties = _summaries_from_rows(cases, links)
        else:
            totals, regions, ties = _summaries_from_sql(cases_qs)
        return render(
            request,
            "cases/ring_detail.html",
            {
                "ring": ring,
                "case_rows": case_rows_html(cases[:TABLE_LIMIT]),
                "more_cases": max(0, totals["n"] - TABLE_LIMIT),
                "graph": ring_graph(cases, links),
                "totals": totals,
                "ties": ties,
                "tie_rows": tie_rows_html(ties),
                "regions": regions,
                "max_nodes": MAX_NODES,
                "hidden_cases": max(0, ring.case_count - totals["n"]),
                "can_stop_all": allowed(request.user, "request.create"),  # alerts:ring_stop_all
            },
        )


class LookupView(CaseReaderMixin, View):
    """Paste any trace: which cases (that I may see), which ring, first and last seen."""

    def get(self, request):
        from ..selectors import indicator_lookup

        raw = (request.GET.get("q") or "").strip()
        result = indicator_lookup(user=request.user, raw=raw) if raw else None
        return render(request, "cases/lookup.html", {"q": raw, "result": result})
