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
    """Create missing indicators (benign ones not linkable) and lock all, in (kind, value) order.

    Counts nothing: ``indicators_claim`` is the intake's path (it also counts the case).
    """
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


# Takes the ring lock, then in one statement creates the missing indicators (not linkable when
# the value or its domain is on the warning list), counts the case on the ones it links for the
# first time (``n`` = 1) and locks and returns them all. The lock is its own statement of the
# same message: in READ COMMITTED the upsert's snapshot is then taken after the lock is held,
# so it sees everything the previous ring writer committed. The ORM spelling of this is five
# round trips (lock, warning list, insert, locking read, update), each built in Python.
_CLAIM = """
SELECT pg_advisory_xact_lock(%s);
INSERT INTO {indicator} AS t (kind, value, registrable_domain, case_count, first_seen_at, last_seen_at,
                              is_linkable, needs_review, review_reason)
SELECT v.kind, v.value, v.domain, v.n, v.seen, v.seen,
       NOT EXISTS (SELECT 1 FROM {benign} b WHERE b.kind = v.kind AND b.value IN (v.value, NULLIF(v.domain, ''))),
       false, ''
FROM (VALUES {rows}) AS v (kind, value, domain, n, seen)
ORDER BY v.kind, v.value
ON CONFLICT (kind, value) DO UPDATE SET
    case_count = t.case_count + EXCLUDED.case_count,
    first_seen_at = CASE WHEN EXCLUDED.case_count > 0 THEN LEAST(t.first_seen_at, EXCLUDED.first_seen_at)
                         ELSE t.first_seen_at END,
    last_seen_at = CASE WHEN EXCLUDED.case_count > 0 THEN GREATEST(t.last_seen_at, EXCLUDED.last_seen_at)
                        ELSE t.last_seen_at END
RETURNING {columns}
"""
_CLAIM_ROW = "(%s::varchar, %s::varchar, %s::varchar, %s::int, %s::timestamptz)"
# Every column, in the model's order (``Model.from_db`` reads a full row in that order).
_CLAIM_COLUMNS = tuple(f.column for f in Indicator._meta.concrete_fields)


def indicators_claim(
    items: Iterable[NormalizedIndicator], *, seen_at, already: set[tuple[str, str]] = frozenset()
) -> dict[tuple[str, str], Indicator]:
    """Take the ring lock; create, count and lock the indicators of one case's write.

    Every item not in ``already`` (the (kind, value) the case carried before this write) counts
    the case once more and widens first/last seen to ``seen_at``. Returns the rows, locked, by
    (kind, value); the caller goes on with ``case_link`` in the same transaction.
    """
    unique = {(i.kind, i.value): i for i in items}
    if connection.vendor != "postgresql":  # pragma: no cover - the embedded SQLite
        ring_lock()
        rows = indicators_upsert(unique.values())
        fresh = [ind for key, ind in rows.items() if key not in already]
        for ind in fresh:
            ind.case_count += 1
            ind.first_seen_at = _min(ind.first_seen_at, seen_at)
            ind.last_seen_at = _max(ind.last_seen_at, seen_at)
        Indicator.objects.bulk_update(fresh, ["case_count", "first_seen_at", "last_seen_at"])
        return rows
    if not unique:
        ring_lock()
        return {}
    params: list = [RING_LOCK_KEY]
    for key in sorted(unique):
        item = unique[key]
        params += [item.kind, item.value, item.registrable_domain, 0 if key in already else 1, seen_at]
    sql = _CLAIM.format(
        indicator=connection.ops.quote_name(Indicator._meta.db_table),
        benign=connection.ops.quote_name(BenignIndicator._meta.db_table),
        rows=", ".join([_CLAIM_ROW] * len(unique)),
        columns=", ".join(_CLAIM_COLUMNS),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    indicators = [Indicator.from_db(connection.alias, _CLAIM_COLUMNS, row) for row in rows]
    return {(i.kind, i.value): i for i in sorted(indicators, key=lambda i: (i.kind, i.value))}


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
    # Their cases and indicators were moved above: a plain DELETE, not the ORM's collector
    # (which would re-read the rings and "SET NULL" rows that no longer point at them).
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM %s WHERE id IN (%s)" % (connection.ops.quote_name(Ring._meta.db_table), ", ".join(["%s"] * len(ids))),
            ids,
        )


def _min(a, b):
    return b if a is None else a if b is None else min(a, b)


def _max(a, b):
    return b if a is None else a if b is None else max(a, b)


def case_link(*, case: Case, indicators: list[Indicator]) -> Ring:
    """Put ``case`` in the ring of ``indicators`` (from ``indicators_claim``), merging rings.

    A case not saved yet (an intake) only gets ``case.ring``: it is inserted with it, one
    write instead of an insert and an update. Caller holds ``ring_lock()`` and the indicator
    locks (both taken by ``indicators_claim``).
    """
    now = timezone.now()
    threshold = suspect_threshold()
    ring_ids: set[int] = {case.ring_id} if case.ring_id else set()
    linkable: list[Indicator] = []
    dirty: list[Indicator] = []
    for ind in indicators:
        if ind.is_linkable and ind.case_count >= threshold:
            # Shared by suspiciously many cases: stop it tying more cases, ask a person.
            ind.is_linkable = False
            ind.needs_review = True
            ind.flagged_at = now
            ind.review_reason = gettext("关联案件数达到 %(n)s，疑似公共号码/域名，暂停串并") % {"n": threshold}
            dirty.append(ind)
            if ind.ring_id:
                ring_ids.add(ind.ring_id)  # the case still joins the ring it tied so far
        if ind.is_linkable:
            linkable.append(ind)
            if ind.ring_id:
                ring_ids.add(ind.ring_id)
    rings = list(Ring.objects.select_for_update().filter(pk__in=ring_ids).order_by("pk")) if ring_ids else []
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
        if case.pk is not None:
            Case.objects.filter(pk=case.pk).update(ring=keeper)
    for ind in linkable:
        if ind.ring_id != keeper.pk:
            ind.ring = keeper
            if ind not in dirty:
                dirty.append(ind)
    if dirty:
        _indicators_write(dirty)
    return keeper


# What case_link changes on an indicator (the counts were written by indicators_claim).
_INDICATOR_STATE = ("is_linkable", "needs_review", "flagged_at", "review_reason", "ring_id")
_INDICATOR_CASTS = ("bool", "bool", "timestamptz", "text", "bigint")


def _indicators_write(rows: list[Indicator]) -> None:
    """One ``UPDATE ... FROM (VALUES ...)`` for the case's indicators (flags, ring).

    ``bulk_update`` would say the same with a CASE per column and row, which costs more to
    build in Python than the statement costs to run: this is on every intake's path.
    """
    if connection.vendor != "postgresql":  # pragma: no cover
        Indicator.objects.bulk_update(rows, [f.removesuffix("_id") for f in _INDICATOR_STATE])
        return
    table = connection.ops.quote_name(Indicator._meta.db_table)
    cols = ", ".join(_INDICATOR_STATE)
    row_sql = "(%s, " + ", ".join("%%s::%s" % c for c in _INDICATOR_CASTS) + ")"
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
