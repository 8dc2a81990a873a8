"""Rings: connected components of cases that share a linkable indicator, kept incrementally.

Every linkable indicator carries ``ring`` (the ring of all cases that have it); every case
carries ``ring`` (a ring of one when it shares nothing). A write links the new case to the
rings of its indicators and merges them, the smaller into the larger, so the cost of a merge is
the size of the smaller ring, never the world. Removing a link may split a ring: only that
ring's component is recomputed (``ring_recompute``).

Locking: ring writes take one transaction-level advisory lock before any indicator or ring
row. A merge rewrites ``indicator.ring`` rows that another intake may hold, so per-row locks
alone would deadlock (A holds indicator X and waits for ring R; B holds R and waits for X).
One short lock per intake (a few ms) is far above the city's intake rate and makes two intakes
that share a brand new indicator end in one ring, by construction.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from .models import BenignIndicator, Case, CaseIndicator, Indicator, Ring
from .normalize import NormalizedIndicator

RING_LOCK_KEY = 0x0CA5E5  # pg_advisory_xact_lock key for ring writes


def suspect_threshold() -> int:
    return int(getattr(settings, "CASES_SUSPECT_INDICATOR_THRESHOLD", 200))


def ring_lock() -> None:
    """Serialise ring writes until the end of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RING_LOCK_KEY])


def is_benign(item: NormalizedIndicator) -> bool:
    return bool(benign_keys([item]))


def benign_keys(items: Iterable[NormalizedIndicator]) -> set[tuple[str, str]]:
    """(kind, value) of the items on the warning list (by value, or for URLs by domain): one query."""
    items = list(items)
    wanted = {(i.kind, i.value) for i in items} | {(i.kind, i.registrable_domain) for i in items if i.registrable_domain}
    if not wanted:
        return set()
    q = Q()
    for kind, value in wanted:
        q |= Q(kind=kind, value=value)
    listed = set(BenignIndicator.objects.filter(q).values_list("kind", "value"))
    return {(i.kind, i.value) for i in items if (i.kind, i.value) in listed or (i.kind, i.registrable_domain) in listed}


def indicators_upsert(items: Iterable[NormalizedIndicator]) -> dict[tuple[str, str], Indicator]:
    """Create missing indicators (benign ones not linkable) and lock all, in (kind, value) order."""
    unique = {(i.kind, i.value): i for i in items}
    if not unique:
        return {}
    keys = sorted(unique)
    benign = benign_keys(unique.values())
    # Existing rows are left alone by ON CONFLICT DO NOTHING; then one locking read of all.
    Indicator.objects.bulk_create(
        [
            Indicator(kind=k, value=v, registrable_domain=unique[(k, v)].registrable_domain, is_linkable=(k, v) not in benign)
            for k, v in keys
        ],
        ignore_conflicts=True,
    )
    q = Q()
    for kind, value in keys:
        q |= Q(kind=kind, value=value)
    locked = Indicator.objects.select_for_update().filter(q).order_by("kind", "value")
    return {(i.kind, i.value): i for i in locked}


def _merge_into(keeper: Ring, others: list[Ring]) -> None:
    if not others:
        return
    ids = [r.pk for r in others]
    Case.objects.filter(ring_id__in=ids).update(ring=keeper)
    Indicator.objects.filter(ring_id__in=ids).update(ring=keeper)
    for other in others:
        keeper.case_count += other.case_count
        keeper.total_loss += other.total_loss
        keeper.first_occurred_at = _min(keeper.first_occurred_at, other.first_occurred_at)
        keeper.last_occurred_at = _max(keeper.last_occurred_at, other.last_occurred_at)
    Ring.objects.filter(pk__in=ids).delete()


def _min(a, b):
    return b if a is None else a if b is None else min(a, b)


def _max(a, b):
    return b if a is None else a if b is None else max(a, b)


def case_link(*, case: Case, indicators: list[Indicator], new_indicator_ids: set[int], save_case: bool = True) -> Ring:
    """Link ``case`` (already saved, links written) through ``indicators`` and merge rings.

    ``new_indicator_ids`` are the indicators this write linked to the case for the first time
    (their case counts go up by one). Caller holds ``ring_lock()`` and the indicator locks.
    """
    now = timezone.now()
    threshold = suspect_threshold()
    ring_ids: set[int] = {case.ring_id} if case.ring_id else set()
    linkable: list[Indicator] = []
    dirty: list[Indicator] = []
    for ind in indicators:
        fields = []
        if ind.pk in new_indicator_ids:
            ind.case_count += 1
            ind.first_seen_at = _min(ind.first_seen_at, case.occurred_at)
            ind.last_seen_at = _max(ind.last_seen_at, case.occurred_at)
            fields += ["case_count", "first_seen_at", "last_seen_at"]
        if ind.is_linkable and ind.case_count >= threshold:
            # Shared by suspiciously many cases: stop it tying more cases, ask a person.
            ind.is_linkable = False
            ind.needs_review = True
            ind.flagged_at = now
            ind.review_reason = gettext("关联案件数达到 %(n)s，疑似公共号码/域名，暂停串并") % {"n": threshold}
            fields += ["is_linkable", "needs_review", "flagged_at", "review_reason"]
            if ind.ring_id:
                ring_ids.add(ind.ring_id)  # the case still joins the ring it tied so far
        if ind.is_linkable:
            linkable.append(ind)
            if ind.ring_id:
                ring_ids.add(ind.ring_id)
        if fields:
            dirty.append(ind)
    rings = list(Ring.objects.select_for_update().filter(pk__in=ring_ids).order_by("pk"))
    if rings:
        rings.sort(key=lambda r: (-r.case_count, r.pk))
        keeper, others = rings[0], rings[1:]
    else:
        keeper, others = Ring(), []
    _merge_into(keeper, others)
    if case.ring_id is None or case.ring_id not in {r.pk for r in rings}:
        keeper.case_count += 1
        keeper.total_loss += case.loss_amount or Decimal("0")
        keeper.first_occurred_at = _min(keeper.first_occurred_at, case.occurred_at)
        keeper.last_occurred_at = _max(keeper.last_occurred_at, case.occurred_at)
    keeper.save()
    if case.ring_id != keeper.pk:
        case.ring = keeper
        if save_case:
            Case.objects.filter(pk=case.pk).update(ring=keeper)
    for ind in linkable:
        if ind.ring_id != keeper.pk:
            ind.ring = keeper
            if ind not in dirty:
                dirty.append(ind)
    if dirty:
        _indicators_write(dirty)
    return keeper


