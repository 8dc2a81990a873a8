"""Reads on cases that are more than a filter: lookup, ring page, triage queue."""

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.http import Http404

from agencies.choices import AgencyKind

from .filtersets import OPEN_STATUSES, CaseFilterSet
from .models import Case, CaseIndicator, Indicator, Ring
from .normalize import candidate_indicators

LOOKUP_CASE_LIMIT = 50
RING_CASE_LIMIT = 2000


class LookupCase(NamedTuple):
    """One case row of a lookup: plain values (a lookup lists up to 50; no model instances)."""

    pk: int
    number: str
    reported_at: datetime
    occurred_at: datetime
    status: str
    loss_amount: Decimal
    ring_id: int | None
    region_id: int
    region_name: str
    typology_name: str

    @property
    def id(self) -> int:
        return self.pk


def _sees_totals(user) -> bool:
    """Police and the leadership office may see how often a trace occurs city-wide."""
    if user.is_superuser:
        return True
    kind = getattr(getattr(user, "agency", None), "kind", None)
    return kind in (AgencyKind.ANTI_FRAUD_CENTRE, AgencyKind.POLICE_STATION, AgencyKind.LEADERSHIP_OFFICE)


# The indicators a pasted trace may be, with their ring's figures: a fixed statement over the
# unique (kind, value) index. Built by the ORM (an OR of Q objects, a select_related) it cost
# more Python than the query costs to run, on a path that answers in a few milliseconds.
_LOOKUP_INDICATORS = """
SELECT i.id, i.kind, i.value, i.registrable_domain, i.is_linkable, i.needs_review, i.case_count,
       i.first_seen_at, i.last_seen_at, i.ring_id, r.case_count, r.total_loss
FROM {indicator} i LEFT JOIN {ring} r ON r.id = i.ring_id
WHERE {wanted}
"""


def _indicators_for(candidates) -> list[tuple]:
    """Known indicators among ``candidates``, in the candidates' order (the guessed kind first)."""
    quote = connection.ops.quote_name
    sql = _LOOKUP_INDICATORS.format(
        indicator=quote(Indicator._meta.db_table), ring=quote(Ring._meta.db_table),
        wanted=" OR ".join(["(i.kind = %s AND i.value = %s)"] * len(candidates)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [x for c in candidates for x in (c.kind, c.value)])
        rows = cursor.fetchall()
    order = {(c.kind, c.value): n for n, c in enumerate(candidates)}
    return sorted(rows, key=lambda row: order[(row[1], row[2])])


_INDICATOR_ID = object()  # stands for the indicator's id in a compiled lookup statement
_LOOKUP_CASE_COLUMNS = ("pk", "number", "reported_at", "occurred_at", "status", "loss_amount", "ring_id", "region_id",
                        "region__name", "typology__name")


def _lookup_cases_queryset(scope: tuple, indicator_id):
    # A semi-join on the link index, not a join + DISTINCT over every selected column.
    links = RawSQL("SELECT case_id FROM %s WHERE indicator_id = %%s" % connection.ops.quote_name(CaseIndicator._meta.db_table),
                   (indicator_id,))
    return (
        Case.objects.restrict_to(scope).filter(pk__in=links)
        .order_by("-reported_at", "-pk").values_list(*_LOOKUP_CASE_COLUMNS)[:LOOKUP_CASE_LIMIT]
    )


@lru_cache(maxsize=256)
def _lookup_cases_statement(scope: tuple) -> tuple[str, tuple] | None:
    """The lookup's case query for one visibility scope (``Case.objects.scope_key``), compiled
    once per process. Building and compiling it costs the ORM more than PostgreSQL takes to plan
    and run it, and its text depends on nothing but the scope; the indicator id is a parameter.
    None: the scope sees no case at all."""
    try:
        return _lookup_cases_queryset(scope, _INDICATOR_ID).query.sql_with_params()
    except EmptyResultSet:
        return None


def _lookup_cases(scope: tuple, indicator_id: int) -> list[LookupCase]:
    if connection.vendor != "postgresql":  # pragma: no cover - SQLite needs the ORM's converters
        return [LookupCase(*row) for row in _lookup_cases_queryset(scope, indicator_id)]
    statement = _lookup_cases_statement(scope)
    if statement is None:
        return []
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, tuple(indicator_id if p is _INDICATOR_ID else p for p in params))
        return [LookupCase(*row) for row in cursor.fetchall()]


