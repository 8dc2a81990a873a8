"""Editing a case after intake: its fields, victims, indicators and transactions.

Every change is written three ways in one transaction: the row, a timeline line whose
``detail["changes"]`` lists each field with its label, value before and value after, and an
audit line with the same list (never a bare "修改 {}"). Then ``case.updated`` goes to every
agency that may see the case, after the commit.

Two people saving the same case: the case's fields carry ``Case.version``; a save made from an
older version raises ``CaseEditConflict`` (nothing written), which names what the other person
changed so the form can show it beside what this person typed.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.policy import Forbidden, authorize
from core.services import audit_record

from . import linking
from .choices import IndicatorRole
from .models import Case, CaseEvent, CaseIndicator, Indicator, Ring, Transaction, Victim
from .services import (
    _emit,
    _link_indicators,
    _links_write,
    _normalize_indicators,
    _payee_indicators,
    _reprioritise,
    _require_change,
    _transactions_build,
    _victim_build,
    case_timeline_add,
)

# What the ring's figures and the case's priority are computed from.
RING_FIELDS = {"loss_amount", "occurred_at"}
CASE_FIELDS = ("occurred_at", "region", "typology", "loss_amount", "payment_channel", "narrative")
VICTIM_FIELDS = ("name", "id_number", "phone", "age", "gender", "occupation", "home_region")
# Personal data is recorded masked in the history: the timeline is read by every agency the
# case is shared with, and a reveal is a separate, audited act.
MASKED = {"id_number", "phone", "payer_account"}


class CaseEditConflict(ValidationError):
    """The case changed since the editor loaded it. ``current``: the case as saved now;
    ``theirs``: the changes made since (field -> {"label", "before", "after"})."""

    def __init__(self, *, current: Case, theirs: list[dict]):
        super().__init__(
            _("保存失败：在您编辑期间，该案件已被他人修改。您填写的内容仍在下方，请核对后再次保存。"),
            code="conflict",
        )
        self.current = current
        self.theirs = theirs


def display(instance: models.Model, field: str, value=None) -> str:
    """A field's value as a person reads it (a label, a name, Beijing time), for the history."""
    f = instance._meta.get_field(field)
    if value is None:
        value = getattr(instance, field)
    if value is None or value == "":
        return ""
    if field in MASKED:
        from .masking import mask_account, mask_id_number, mask_phone

        return {"id_number": mask_id_number, "phone": mask_phone, "payer_account": mask_account}[field](str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return "%.2f" % value
    return str(value)


def _change(instance, field: str, before, after) -> dict:
    return {
        "field": field,
        "label": str(instance._meta.get_field(field).verbose_name),
        "before": display(instance, field, before) if before not in (None, "") else "",
        "after": display(instance, field, after) if after not in (None, "") else "",
    }


def _summary(changes: list[dict]) -> str:
    return "；".join("%s：%s → %s" % (c["label"], c["before"] or "—", c["after"] or "—") for c in changes)


def _record(*, case: Case, actor, kind: str, message: str, changes: list[dict], request, obj=None, extra=None) -> CaseEvent:
    """Timeline + audit (same field-by-field list) + the live hint, for one edit."""
    detail = {"changes": changes, **(extra or {})}
    entry = case_timeline_add(case=case, kind=kind, actor=actor, message=message, detail=detail)
    audit_detail = {"case_id": case.pk, "case": case.number, "what": kind, **detail}
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=obj or case, detail=audit_detail, request=request)
    _emit(case, "case.updated", actor)
    return entry


def changes_since(case: Case, version: int) -> list[dict]:
    """What was changed on the case's fields after ``version`` (from the timeline), field by field."""
    theirs: dict[str, dict] = {}
    for entry in case.timeline.filter(kind="fields_edited", detail__version__gt=version).order_by("at", "id"):
        for change in entry.detail.get("changes", []):
            theirs.setdefault(change["field"], dict(change))["after"] = change["after"]
    return list(theirs.values())


