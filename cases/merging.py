"""Duplicates: merging one case into another, and taking a case out of the figures.

``case_merge`` moves everything of the duplicate onto the surviving case, generically: every
row of another model that points at the duplicate by a foreign key (victims, transactions,
requests to banks, and notes, files or tasks where those models exist) is re-pointed at the
survivor, except the relations listed in ``KEPT_ON_DUPLICATE`` (its own history and shares) and
the indicator links, which are merged by value (a trace both cases carry stays once). The
duplicate is then closed as a duplicate, remembers the survivor (its page redirects there), and
leaves its ring; both timelines keep their lines, and the survivor's gets a copy of the
duplicate's, marked with where they came from.

A case closed as a duplicate or as not fraud (``UNCOUNTED_CLOSE_REASONS``) no longer counts:
``case_uncount`` takes it out of its ring (which may split) and the dashboards' rollups skip it
(dashboards.rollups). Reopened, ``case_recount`` links it again.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.datetimes import iso_local
from core.policy import Forbidden, authorize
from core.services import audit_entry, audit_record_many

from . import linking
from .choices import UNCOUNTED_CLOSE_REASONS, CaseStatus, CloseReason
from .models import Case, CaseEvent, CaseIndicator, Indicator, Ring

# Reverse relations of Case not moved by the generic pass: the timeline is copied instead (both
# histories stay), shares stay with the case they were given on, indicator links are merged by
# value, and ``merged_into`` is re-pointed explicitly (chains are flattened).
KEPT_ON_DUPLICATE = {("cases.CaseEvent", "case"), ("cases.CaseGroupObjectPermission", "content_object"),
                     ("cases.CaseIndicator", "case"), ("cases.Case", "merged_into")}


def _moved_relations() -> list[models.ForeignKey]:
    """Every foreign key of another model (or of Case itself) to Case that merging re-points,
    including those declared without a reverse accessor (``related_name="+"``)."""
    fields = []
    for rel in Case._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.one_to_many):
            continue
        if (rel.field.model._meta.label, rel.field.name) not in KEPT_ON_DUPLICATE:
            fields.append(rel.field)
    return fields


def _unique_with(field: models.ForeignKey) -> bool:
    """Whether a unique constraint of the model involves ``field`` (re-pointing may then clash)."""
    meta = field.model._meta
    if field.unique:
        return True
    sets = [set(u) for u in meta.unique_together]
    sets += [set(c.fields) for c in meta.constraints if isinstance(c, models.UniqueConstraint)]
    return any(field.name in names or field.attname in names for names in sets)


def _move_rows(field: models.ForeignKey, loser: Case, survivor: Case) -> tuple[int, int, set]:
    """Re-point ``field``'s rows from ``loser`` to ``survivor`` in one UPDATE; returns (moved,
    kept, days). Where a unique constraint involves the field, row by row in savepoints: the
    rows it refuses stay on the duplicate (``kept``). ``days``: the local days of the rows moved
    (by ``created_at``, where the model has one): the dashboards count some of them (requests)
    on their case's region, and an UPDATE sends no signal."""
    from dashboards.rollups import local_day

    model = field.model
    dated = any(f.name == "created_at" for f in model._meta.concrete_fields)
    if _unique_with(field):
        qs = model._base_manager.filter(**{field.name: loser})
        moved = kept = 0
        days = set()
        for pk, *at in qs.values_list("pk", *(["created_at"] if dated else [])):
            try:
                with transaction.atomic():
                    moved += model._base_manager.filter(pk=pk).update(**{field.name: survivor})
                    days.update(local_day(a) for a in at)
            except IntegrityError:
                kept += 1
        return moved, kept, days
    quote = connection.ops.quote_name
    sql = "UPDATE %s SET %s = %%s WHERE %s = %%s" % (quote(model._meta.db_table), quote(field.column), quote(field.column))
    if dated:
        sql += " RETURNING %s" % quote(model._meta.get_field("created_at").column)
    with connection.cursor() as cursor:
        cursor.execute(sql, [survivor.pk, loser.pk])
        days = {local_day(row[0]) for row in cursor.fetchall()} if dated else set()
        return cursor.rowcount, 0, days