def indicator_lookup(*, user, raw: str) -> dict:
    """Every reading of ``raw`` that is a known indicator: its visible cases, ring, first/last seen."""
    candidates = candidate_indicators(raw)
    result = {"query": raw, "candidates": [c._asdict() for c in candidates], "indicators": []}
    if not candidates:
        return result
    totals = _sees_totals(user)
    scope = Case.objects.scope_key(user)
    for (ind_id, kind, value, domain, is_linkable, needs_review, case_count, first_seen, last_seen,
         ring_id, ring_cases, ring_loss) in _indicators_for(candidates):
        cases = _lookup_cases(scope, ind_id)
        if not cases and not totals:
            continue  # nothing it may see: do not even confirm the trace is known
        if len(cases) == LOOKUP_CASE_LIMIT:
            visible_count = Case.objects.restrict_to(scope).filter(
                pk__in=CaseIndicator.objects.filter(indicator_id=ind_id).values("case_id")).count()
        else:
            visible_count = len(cases)
        result["indicators"].append(
            {
                "id": ind_id,
                "kind": kind,
                "value": value,
                "registrable_domain": domain,
                "is_linkable": is_linkable,
                "needs_review": needs_review,
                "case_count": case_count if totals else len(cases),
                "visible_case_count": visible_count,
                "first_seen_at": first_seen if totals else min((c.occurred_at for c in cases), default=None),
                "last_seen_at": last_seen if totals else max((c.occurred_at for c in cases), default=None),
                "ring": (
                    {"id": ring_id, "case_count": ring_cases, "total_loss": ring_loss}
                    if ring_id and (totals or cases)
                    else None
                ),
                "cases": cases,
            }
        )
    return result


# The links of a ring page's cases (up to a thousand) that tie, with each indicator's kind and
# value: written out, because the ORM spends more on preparing a thousand ids and building
# 1,600 rows than PostgreSQL spends on the statement.
_CASE_LINKS = """
SELECT l.id, l.case_id, l.indicator_id, l.role, i.kind, i.value
FROM {link} l JOIN {indicator} i ON i.id = l.indicator_id
WHERE l.case_id IN ({ids}) AND i.is_linkable
ORDER BY l.id
"""


def linkable_links(case_ids: list[int]) -> list[tuple]:
    """(link id, case id, indicator id, role, kind, value) of the cases' linkable indicators."""
    if not case_ids:
        return []
    quote = connection.ops.quote_name
    sql = _CASE_LINKS.format(link=quote(CaseIndicator._meta.db_table), indicator=quote(Indicator._meta.db_table),
                             ids=", ".join(["%s"] * len(case_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, case_ids)
        return cursor.fetchall()


class RingIndicator(NamedTuple):
    """An indicator that ties two or more of the ring's cases (plain values)."""

    pk: int
    kind: str
    value: str
    case_count: int


# The ring's ties among the visible cases: the links of indicators of this ring shared by two
# or more cases, with each indicator's kind, value and count, in one statement (the ORM's
# spelling was two queries, a thousand prepared ids and a model instance per indicator).
_RING_TIES = """
SELECT l.case_id, l.indicator_id, l.role, i.kind, i.value, i.case_count
FROM {link} l JOIN {indicator} i ON i.id = l.indicator_id
WHERE l.case_id IN ({ids}) AND i.ring_id = %s AND i.case_count >= 2
ORDER BY l.id
"""


def _ring_ties(ring_id: int, case_ids: list[int]) -> list[tuple]:
    quote = connection.ops.quote_name
    sql = _RING_TIES.format(link=quote(CaseIndicator._meta.db_table), indicator=quote(Indicator._meta.db_table),
                            ids=", ".join(["%s"] * len(case_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*case_ids, ring_id])
        return cursor.fetchall()


def ring_detail(*, user, ring: Ring | int) -> dict:
    """The ring's visible cases, the indicators that tie it, regions, span and a graph; 404 if none visible."""
    if not isinstance(ring, Ring):
        ring = Ring.objects.filter(pk=int(ring)).first()
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
    rows = _ring_ties(ring.pk, [c["id"] for c in cases])
    links = [(case_id, ind_id, role) for case_id, ind_id, role, _k, _v, _n in rows]
    tying = {ind_id: RingIndicator(ind_id, kind, value, n) for _c, ind_id, _r, kind, value, n in rows}
    indicators = sorted(tying.values(), key=lambda i: (-i.case_count, i.pk))
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


__all__ = ["indicator_lookup", "linkable_links", "ring_detail", "triage_queue", "OPEN_STATUSES"]