@transaction.atomic
def case_edit(*, case: Case, actor, data: dict, version: int | None = None, request=None) -> Case:
    """Change the case's own fields (``CASE_FIELDS`` present in ``data``).

    ``version``: the ``Case.version`` the editor loaded; when the case has moved on since,
    ``CaseEditConflict`` is raised and nothing is written. None (an API client that does not
    send it): last write wins, still recorded field by field.
    """
    authorize(actor, "case.change", message=_("您无权修改该案件。"))
    if RING_FIELDS & set(data):
        # Ring figures may change: the ring lock first, as every ring writer takes it (an intake
        # holds it while it moves cases between rings), then the case row.
        linking.ring_lock()
    try:
        # The scope check and the row lock in one statement (the policy's object rule is this
        # same restrict(actor, "change")).
        case = (Case.objects.restrict(actor, "change").select_for_update(of=("self",))
                .select_related("region", "typology", "ring").get(pk=case.pk))
    except Case.DoesNotExist:
        raise Forbidden(_("您无权修改该案件。")) from None
    if version is not None and int(version) != case.version:
        raise CaseEditConflict(current=case, theirs=changes_since(case, int(version)))
    changes, fields = [], []
    before = {"loss_amount": case.loss_amount, "occurred_at": case.occurred_at}
    for field in CASE_FIELDS:
        if field not in data:
            continue
        new = data[field]
        old = getattr(case, field)
        if field == "loss_amount" and new is not None:
            new = Decimal(new).quantize(Decimal("0.01"))
            if new < 0:
                raise ValidationError({"loss_amount": _("损失金额不能为负数。")})
        if field == "narrative":
            new = (new or "").strip()
        if new is None and field != "narrative":
            raise ValidationError({field: _("该项不能为空。")})
        if old != new:
            changes.append(_change(case, field, old, new))
            setattr(case, field, new)
            fields.append(field)
    if not changes:
        return case
    if "occurred_at" in fields and case.occurred_at > case.reported_at + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("发案时间不能晚于报案时间。")})
    case.version += 1  # the row is locked: no lost update
    saved = [*fields, "version", "updated_at"]
    if RING_FIELDS & set(fields):  # the priority formula reads loss and time (and victims, ring size)
        _reprioritise(case, list(case.victims.all()))
        saved += ["priority", "priority_computed"]
    case.save(update_fields=saved)
    if case.ring_id and (RING_FIELDS & set(fields)):
        _ring_figures_follow(case, before)
    _record(case=case, actor=actor, kind="fields_edited", changes=changes, request=request,
            message=_("修改案件信息：%(changes)s") % {"changes": _summary(changes)}, extra={"version": case.version})
    return case


def _ring_figures_follow(case: Case, before: dict) -> None:
    """Keep the ring's loss and time span in step with one edited case, without re-reading the
    ring's cases unless the edit moved a bound of its span inward (a ring can be thousands)."""
    ring = case.ring  # read under the ring lock (case_edit took it before the case row)
    old, new = before["occurred_at"], case.occurred_at
    if old != new and (old in (ring.first_occurred_at, ring.last_occurred_at)):
        linking.ring_refresh_aggregates(ring)
        return
    Ring.objects.filter(pk=ring.pk).update(
        total_loss=F("total_loss") + (case.loss_amount - before["loss_amount"]),
        first_occurred_at=Least("first_occurred_at", Value(new)), last_occurred_at=Greatest("last_occurred_at", Value(new)),
        updated_at=timezone.now(),
    )


# ---------------------------------------------------------------- victims


def _case_for_rows(case: Case, actor) -> Case:
    _require_change(case, actor)
    return Case.objects.select_for_update().get(pk=case.pk)


def _reprioritise_saved(case: Case) -> None:
    case.refresh_from_db(fields=["ring", "priority_override", "loss_amount", "occurred_at"])
    _reprioritise(case, list(case.victims.all()))
    case.save(update_fields=["priority", "priority_computed", "updated_at"])


@transaction.atomic
def victim_add(*, case: Case, actor, data: dict, request=None) -> Victim:
    case = _case_for_rows(case, actor)
    victim = _victim_build(data)
    victim.case = case
    victim.save()
    _reprioritise_saved(case)
    changes = [_change(victim, f, None, getattr(victim, f)) for f in VICTIM_FIELDS if getattr(victim, f) not in (None, "", "U")]
    _record(case=case, actor=actor, kind="victim_added", changes=changes, request=request, obj=victim,
            message=_("新增受害人 %(name)s") % {"name": victim.name}, extra={"victim_id": victim.pk})
    return victim


@transaction.atomic
def victim_edit(*, victim: Victim, actor, data: dict, request=None) -> Victim:
    case = _case_for_rows(victim.case, actor)
    victim = Victim.objects.select_for_update().get(pk=victim.pk, case=case)
    built = _victim_build({f: data.get(f, getattr(victim, f)) for f in VICTIM_FIELDS if f != "home_region"}
                          | {"home_region": data.get("home_region", victim.home_region_id)})
    changes, fields = [], []
    for field in VICTIM_FIELDS:
        attr = field + "_id" if field == "home_region" else field
        old, new = getattr(victim, attr), getattr(built, attr)
        if old != new:
            before = victim.home_region if field == "home_region" else old
            setattr(victim, attr, new)
            after = victim.home_region if field == "home_region" else new
            changes.append(_change(victim, field, before, after))
            fields.append(attr)
    if not changes:
        return victim
    victim.save(update_fields=fields)
    _reprioritise_saved(case)
    _record(case=case, actor=actor, kind="victim_edited", changes=changes, request=request, obj=victim,
            message=_("修改受害人 %(name)s：%(changes)s") % {"name": victim.name, "changes": _summary(changes)},
            extra={"victim_id": victim.pk})
    return victim


@transaction.atomic
def victim_remove(*, victim: Victim, actor, request=None) -> None:
    case = _case_for_rows(victim.case, actor)
    if case.victims.count() <= 1:
        raise ValidationError(_("案件至少要有一名受害人。"))
    changes = [_change(victim, f, getattr(victim, f), None) for f in VICTIM_FIELDS
               if getattr(victim, f) not in (None, "", "U")]
    name, pk = victim.name, victim.pk
    victim.delete()
    _reprioritise_saved(case)
    _record(case=case, actor=actor, kind="victim_removed", changes=changes, request=request,
            message=_("删除受害人 %(name)s") % {"name": name}, extra={"victim_id": pk})


