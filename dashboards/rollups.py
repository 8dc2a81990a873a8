"""Keeping the rollup tables (CaseDaily, RegionDaily, RequestDaily) in step with the sources,
and CaseMonthly in step with CaseDaily (each refresh recomputes the months of its days).

Design: dirty days, recomputed whole.
- Every save or delete of a case, victim, request, signal or return proposal inserts a
  ``DirtyMark`` for the local day(s) it counts on, in the *same transaction* as the change
  (signal receivers in ``dashboards.signals``). A change that rolls back leaves no mark; a
  change that commits cannot lose its mark (the outbox idea: no message to lose).
- ``refresh_dirty`` (Celery beat every ``REFRESH_SECONDS``; in the embedded mode right after the
  commit) deletes the marks it can see and recomputes those days from the source tables, in one
  transaction. Marks committed meanwhile are invisible to that delete, so they stay and are
  picked up by the next run; a crash rolls the delete back. Figures therefore lag the truth by
  at most one beat interval plus the time of one refresh.
- Recomputing a whole day (DELETE + INSERT of its rows) rather than adding +1/-1 deltas is what
  makes it correct: a case whose region, loss or typology is edited, a request that is
  re-routed to another bank, a late completion, an escalation, a retried task or a delivery
  seen twice all converge to the same rows, with nothing to double count. A day is small
  (thousands of rows at a million cases a year), so recomputing it costs tens of milliseconds.
- Bulk loads that bypass the ORM (``cases.generator_bulk`` COPY) and edits made with
  ``QuerySet.update`` send no signal: run ``manage.py rebuild_rollups`` after them (all days, or
  ``--since``).
The ORM aggregates used here run on PostgreSQL and on the embedded SQLite alike.
"""

from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate


from .cache import new_generation
from .models import CUBE_FIELDS, CaseDaily, CaseMonthly, DirtyMark, RegionDaily, RequestDaily, TimingMonthly

REFRESH_LOCK = 0x64617368  # "dash": one refresher at a time (PostgreSQL advisory lock)
SOLVED_STATUSES = ("solved", "closed")
STOP_PAYMENT, FREEZE, DISSUASION, FUND_RETURN = "stop_payment", "freeze", "dissuasion", "fund_return"


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(local_tz()).date() if moment is not None else None


def day_window(day: date) -> tuple[datetime, datetime]:
    """The [start, end) instants of a local calendar day."""
    tz = local_tz()
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


# ---------------------------------------------------------------- marking


def mark_days(days: Iterable[date | None]) -> None:
    """Mark local days stale (inside the caller's transaction); None entries are skipped.

    One small insert per call: a transaction that marks one day many times (a delivery batch)
    leaves several marks of it, which the refresh reads as one day.
    """
    wanted = sorted({d for d in days if d is not None})
    if not wanted:
        return
    DirtyMark.objects.bulk_create([DirtyMark(day=d) for d in wanted])
    if getattr(settings, "DASHBOARDS_REFRESH_ON_COMMIT", not settings.REDIS_URL) and not _refresh_deferred.get():
        # Embedded mode has no beat: refresh right after this transaction commits.
        transaction.on_commit(refresh_dirty, robust=True)  # a rollup error must not fail the write


_refresh_deferred: ContextVar[bool] = ContextVar("rollup_refresh_deferred", default=False)


@contextmanager
def refresh_deferred():
    """Inside, writes still mark their days but schedule no refresh at their commit (the
    embedded mode's); the caller refreshes or rebuilds once after. ``seed_demo`` writes three
    hundred cases one commit each, and refreshing after each one was 40% of its time on the
    embedded SQLite, for rollups its last step (``seed_dashboards``) rebuilds from scratch anyway."""
    token = _refresh_deferred.set(True)
    try:
        yield
    finally:
        _refresh_deferred.reset(token)


# ---------------------------------------------------------------- recomputing


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])