_INDICATOR_STATE = ("case_count", "first_seen_at", "last_seen_at", "is_linkable", "needs_review", "flagged_at",
                    "review_reason", "ring_id")


def _indicators_write(rows: list[Indicator]) -> None:
    """One ``UPDATE ... FROM (VALUES ...)`` for the case's indicators (counts, flags, ring).

    ``bulk_update`` would say the same with a CASE per column and row, which costs more to
    build in Python than the statement costs to run: this is on every intake's path.
    """
    if connection.vendor != "postgresql":  # pragma: no cover
        Indicator.objects.bulk_update(rows, [f.removesuffix("_id") for f in _INDICATOR_STATE])
        return
    table = connection.ops.quote_name(Indicator._meta.db_table)
    cols = ", ".join(_INDICATOR_STATE)
    casts = ("int", "timestamptz", "timestamptz", "bool", "bool", "timestamptz", "text", "bigint")
    row_sql = "(%s, " + ", ".join("%%s::%s" % c for c in casts) + ")"
    params: list = []
    for ind in rows:
        params.append(ind.pk)
        params.extend(getattr(ind, f) for f in _INDICATOR_STATE)
    sets = ", ".join("%s = v.%s" % (f, f) for f in _INDICATOR_STATE)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE %s AS t SET %s FROM (VALUES %s) AS v(id, %s) WHERE t.id = v.id"
            % (table, sets, ", ".join([row_sql] * len(rows)), cols),
            params,
        )


def ring_refresh_aggregates(ring: Ring) -> Ring:
    agg = Case.objects.filter(ring=ring).aggregate(
        n=Count("id"), loss=Sum("loss_amount"), first=Min("occurred_at"), last=Max("occurred_at")
    )
    ring.case_count = agg["n"] or 0
    ring.total_loss = agg["loss"] or Decimal("0")
    ring.first_occurred_at = agg["first"]
    ring.last_occurred_at = agg["last"]
    ring.save()
    return ring


def components(case_ids: Iterable[int], edges: Iterable[tuple[int, int]]) -> list[set[int]]:
    """Connected components of cases given (case_id, indicator_id) edges (in-memory union-find)."""
    parent: dict = {}

    def find(x):
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for cid in case_ids:
        find(("c", cid))
    for cid, iid in edges:
        a, b = find(("c", cid)), find(("i", iid))
        if a != b:
            parent[a] = b
    groups: dict = {}
    for node in list(parent):
        if node[0] == "c":
            groups.setdefault(find(node), set()).add(node[1])
    return list(groups.values())


@transaction.atomic
def ring_recompute(ring: Ring) -> list[Ring]:
    """Recompute one ring's component after a link went away; split it if it fell apart.

    The largest part keeps the ring's id (links and bookmarks to it stay valid).
    """
    ring_lock()
    case_ids = list(Case.objects.filter(ring=ring).values_list("pk", flat=True))
    edges = list(
        CaseIndicator.objects.filter(case_id__in=case_ids, indicator__is_linkable=True).values_list(
            "case_id", "indicator_id"
        )
    )
    parts = sorted(components(case_ids, edges), key=len, reverse=True)
    if not parts:
        ring.delete()
        return []
    result = [ring]
    for part in parts[1:]:
        new = Ring.objects.create()
        Case.objects.filter(pk__in=part).update(ring=new)
        ind_ids = {iid for cid, iid in edges if cid in part}
        Indicator.objects.filter(pk__in=ind_ids).update(ring=new)
        result.append(new)
    for r in result:
        ring_refresh_aggregates(r)
    # Indicators no case carries any more, or that stopped linking, belong to no ring.
    Indicator.objects.filter(ring=ring).filter(Q(case_count=0) | Q(is_linkable=False)).update(ring=None)
    return result


def indicator_relink(indicator: Indicator) -> Ring | None:
    """An indicator became linkable again: merge the rings of every case that carries it.

    Caller holds ``ring_lock()``. The cost is the cases of this one indicator plus the smaller
    rings' rows (as in an intake merge), never the world.
    """
    ring_ids = set(
        Case.objects.filter(indicator_links__indicator=indicator).exclude(ring=None).values_list("ring_id", flat=True)
    )
    rings = sorted(Ring.objects.select_for_update().filter(pk__in=ring_ids), key=lambda r: (-r.case_count, r.pk))
    if not rings:
        return None
    keeper = rings[0]
    _merge_into(keeper, rings[1:])
    keeper.save()
    Indicator.objects.filter(pk=indicator.pk).update(ring=keeper)
    indicator.ring = keeper
    return keeper