# ---------------------------------------------------------------- indicators


@transaction.atomic
def case_indicator_add(*, case: Case, actor, kind: str, value: str, role: str = "", request=None) -> CaseIndicator:
    """Add a trace; the case joins (and merges) the rings of its indicators (cases.linking)."""
    case = _case_for_rows(case, actor)
    role = role or IndicatorRole.OTHER
    items = _normalize_indicators([{"kind": kind, "value": value, "role": role}])
    norm = items[0][0]
    if CaseIndicator.objects.filter(case=case, indicator__kind=norm.kind, indicator__value=norm.value, role=role).exists():
        raise ValidationError({"value": _("本案已有该线索。")})
    ring_before = case.ring_id
    _links_write(case, _link_indicators(case, items))
    link = CaseIndicator.objects.select_related("indicator").get(
        case=case, indicator__kind=norm.kind, indicator__value=norm.value, role=role)
    _reprioritise_saved(case)
    change = {"field": "indicator", "label": _("涉案线索"), "before": "",
              "after": "%s %s（%s）" % (link.indicator.get_kind_display(), link.indicator.value, link.get_role_display())}
    _record(case=case, actor=actor, kind="indicator_added", changes=[change], request=request,
            message=_("新增线索 %(v)s") % {"v": link.indicator.value},
            extra={"indicator_id": link.indicator_id, "ring_before": ring_before, "ring_after": case.ring_id})
    return link


@transaction.atomic
def case_indicator_remove(*, link: CaseIndicator, actor, request=None) -> list[int]:
    """Remove one of the case's traces. When that was the case's last tie to a ring, the ring is
    recomputed and may split (cases.linking.ring_recompute). Returns the ring ids afterwards."""
    case = _case_for_rows(link.case, actor)
    linking.ring_lock()
    link = CaseIndicator.objects.select_related("indicator").get(pk=link.pk, case=case)
    indicator = Indicator.objects.select_for_update().get(pk=link.indicator_id)
    change = {"field": "indicator", "label": _("涉案线索"),
              "before": "%s %s（%s）" % (indicator.get_kind_display(), indicator.value, link.get_role_display()), "after": ""}
    link.delete()
    rings: list[int] = [case.ring_id] if case.ring_id else []
    if not CaseIndicator.objects.filter(case=case, indicator=indicator).exists():
        indicator.case_count = max(0, indicator.case_count - 1)
        fields = ["case_count"]
        if indicator.case_count == 0:
            indicator.ring = None
            fields.append("ring")
        indicator.save(update_fields=fields)
        if case.ring_id:
            rings = [r.pk for r in linking.ring_recompute(case.ring)]
    _reprioritise_saved(case)
    _record(case=case, actor=actor, kind="indicator_removed", changes=[change], request=request,
            message=_("删除线索 %(v)s") % {"v": indicator.value},
            extra={"indicator_id": indicator.pk, "rings_after": rings})
    return rings


# ---------------------------------------------------------------- transactions


TRANSACTION_FIELDS = ("occurred_at", "amount", "channel", "payer_account", "payee_kind", "payee_account",
                      "payee_institution", "reference")


@transaction.atomic
def transaction_add(*, case: Case, actor, data: dict, request=None) -> Transaction:
    """Add one of the victim's payments; its receiving account or wallet becomes an indicator."""
    case = _case_for_rows(case, actor)
    txn = _transactions_build([data])[0]
    txn.case = case
    existing = {(ci.indicator.kind, ci.indicator.value) for ci in case.indicator_links.select_related("indicator")}
    items = [i for i in _payee_indicators([txn], []) if (i[0].kind, i[0].value) not in existing]
    if items:
        _links_write(case, _link_indicators(case, items))
    txn.save()
    _reprioritise_saved(case)
    changes = [_change(txn, f, None, getattr(txn, f)) for f in TRANSACTION_FIELDS if getattr(txn, f) not in (None, "")]
    _record(case=case, actor=actor, kind="transaction_added", changes=changes, request=request, obj=txn,
            message=_("新增交易 ¥%(amount)s → %(payee)s") % {"amount": display(txn, "amount"), "payee": txn.payee_account},
            extra={"transaction_id": txn.pk})
    return txn


@transaction.atomic
def transaction_remove(*, txn: Transaction, actor, request=None) -> None:
    """Remove a payment entered by mistake. Its receiving account stays one of the case's traces
    (remove it from the indicators if it was wrong too): a trace is evidence of its own."""
    case = _case_for_rows(txn.case, actor)
    changes = [_change(txn, f, getattr(txn, f), None) for f in TRANSACTION_FIELDS if getattr(txn, f) not in (None, "")]
    pk, amount, payee = txn.pk, display(txn, "amount"), txn.payee_account
    txn.delete()
    _record(case=case, actor=actor, kind="transaction_removed", changes=changes, request=request,
            message=_("删除交易 ¥%(amount)s → %(payee)s") % {"amount": amount, "payee": payee},
            extra={"transaction_id": pk})