def _merge_links(loser: Case, survivor: Case) -> list[int]:
    """Move the duplicate's indicator links onto the survivor; returns the moved indicators'
    ids. A trace both carry loses one case from its count (it is now on one case, not two)."""
    loser_links = list(CaseIndicator.objects.filter(case=loser))
    if not loser_links:
        return []
    survivor_pairs = set(CaseIndicator.objects.filter(case=survivor).values_list("indicator_id", "role"))
    survivor_indicators = {ind for ind, _role in survivor_pairs}
    moved, dropped = [], []
    for link in loser_links:
        (dropped if (link.indicator_id, link.role) in survivor_pairs else moved).append(link.pk)
    CaseIndicator.objects.filter(pk__in=dropped).delete()
    CaseIndicator.objects.filter(pk__in=moved).update(case=survivor)
    both = {link.indicator_id for link in loser_links} & survivor_indicators
    if both:
        Indicator.objects.filter(pk__in=both).update(case_count=models.F("case_count") - 1)
    return sorted({link.indicator_id for link in loser_links} - survivor_indicators)


def _ring_settle(ring_ids: set) -> None:
    """Recompute the rings a case left or joined (they may split, or be left empty) and take
    out of them the traces no counted case of theirs carries any more."""
    for ring in Ring.objects.filter(pk__in=ring_ids).order_by("pk"):
        parts = linking.ring_recompute(ring)
        for part in parts:
            carried = CaseIndicator.objects.filter(case__ring=part, indicator__is_linkable=True).values("indicator_id")
            Indicator.objects.filter(ring=part).exclude(pk__in=carried).update(ring=None)


def _timeline_copies(loser: Case, survivor: Case) -> list[CaseEvent]:
    """The duplicate's timeline, as unsaved copies for the survivor (marked with its number)."""
    return [
        CaseEvent(case=survivor, actor_id=e.actor_id, agency_id=e.agency_id, kind=e.kind,
                  message=("[%s] %s" % (loser.number, e.message))[:500],
                  detail={**(e.detail or {}), "merged_from": loser.number, "at": iso_local(e.at)})
        for e in CaseEvent.objects.filter(case=loser).order_by("at", "id")
    ]


def _mark_rollups(*cases: Case, days: set) -> None:
    """The merge re-points rows with UPDATE (no signal): mark the days both cases count on and
    those of the rows moved."""
    from dashboards.rollups import local_day, mark_days

    mark_days([local_day(c.reported_at) for c in cases] + list(days))


def _ring_drop(old_ring: int, keeper_ring: int | None, loser: Case) -> None:
    """Take the duplicate out of the figures of the ring it was in: that ring, or the
    survivor's if ``case_link`` merged it there (it then counted the duplicate in its sum)."""
    ring = (Ring.objects.select_for_update().filter(pk=old_ring).first()
            or Ring.objects.select_for_update().filter(pk=keeper_ring).first())
    if ring is None:
        return
    ring.case_count = max(0, ring.case_count - 1)
    if ring.case_count == 0:
        Indicator.objects.filter(ring=ring).update(ring=None)
        ring.delete()
        return
    ring.total_loss -= loser.loss_amount or 0
    if loser.occurred_at in (ring.first_occurred_at, ring.last_occurred_at) and not Case.objects.filter(
            ring=ring, occurred_at=loser.occurred_at).exists():
        linking.ring_refresh_aggregates(ring)  # the span may have narrowed
    else:
        ring.save(update_fields=["case_count", "total_loss", "updated_at"])


