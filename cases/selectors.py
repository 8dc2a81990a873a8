"""Reads on cases that are more than a filter: lookup, ring page, triage queue."""

from django.db.models import F
from django.http import Http404

from agencies.choices import AgencyKind

from .filtersets import OPEN_STATUSES, CaseFilterSet
from .models import Case, CaseIndicator, Indicator, Ring
from .normalize import candidate_indicators

LOOKUP_CASE_LIMIT = 50
LOOKUP_CASE_FIELDS = ("number", "reported_at", "occurred_at", "status", "loss_amount", "ring_id",
                      "region__name", "typology__name")
RING_CASE_LIMIT = 2000


def _sees_totals(user) -> bool:
    """Police and the leadership office may see how often a trace occurs city-wide."""
    if user.is_superuser:
        return True
    kind = getattr(getattr(user, "agency", None), "kind", None)
    return kind in (AgencyKind.ANTI_FRAUD_CENTRE, AgencyKind.POLICE_STATION, AgencyKind.LEADERSHIP_OFFICE)


def indicator_lookup(*, user, raw: str) -> dict:
    """Every reading of ``raw`` that is a known indicator: its visible cases, ring, first/last seen."""
    candidates = candidate_indicators(raw)
    result = {"query": raw, "candidates": [c._asdict() for c in candidates], "indicators": []}
    if not candidates:
        return result
    from django.db.models import Q

    q = Q()
    for c in candidates:
        q |= Q(kind=c.kind, value=c.value)
    visible = Case.objects.restrict(user)
    totals = _sees_totals(user)
    for ind in Indicator.objects.filter(q).select_related("ring"):
        # A semi-join on the link index, not a join + DISTINCT over every selected column.
        cases_qs = visible.filter(pk__in=CaseIndicator.objects.filter(indicator_id=ind.pk).values("case_id"))
        cases = list(
            cases_qs.select_related("region", "typology")
            .only(*LOOKUP_CASE_FIELDS)  # not the narrative and the rest: a lookup lists up to 50
            .order_by("-reported_at", "-pk")[:LOOKUP_CASE_LIMIT]
        )
        if not cases and not totals:
            continue  # nothing it may see: do not even confirm the trace is known
        result["indicators"].append(
            {
                "id": ind.pk,
                "kind": ind.kind,
                "value": ind.value,
                "registrable_domain": ind.registrable_domain,
                "is_linkable": ind.is_linkable,
                "needs_review": ind.needs_review,
                "case_count": ind.case_count if totals else len(cases),
                "visible_case_count": cases_qs.count() if len(cases) == LOOKUP_CASE_LIMIT else len(cases),
                "first_seen_at": ind.first_seen_at if totals else min((c.occurred_at for c in cases), default=None),
                "last_seen_at": ind.last_seen_at if totals else max((c.occurred_at for c in cases), default=None),
                "ring": (
                    {"id": ind.ring_id, "case_count": ind.ring.case_count, "total_loss": ind.ring.total_loss}
                    if ind.ring_id and (totals or cases)
                    else None
                ),
                "cases": cases,
            }
        )
    return result


def ring_detail(*, user, ring: Ring | int) -> dict:
    """The ring's visible cases, the indicators that tie it, regions, span and a graph; 404 if none visible."""
    ring_id = ring.pk if isinstance(ring, Ring) else int(ring)
    ring = Ring.objects.filter(pk=ring_id).first()
    if ring is None:
        raise Http404
    # Plain rows, not model instances: a ring has hundreds of cases and the API wants values.
    cases = list(
        Case.objects.restrict(user)
        .filter(ring=ring)
        .order_by("occurred_at", "pk")
        .values("id", "number", "occurred_at", "loss_amount", "status", "priority",
                region_name=F("region__name"), typology_name=F("typology__name"))[:RING_CASE_LIMIT]
    )
    if not cases:
        raise Http404
    case_ids = [c["id"] for c in cases]
    links = list(
        CaseIndicator.objects.filter(case_id__in=case_ids, indicator__ring=ring, indicator__case_count__gte=2)
        .values_list("case_id", "indicator_id", "role")
    )
    ind_ids = {i for _c, i, _r in links}
    indicators = list(Indicator.objects.filter(pk__in=ind_ids).order_by("-case_count", "pk"))
    regions = sorted({c["region_name"] for c in cases})
    nodes = [{"id": "c%d" % c["id"], "label": c["number"], "type": "case", "case_id": c["id"], "loss": str(c["loss_amount"])}
             for c in cases]
    nodes += [{"id": f"i{i.pk}", "label": i.value, "type": "indicator", "kind": i.kind, "case_count": i.case_count} for i in indicators]
    edges = [{"source": f"c{c}", "target": f"i{i}", "role": r} for c, i, r in links]
    return {
        "ring": ring,
        "cases": cases,
        "visible_case_count": len(cases),
        "indicators": indicators,
        "regions": regions,
        "graph": {"nodes": nodes, "edges": edges},
    }


def triage_queue(*, user, filters=None, request=None):
    """Open cases the user may see, filtered, highest priority first (uses case_queue_open_idx)."""
    data = filters.copy() if filters is not None else {}
    if not data.get("status") and "open" not in data:
        data = data.copy() if hasattr(data, "copy") else dict(data)
        data["open"] = "true"
    qs = Case.objects.restrict(user).with_list_related().order_by("-priority", "-reported_at", "-id")
    fs = CaseFilterSet(data, queryset=qs, request=request)
    return fs.qs if fs.is_valid() else qs.none()


__all__ = ["indicator_lookup", "ring_detail", "triage_queue", "OPEN_STATUSES"]
