"""Assessment (考核) of every member agency per period: metrics, score, league table.

Metrics come from the rollups (RequestDaily for requests received, CaseDaily for cases
registered by a station). The score is a weighted mean, on 0-100, of the shares that apply to
the agency: a bank that received no dissuasion task is not scored on dissuasion, and an agency
with no applicable metric has no score. Weights belong to the period (copied from the office's
current weights when the period is created); closing a period freezes every agency's metrics
and score in ``AssessmentResult``.
"""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from agencies.choices import AgencyKind
from agencies.models import Agency

from .cache import cached
from .constants import DEFAULT_WEIGHTS
from .models import AssessmentPeriod, AssessmentResult, AssessmentWeights, CaseDaily, RequestDaily

COUNT_FIELDS = ("received", "acknowledged", "completed", "within_deadline", "with_ack_deadline", "ack_in_time",
                "overdue", "rejected", "failed", "outcome_dissuaded", "outcome_already_paid", "outcome_unreachable")
CASE_KINDS = (AgencyKind.POLICE_STATION, AgencyKind.ANTI_FRAUD_CENTRE)
DISSUASION_KINDS = (AgencyKind.POLICE_STATION, AgencyKind.COMMUNITY)


def percentile(values: list[int], p: float) -> int | None:
    """Nearest-rank percentile (an actual observed value), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(p/100 * n)
    return ordered[int(rank) - 1]


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def current_weights() -> dict[str, int]:
    row = AssessmentWeights.objects.order_by("pk").first()
    return {**DEFAULT_WEIGHTS, **(row.weights if row else {})}


def agency_metrics(*, start: date, end: date, agency_ids=None) -> dict[int, dict]:
    """agency id -> JSON-ready metrics for requests issued and cases reported in [start, end]."""
    rows = RequestDaily.objects.filter(day__gte=start, day__lte=end)
    cases = CaseDaily.objects.filter(day__gte=start, day__lte=end)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
        cases = cases.filter(reporting_agency_id__in=agency_ids)
    acc: dict[int, dict] = defaultdict(lambda: {"by_kind": {}, "ack": [], "complete": [], **{f: 0 for f in COUNT_FIELDS}})
    dissuasion: dict[int, dict] = defaultdict(lambda: {f: 0 for f in COUNT_FIELDS})
    for row in rows.order_by().iterator(chunk_size=2000):
        m = acc[row.agency_id]
        kind = m["by_kind"].setdefault(row.kind, {"received": 0, "completed": 0, "within_deadline": 0, "overdue": 0,
                                                  "rejected": 0})
        for f in COUNT_FIELDS:
            m[f] += getattr(row, f)
        for f in kind:
            kind[f] += getattr(row, f)
        m["ack"].extend(row.ack_seconds)
        m["complete"].extend(row.complete_seconds)
        if row.kind == "dissuasion":
            for f in COUNT_FIELDS:
                dissuasion[row.agency_id][f] += getattr(row, f)
    registered = {
        a: (n, s) for a, n, s in cases.order_by().values_list("reporting_agency_id")
        .annotate(n=Sum("cases"), s=Sum("solved")).values_list("reporting_agency_id", "n", "s")
    }
    out = {}
    for agency_id in set(acc) | set(registered):
        m = acc[agency_id]
        d = dissuasion.get(agency_id)
        n_cases, solved = registered.get(agency_id, (0, 0))
        out[agency_id] = {
            "received": m["received"], "acknowledged": m["acknowledged"], "completed": m["completed"],
            "within_deadline": m["within_deadline"], "overdue": m["overdue"], "rejected": m["rejected"],
            "failed": m["failed"], "by_kind": m["by_kind"],
            "ack_p50": percentile(m["ack"], 50), "ack_p95": percentile(m["ack"], 95),
            "complete_p50": percentile(m["complete"], 50), "complete_p95": percentile(m["complete"], 95),
            "within_share": _ratio(m["within_deadline"], m["received"]),
            "completion_share": _ratio(m["completed"], m["received"]),
            "ack_in_time_share": _ratio(m["ack_in_time"], m["with_ack_deadline"]),
            "overdue_share": _ratio(m["overdue"], m["received"]),
            "rejected_share": _ratio(m["rejected"], m["received"]),
            "dissuasion": None if d is None else {
                "tasks": d["received"], "in_time": d["within_deadline"], "dissuaded": d["outcome_dissuaded"],
                "already_paid": d["outcome_already_paid"], "unreachable": d["outcome_unreachable"],
                "in_time_share": _ratio(d["within_deadline"], d["received"]),
            },
            "cases_registered": n_cases, "cases_solved": solved, "solve_rate": _ratio(solved, n_cases),
        }
    return out


def score(metrics: dict | None, weights: dict[str, int], kind: str) -> Decimal | None:
    """Weighted mean (0-100) of the metrics that apply to an agency of ``kind``."""
    if not metrics:
        return None
    parts: dict[str, float] = {}
    if metrics["received"]:
        parts["within_deadline"] = metrics["within_share"]
        parts["completion"] = metrics["completion_share"]
        parts["not_overdue"] = 1 - metrics["overdue_share"]
        parts["not_rejected"] = 1 - metrics["rejected_share"]
        if metrics["ack_in_time_share"] is not None:
            parts["ack_in_time"] = metrics["ack_in_time_share"]
    if kind in DISSUASION_KINDS and metrics.get("dissuasion"):
        parts["dissuasion_in_time"] = metrics["dissuasion"]["in_time_share"]
    if kind in CASE_KINDS and metrics["cases_registered"]:
        parts["solve_rate"] = metrics["solve_rate"]
    total = sum(weights.get(k, 0) for k in parts)
    if not total:
        return None
    value = sum(Decimal(str(weights.get(k, 0))) * Decimal(str(v)) for k, v in parts.items()) * 100 / total
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def assessed_agencies():
    return Agency.objects.filter(is_active=True).exclude(kind=AgencyKind.LEADERSHIP_OFFICE).select_related("region")


def results(period: AssessmentPeriod) -> list[dict]:
    """Every assessed agency's metrics, score and rank within its kind (frozen if closed)."""
    agencies = list(assessed_agencies())
    if period.is_closed:
        stored = {r.agency_id: r for r in period.results.all()}
        rows = [{"agency": a, "metrics": stored[a.pk].metrics, "score": stored[a.pk].score, "rank": stored[a.pk].rank}
                for a in agencies if a.pk in stored]
        return _ordered(rows)
    # Metrics depend on the rollups only (cached until the next refresh); scores on the weights.
    metrics = cached("metrics", period.start, period.end, compute=lambda: agency_metrics(start=period.start, end=period.end))
    rows = [{"agency": a, "metrics": metrics.get(a.pk), "score": score(metrics.get(a.pk), period.weights, a.kind)}
            for a in agencies]
    _rank(rows)
    return _ordered(rows)