@transaction.atomic
def case_merge(*, duplicate: Case, survivor: Case, actor, request=None) -> Case:
    """Merge ``duplicate`` into ``survivor`` (see the module's text). Returns the survivor.

    Only a centre's analysts and supervisors, on two cases both within what they may change
    (``case.merge``); refused when either was already merged, or they are the same case.
    """
    refusal = _("只有反诈中心的研判员可以合并其权限内的案件。")
    authorize(actor, "case.merge", message=refusal)
    if duplicate.pk == survivor.pk:
        raise ValidationError(_("不能把案件合并到它自己。"))
    linking.ring_lock()
    # The rule's object check (``case.merge`` on each case: within what the actor may change),
    # for both cases in the one statement that locks them.
    locked = {c.pk: c for c in Case.objects.restrict(actor, "change").select_for_update()
              .filter(pk__in=[duplicate.pk, survivor.pk]).order_by("pk")}
    if len(locked) != 2:
        raise Forbidden(refusal)
    loser, keeper = locked[duplicate.pk], locked[survivor.pk]
    if loser.merged_into_id or keeper.merged_into_id:
        raise ValidationError(_("已合并的案件不能再次合并。"))
    if keeper.close_reason in UNCOUNTED_CLOSE_REASONS:
        raise ValidationError(_("不能合并到以“重复报案”或“非诈骗”结案的案件。"))

    moved: dict[str, int] = {}
    kept: dict[str, int] = {}
    days: set = set()
    for field in _moved_relations():
        n, k, moved_days = _move_rows(field, loser, keeper)
        days |= moved_days
        label = field.model._meta.label_lower + "." + field.name
        if n:
            moved[label] = n
        if k:
            kept[label] = k
    if keeper.possible_duplicate_of_id == loser.pk:  # it now points at itself (moved above)
        Case.objects.filter(pk=keeper.pk).update(possible_duplicate_of=None)
    Case.objects.filter(merged_into=loser).update(merged_into=keeper)
    indicator_ids = _merge_links(loser, keeper)

    # The duplicate leaves its ring; the survivor joins the rings of the traces it received.
    # Every trace of the duplicate is now on the survivor, so whatever the duplicate tied
    # together stays tied: its ring loses one case, it cannot split.
    old_ring = loser.ring_id
    Case.objects.filter(pk=loser.pk).update(ring=None)
    loser.ring = None
    linkable = list(Indicator.objects.select_for_update().filter(pk__in=indicator_ids, is_linkable=True).order_by("pk"))
    if linkable:
        linking.case_link(case=keeper, indicators=linkable)
    if old_ring:
        _ring_drop(old_ring, keeper.ring_id, loser)

    loser.merged_into, loser.merged_at = keeper, timezone.now()
    before = loser.status
    loser.status, loser.close_reason = CaseStatus.CLOSED, CloseReason.DUPLICATE
    loser.save(update_fields=["merged_into", "merged_at", "status", "close_reason", "updated_at"])
    copies = _timeline_copies(loser, keeper)
    copied = len(copies)
    detail = {"duplicate": loser.number, "survivor": keeper.number, "moved": moved, "kept_on_duplicate": kept,
              "indicators_moved": len(indicator_ids), "timeline_copied": copied, "status_before": before}
    from .services import _emit, _reprioritise, case_timeline_add_many, case_timeline_entry

    case_timeline_add_many(copies + [
        case_timeline_entry(case=loser, kind="merged", actor=actor, detail=detail,
                            message=_("已合并至案件 %(number)s") % {"number": keeper.number}),
        case_timeline_entry(case=keeper, kind="merged_in", actor=actor, detail=detail,
                            message=_("合并了重复案件 %(number)s") % {"number": loser.number}),
    ])
    keeper.refresh_from_db()
    _reprioritise(keeper, list(keeper.victims.all()))
    keeper.save(update_fields=["priority", "priority_computed", "updated_at"])
    audit_record_many([
        audit_entry(actor=actor, action=AuditAction.UPDATE, obj=loser, detail={"merged_into": keeper.pk, **detail}, request=request),
        audit_entry(actor=actor, action=AuditAction.UPDATE, obj=keeper, detail={"merged_from": loser.pk, **detail}, request=request),
    ])
    _mark_rollups(loser, keeper, days=days)
    _emit(loser, "case.transition", actor)
    _emit(keeper, "case.updated", actor)
    return keeper


def case_uncount(case: Case) -> None:
    """Take a case closed as not counting out of its ring (caller holds the case's lock, in a
    transaction). Its traces stay on it, but tie it to nothing."""
    linking.ring_lock()
    ring_id = case.ring_id
    Case.objects.filter(pk=case.pk).update(ring=None)
    case.ring = None
    if ring_id:
        _ring_settle({ring_id})


def case_recount(case: Case) -> None:
    """A case that counted for nothing is reopened: it joins the rings of its traces again."""
    linking.ring_lock()
    ids = CaseIndicator.objects.filter(case=case).values("indicator_id")
    indicators = list(Indicator.objects.select_for_update().filter(pk__in=ids, is_linkable=True).order_by("pk"))
    ring = linking.case_link(case=case, indicators=indicators)
    _ring_settle({ring.pk})