def refresh_dirty() -> list[date]:
    """Recompute every day marked stale; returns the days refreshed (oldest first)."""
    with transaction.atomic():
        _lock()
        marks = list(DirtyMark.objects.values_list("pk", "day"))
        if not marks:
            return []
        DirtyMark.objects.filter(pk__in=[pk for pk, _d in marks]).delete()
        days = sorted({d for _pk, d in marks})
        for day in days:
            _refresh_day(day)
        _refresh_months(days)
        new_generation()
    if days:
        _announce(days)
    return days


def refresh_days(days: Iterable[date]) -> None:
    with transaction.atomic():
        _lock()
        days = sorted(set(days))
        for day in days:
            _refresh_day(day)
        _refresh_months(days)
        new_generation()


def rebuild(*, since: date | None = None, log=None) -> int:
    """Recompute from scratch every day that has data (from ``since`` if given).

    The rollup rows of the days concerned are deleted first, so days that no longer have data
    lose their rows too. Returns the number of days recomputed.
    """
    with transaction.atomic():
        _lock()
        for model in (CaseDaily, RegionDaily, RequestDaily):
            model.objects.filter(**({"day__gte": since} if since else {})).delete()
        if since is None:
            DirtyMark.objects.all().delete()
        days = [d for d in data_days() if since is None or d >= since]
        for count, day in enumerate(days, 1):
            _refresh_day(day, clear=False)
            if log and count % 30 == 0:
                log(f"rollups: {day} done ({count}/{len(days)} days)")
        # Every month from the first one touched, so a month whose days all lost their data
        # loses its rows too.
        for model in (CaseMonthly, TimingMonthly):
            model.objects.filter(**({"month__gte": month_of(since)} if since else {})).delete()
        _refresh_months(days, clear=False)
        new_generation()
    return len(days)


def data_days() -> list[date]:
    """Every local day on which some source row counts (sorted)."""
    from alerts.models import Request, ReturnProposal, Signal
    from cases.models import Case

    tz = local_tz()
    sources = [(Case.objects.all(), "reported_at"), (Request.objects.all(), "created_at"),
               (Signal.objects.all(), "received_at"), (ReturnProposal.objects.filter(decided_at__isnull=False), "decided_at")]
    days: set[date] = set()
    for qs, field in sources:
        days.update(qs.order_by().annotate(d=TruncDate(field, tzinfo=tz)).values_list("d", flat=True).distinct())
    return sorted(days)


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _refresh_months(days: Iterable[date], *, clear: bool = True) -> None:
    """Recompute ``CaseMonthly`` and ``TimingMonthly`` for the months of ``days`` from their
    daily rows.

    Runs after the days themselves, in their transaction: a month is made of its days, so it
    converges with them whatever changed. The timings cost a refresh about 120 ms at 1M cases
    a year (bench_dashboards), which the assessment's first view no longer pays.
    """
    from .assessment import seconds_percentiles

    for month in sorted({month_of(d) for d in days}):
        if clear:
            CaseMonthly.objects.filter(month=month).delete()
            TimingMonthly.objects.filter(month=month).delete()
        sums = {f: Sum(f) for f in CUBE_FIELDS}
        rows = (
            CaseDaily.objects.filter(day__gte=month, day__lt=next_month(month)).order_by()
            .values("region_id", "region_path", "typology_id").annotate(**sums)
        )
        CaseMonthly.objects.bulk_create([CaseMonthly(month=month, **row) for row in rows], batch_size=2000)
        timings = seconds_percentiles(start=month, end=next_month(month) - timedelta(days=1))
        TimingMonthly.objects.bulk_create([TimingMonthly(month=month, agency_id=agency, **values)
                                           for agency, values in timings.items()], batch_size=2000)


def _refresh_day(day: date, *, clear: bool = True) -> None:
    if clear:
        for model in (CaseDaily, RegionDaily, RequestDaily):
            model.objects.filter(day=day).delete()
    start, end = day_window(day)
    _case_rows(day, start, end)
    _region_rows(day, start, end)
    _request_rows(day, start, end)


# The case fields the rollups read (here and through requests' case region): a save that
# changes none of them leaves every figure as it was (dashboards.signals skips its mark).
CASE_FIELDS_COUNTED = frozenset({"reported_at", "region", "region_id", "typology", "typology_id",
                                 "reporting_agency", "reporting_agency_id", "loss_amount", "status",
                                 "close_reason"})