def _rank(rows: list[dict]) -> None:
    """Competition ranking (1, 2, 2, 4) within each agency kind; unscored agencies get no rank."""
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row["agency"].kind].append(row)
    for group in by_kind.values():
        scored = sorted((r for r in group if r["score"] is not None), key=lambda r: -r["score"])
        for i, row in enumerate(scored):
            row["rank"] = scored[i - 1]["rank"] if i and scored[i - 1]["score"] == row["score"] else i + 1
        for row in group:
            row.setdefault("rank", None)


KIND_ORDER = {k: i for i, k in enumerate(AgencyKind.values)}


def _ordered(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (KIND_ORDER.get(r["agency"].kind, 99), r["rank"] is None, r["rank"] or 0,
                                       r["agency"].name))


def league(period: AssessmentPeriod) -> list[dict]:
    """The public table: kind, agency, score, rank (no detail metrics)."""
    return [{"agency": r["agency"], "score": r["score"], "rank": r["rank"],
             "within_share": (r["metrics"] or {}).get("within_share")} for r in results(period)]


def freeze(period: AssessmentPeriod) -> int:
    rows = results(period)
    AssessmentResult.objects.filter(period=period).delete()
    AssessmentResult.objects.bulk_create(
        AssessmentResult(period=period, agency=r["agency"], metrics=r["metrics"] or {}, score=r["score"], rank=r["rank"])
        for r in rows
    )
    return len(rows)
