"""The ring page (network + table + totals) and the trace lookup page."""

from django.db.models import Count, Max, Min, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from ..choices import IndicatorKind
from ..models import CaseIndicator, Ring
from .access import CaseReaderMixin, visible_cases

MAX_NODES = 600
TABLE_LIMIT = 500


def ring_graph(cases: list, links: list, max_nodes: int = MAX_NODES) -> dict:
    """Nodes and edges for cytoscape, capped at ``max_nodes``.

    Indicators that tie two or more cases come first (they are what makes the ring); traces seen
    in a single case are added only while there is room. Cases are kept newest first.
    """
    by_indicator: dict[int, list] = {}
    for link in links:
        by_indicator.setdefault(link.indicator_id, []).append(link)
    shared = sorted(
        (ind_id for ind_id, ls in by_indicator.items() if len({link.case_id for link in ls}) > 1),
        key=lambda ind_id: -len(by_indicator[ind_id]),
    )
    single = [ind_id for ind_id, ls in by_indicator.items() if len({link.case_id for link in ls}) == 1]

    case_budget = min(len(cases), max(1, (max_nodes * 2) // 3) if shared else max_nodes)
    kept_cases = {c.pk: c for c in cases[:case_budget]}
    nodes, edges, kept_indicators = [], [], set()
    for c in kept_cases.values():
        nodes.append(
            {
                "data": {
                    "id": "c%d" % c.pk,
                    "label": c.number,
                    "type": "case",
                    "url": reverse("cases:detail", args=[c.pk]),
                    "loss": str(c.loss_amount),
                }
            }
        )
    for ind_id in shared + single:
        if len(nodes) >= max_nodes:
            break
        ls = [link for link in by_indicator[ind_id] if link.case_id in kept_cases]
        if not ls:
            continue
        ind = ls[0].indicator
        kept_indicators.add(ind_id)
        nodes.append(
            {
                "data": {
                    "id": "i%d" % ind_id,
                    "label": ind.value,
                    "type": "indicator",
                    "kind": ind.kind,
                    "shared": len({link.case_id for link in ls}) > 1,
                    "url": "%s?q=%s" % (reverse("cases:lookup"), ind.value),
                }
            }
        )
        for link in ls:
            edges.append(
                {
                    "data": {
                        "id": "e%d" % link.pk,
                        "source": "c%d" % link.case_id,
                        "target": "i%d" % ind_id,
                        "role": link.get_role_display(),
                    }
                }
            )
    total = len(cases) + len(by_indicator)
    return {"nodes": nodes, "edges": edges, "truncated": total > len(nodes), "total_nodes": total}


class RingDetailView(CaseReaderMixin, View):
    def get(self, request, pk):
        ring = get_object_or_404(Ring, pk=pk)
        cases_qs = visible_cases(request.user).filter(ring=ring)
        # A ring is shown to whoever may see at least one of its cases, and only those cases.
        cases = list(
            cases_qs.select_related("typology", "region", "reporting_agency").order_by("-reported_at")[:TABLE_LIMIT * 2]
        )
        if not cases:
            raise Http404
        case_ids = [c.pk for c in cases]
        links = list(
            CaseIndicator.objects.filter(case_id__in=case_ids, indicator__is_linkable=True).select_related("indicator")
        )
        totals = cases_qs.aggregate(
            n=Count("pk"),
            loss=Sum("loss_amount"),
            regions=Count("region", distinct=True),
            first=Min("occurred_at"),
            last=Max("occurred_at"),
        )
        ties = (
            CaseIndicator.objects.filter(case__in=cases_qs, indicator__is_linkable=True)
            .values("indicator_id", "indicator__kind", "indicator__value")
            .annotate(n=Count("case_id", distinct=True))
            .filter(n__gt=1)
            .order_by("-n")[:100]
        )
        kinds = dict(IndicatorKind.choices)
        ties = [dict(t, kind_label=kinds.get(t["indicator__kind"], t["indicator__kind"])) for t in ties]
        regions = (
            cases_qs.values("region__name").annotate(n=Count("pk")).order_by("-n")[:20]
        )
        return render(
            request,
            "cases/ring_detail.html",
            {
                "ring": ring,
                "cases": cases[:TABLE_LIMIT],
                "more_cases": max(0, totals["n"] - TABLE_LIMIT),
                "graph": ring_graph(cases, links),
                "totals": totals,
                "ties": ties,
                "regions": regions,
                "max_nodes": MAX_NODES,
                "hidden_cases": max(0, ring.case_count - totals["n"]),
            },
        )


class LookupView(CaseReaderMixin, View):
    """Paste any trace: which cases (that I may see), which ring, first and last seen."""

    def get(self, request):
        from ..selectors import indicator_lookup

        raw = (request.GET.get("q") or "").strip()
        result = indicator_lookup(user=request.user, raw=raw) if raw else None
        return render(request, "cases/lookup.html", {"q": raw, "result": result})