def _case_rows(day, start, end) -> None:
    from cases.choices import UNCOUNTED_CLOSE_REASONS
    from cases.models import Case, Victim

    # A case closed as a duplicate (merged) or as not fraud counts nowhere (cases.merging).
    uncounted = Q(close_reason__in=UNCOUNTED_CLOSE_REASONS)
    key_fields = ("region_id", "region__path", "typology_id", "reporting_agency_id")
    rows = {}
    cases = (
        Case.objects.filter(reported_at__gte=start, reported_at__lt=end).exclude(uncounted)
        .order_by().values(*key_fields)
        .annotate(n=Count("id"), loss=Sum("loss_amount"), solved=Count("id", filter=Q(status__in=SOLVED_STATUSES)))
    )
    for row in cases:
        key = tuple(row[f] for f in key_fields)
        rows[key] = CaseDaily(
            day=day, region_id=row["region_id"], region_path=row["region__path"], typology_id=row["typology_id"],
            reporting_agency_id=row["reporting_agency_id"], cases=row["n"], loss=row["loss"] or Decimal("0"),
            solved=row["solved"],
        )
    if not rows:
        return
    victim_keys = tuple("case__" + f for f in key_fields)
    victims = (
        Victim.objects.filter(case__reported_at__gte=start, case__reported_at__lt=end)
        .exclude(case__close_reason__in=UNCOUNTED_CLOSE_REASONS).order_by().values(*victim_keys)
        .annotate(
            u18=Count("id", filter=Q(age__lt=18)),
            a18=Count("id", filter=Q(age__gte=18, age__lt=35)),
            a35=Count("id", filter=Q(age__gte=35, age__lt=60)),
            a60=Count("id", filter=Q(age__gte=60)),
            unknown=Count("id", filter=Q(age__isnull=True)),
        )
    )
    for row in victims:
        target = rows.get(tuple(row[f] for f in victim_keys))
        if target is not None:
            target.victims_u18, target.victims_18_34 = row["u18"], row["a18"]
            target.victims_35_59, target.victims_60p, target.victims_unknown = row["a35"], row["a60"], row["unknown"]
    CaseDaily.objects.bulk_create(rows.values(), batch_size=2000)


def _request_region():
    return Coalesce("case__region_id", "person_region_id", "issuing_agency__region_id")


WITHIN_Q = (
    Q(status="completed")
    & (Q(complete_due_at__isnull=True) | Q(completed_at__lte=F("complete_due_at")))
    & (Q(ack_due_at__isnull=True) | Q(acknowledged_at__lte=F("ack_due_at")))
)


def _region_rows(day, start, end) -> None:
    from agencies.models import Region
    from alerts.models import Request, Signal

    acc: dict[int, dict] = defaultdict(dict)

    def add(rows, fields):
        for row in rows:
            target = acc[row["r"]]
            for f in fields:
                target[f] = target.get(f, 0) + (row[f] or 0)

    first_freeze = Q(kind=FREEZE) & ~Q(freeze_action__in=["renew", "release"])
    done = Q(status="completed")
    issued = (
        Request.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(r=_request_region()).order_by().values("r")
        .annotate(
            requests_issued=Count("id"),
            requests_completed=Count("id", filter=done),
            requests_within=Count("id", filter=WITHIN_Q),
            requests_overdue=Count("id", filter=Q(escalated_at__isnull=False)),
            stop_count=Count("id", filter=done & Q(kind=STOP_PAYMENT)),
            stopped=Sum("amount_secured", filter=done & Q(kind=STOP_PAYMENT)),
            freeze_count=Count("id", filter=done & first_freeze),
            frozen=Sum("amount_secured", filter=done & first_freeze),
            dissuaded=Count("id", filter=done & Q(kind=DISSUASION, outcome="dissuaded")),
            # Money returned: what banks reported returned to victims on completed return
            # instalments (alerts' returns), next to money stopped; not what was merely approved.
            returned=Sum("amount_secured", filter=done & Q(kind=FUND_RETURN)),
        )
    )
    add(issued, ("requests_issued", "requests_completed", "requests_within", "requests_overdue", "stop_count",
                 "stopped", "freeze_count", "frozen", "dissuaded", "returned"))
    signals = (
        Signal.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(r=Coalesce("region_id", "source_agency__region_id")).order_by().values("r")
        .annotate(signals=Count("id"))
    )
    add(signals, ("signals",))
    # The day's cases per region, from the CaseDaily rows _case_rows has just written.
    cases = CaseDaily.objects.filter(day=day).order_by().values(r=F("region_id")).annotate(
        cases=Sum("cases"), loss=Sum("loss"))
    add(cases, ("cases", "loss"))
    acc.pop(None, None)
    if not acc:
        return
    paths = dict(Region.objects.filter(pk__in=list(acc)).values_list("pk", "path"))
    RegionDaily.objects.bulk_create(
        [RegionDaily(day=day, region_id=r, region_path=paths[r], **values) for r, values in acc.items()],
        batch_size=2000,
    )


def _seconds(later, earlier) -> int | None:
    if later is None or earlier is None:
        return None
    return max(0, int((later - earlier).total_seconds()))


def _request_rows(day, start, end) -> None:
    from alerts.models import Request

    fields = ("target_agency_id", "secondary_agency_id", "kind", "status", "delivered_at", "acknowledged_at",
              "completed_at", "ack_due_at", "complete_due_at", "escalated_at", "outcome", "amount", "amount_secured",
              "freeze_action")
    rows: dict[tuple, RequestDaily] = {}
    reqs = (
        Request.objects.filter(created_at__gte=start, created_at__lt=end, target_agency_id__isnull=False)
        .order_by().values_list(*fields)
    )
    for (target, secondary, kind, status, delivered, acked, completed, ack_due, complete_due, escalated, outcome,
         amount, secured, freeze_action) in reqs.iterator(chunk_size=5000):
        holds_money = kind == STOP_PAYMENT or (kind == FREEZE and freeze_action not in ("renew", "release"))
        in_time = status == "completed" and (complete_due is None or completed <= complete_due) and (
            ack_due is None or (acked is not None and acked <= ack_due))
        for agency_id in (target, secondary):
            if agency_id is None:
                continue
            row = rows.get((agency_id, kind))
            if row is None:
                row = rows[(agency_id, kind)] = RequestDaily(day=day, agency_id=agency_id, kind=kind,
                                                             ack_seconds=[], complete_seconds=[])
            row.received += 1
            row.acknowledged += acked is not None
            row.completed += status == "completed"
            row.within_deadline += in_time
            if ack_due is not None:
                row.with_ack_deadline += 1
                row.ack_in_time += acked is not None and acked <= ack_due
            row.overdue += escalated is not None
            row.rejected += status == "rejected"
            row.failed += status == "failed"
            if holds_money and agency_id == target:
                row.amount_requested += amount or 0
                if status == "completed":
                    row.amount_held += secured or 0
            if status == "completed" and kind == DISSUASION:
                row.outcome_dissuaded += outcome == "dissuaded"
                row.outcome_already_paid += outcome == "already_paid"
                row.outcome_unreachable += outcome == "unreachable"
            ack = _seconds(acked, delivered)
            if ack is not None:
                row.ack_seconds.append(ack)
            took = _seconds(completed if status == "completed" else None, delivered)
            if took is not None:
                row.complete_seconds.append(took)
    for row in rows.values():  # sorted: a period's percentiles then merge runs (assessment.percentiles)
        row.ack_seconds.sort()
        row.complete_seconds.sort()
    RequestDaily.objects.bulk_create(rows.values(), batch_size=2000)


# ---------------------------------------------------------------- telling the pages


def _announce(days: list[date]) -> None:
    """Tell the agencies that read dashboards that figures changed (live.js re-fetches them).

    Who receives it is declared in dashboards.access (``live_dashboard_audience``).
    """
    from events.services import event_emit

    # The receivers: dashboards.access.live_dashboard_audience (declared in events.schemas).
    event_emit(kind="stats.refreshed", payload={"days": [d.isoformat() for d in days[-7:]]})
