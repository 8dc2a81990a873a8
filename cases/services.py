"""Writes on cases: intake, linking, transitions, sharing, reveals. Keyword-only and atomic."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.choices import Role
from agencies.models import Agency, Region
from core.choices import AuditAction
from core.policy import Forbidden, allowed, authorize
from core.services import audit_record

from . import linking
from .choices import UNCOUNTED_CLOSE_REASONS, CaseStatus, CloseReason, IndicatorKind, IndicatorRole, PayeeKind, PaymentChannel
from .models import Case, CaseEvent, CaseIndicator, CaseSequence, Indicator, Transaction, Typology, Victim
from .normalize import normalize_indicator, validate_id_number
from .priority import is_vulnerable, priority_compute
from .querysets import SHARE_CODENAME

# (from, to) -> roles that may make the move. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (CaseStatus.NEW, CaseStatus.TRIAGED): {Role.ANALYST, Role.SUPERVISOR},
    (CaseStatus.TRIAGED, CaseStatus.INVESTIGATING): {Role.ANALYST, Role.OFFICER, Role.SUPERVISOR},
    (CaseStatus.INVESTIGATING, CaseStatus.SOLVED): {Role.OFFICER, Role.SUPERVISOR},
    (CaseStatus.SOLVED, CaseStatus.CLOSED): {Role.SUPERVISOR},
    (CaseStatus.NEW, CaseStatus.CLOSED): {Role.SUPERVISOR},
    (CaseStatus.TRIAGED, CaseStatus.CLOSED): {Role.SUPERVISOR},
    (CaseStatus.INVESTIGATING, CaseStatus.TRIAGED): {Role.SUPERVISOR},
    (CaseStatus.CLOSED, CaseStatus.INVESTIGATING): {Role.SUPERVISOR},
}
DUPLICATE_WINDOW = timedelta(hours=24)


def allowed_transitions(*, case: Case, user) -> list[str]:
    """Statuses ``user`` may move ``case`` to now (for buttons on the case page)."""
    if not _can_change(case, user):
        return []
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == case.status and user.role in roles]


def _can_change(case: Case, user, action: str = "case.change") -> bool:
    return allowed(user, action, case)


def _require_change(case: Case, user, action: str = "case.change") -> None:
    """The policy's case rule (police writer roles, the case in the actor's "change" scope)."""
    authorize(user, action, case, message=_("您无权修改该案件。"))


def case_number_next(*, region: Region, year: int) -> str:
    """Region code, year, 6-digit sequence; one upsert (no gaps from concurrent intakes)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {CaseSequence._meta.db_table} (region_code, year, last) VALUES (%s, %s, 1) "
                "ON CONFLICT (region_code, year) DO UPDATE SET last = "
                f"{CaseSequence._meta.db_table}.last + 1 RETURNING last",
                [region.code, year],
            )
            seq = cursor.fetchone()[0]
    else:  # pragma: no cover
        row, _c = CaseSequence.objects.select_for_update().get_or_create(region_code=region.code, year=year)
        row.last += 1
        row.save()
        seq = row.last
    return f"{region.code}{year}{seq:06d}"


def case_timeline_add(*, case: Case, kind: str, message: str, actor=None, agency=None, detail=None) -> CaseEvent:
    """Append one line to the case's timeline (other apps call this: requests, freezes ...)."""
    entry = case_timeline_entry(case=case, kind=kind, message=message, actor=actor, agency=agency, detail=detail)
    entry.save()
    return entry


def case_timeline_entry(*, case: Case, kind: str, message: str, actor=None, agency=None, detail=None) -> CaseEvent:
    """One unsaved timeline line, for ``case_timeline_add_many`` to append with others."""
    if agency is None and actor is not None:
        agency = getattr(actor, "agency", None)
    return CaseEvent(case=case, kind=kind, message=message[:500], actor=actor, agency=agency, detail=detail or {})


def case_timeline_add_many(entries: list[CaseEvent]) -> None:
    """Append several timeline lines with one insert (a worker's batch of deliveries)."""
    CaseEvent.objects.bulk_create(entries)


def _emit(case: Case, kind: str, actor=None) -> None:
    """One event to every agency that may see the case (``Case.objects.audience``)."""
    from events.services import event_emit

    payload = {"case_id": case.pk, "number": case.number, "status": case.status, "priority": case.priority,
               "ring_id": case.ring_id}
    event_emit(kind=kind, subject=case, payload=payload, case_id=case.pk)


def _victim_build(data: dict) -> Victim:
    id_number = data.get("id_number") or ""
    if id_number:
        id_number = validate_id_number(id_number)
    phone = data.get("phone") or ""
    if phone:
        phone = normalize_indicator("phone", phone).value
    return Victim(
        name=data["name"], id_number=id_number, phone=phone, age=data.get("age"),
        gender=data.get("gender") or "U", occupation=data.get("occupation") or "",
        **_region_kw(data.get("home_region")),
    )


def _region_kw(value) -> dict:
    if value is None or value == "":
        return {}
    if isinstance(value, Region):
        return {"home_region": value}
    return {"home_region_id": int(value)}


def _normalize_indicators(indicators: list[dict]) -> list[tuple]:
    errors, items = [], []
    for n, data in enumerate(indicators, start=1):
        try:
            norm = normalize_indicator(data["kind"], data["value"])
        except ValidationError as exc:
            errors.append(_("第 %(n)s 条线索：%(msg)s") % {"n": n, "msg": "；".join(exc.messages)})
            continue
        items.append((norm, data.get("role") or IndicatorRole.OTHER, str(data["value"])[:255]))
    if errors:
        raise ValidationError(errors)
    return items


# What a receiving party of a transaction is, as an indicator (a merchant is not one).
PAYEE_INDICATOR = {
    PayeeKind.ACCOUNT: (IndicatorKind.ACCOUNT, IndicatorRole.RECEIVING_ACCOUNT_L1),
    PayeeKind.WALLET: (IndicatorKind.WALLET, IndicatorRole.CRYPTO_WALLET),
}
MAX_TRANSACTION = Decimal(10) ** 12


def _transactions_build(rows: list[dict]) -> list[Transaction]:
    """The victim's payments, checked and normalised (unsaved, no case yet): each needs a time,
    a positive amount and a receiving party; an account or wallet is stored as its indicator's
    normalised value so that the stop-payment and the trail name it the same way."""
    errors, built = [], []
    for n, data in enumerate(rows, start=1):
        problems = []
        payee_kind = data.get("payee_kind") or PayeeKind.ACCOUNT
        if payee_kind not in PayeeKind.values:
            problems.append(_("收款方类型无效。"))
        try:
            amount = Decimal(str(data.get("amount"))) if data.get("amount") not in (None, "") else None
        except ArithmeticError:
            amount = None
        if amount is None or not amount.is_finite() or amount <= 0 or amount >= MAX_TRANSACTION:
            problems.append(_("金额须为大于 0 的有效金额。"))
        if not data.get("occurred_at"):
            problems.append(_("请填写交易时间。"))
        payee = str(data.get("payee_account") or "").strip()
        if not payee:
            problems.append(_("请填写收款账号、钱包或商户。"))
        elif payee_kind in PAYEE_INDICATOR:
            try:
                payee = normalize_indicator(PAYEE_INDICATOR[payee_kind][0], payee).value
            except ValidationError as exc:
                problems.extend(exc.messages)
        channel = data.get("channel") or PaymentChannel.BANK_TRANSFER
        if channel not in PaymentChannel.values:
            problems.append(_("支付渠道无效。"))
        if problems:
            errors.append(_("第 %(n)s 笔交易：%(msg)s") % {"n": n, "msg": "；".join(str(p) for p in problems)})
            continue
        built.append(Transaction(
            occurred_at=data["occurred_at"], amount=amount.quantize(Decimal("0.01")), channel=channel,
            payer_account=str(data.get("payer_account") or "").strip()[:64], payee_kind=payee_kind,
            payee_account=payee[:128], payee_institution=str(data.get("payee_institution") or "").strip()[:100],
            reference=str(data.get("reference") or "").strip()[:64],
        ))
    if errors:
        raise ValidationError(errors)
    return built


def _payee_indicators(transactions: list[Transaction], items: list[tuple]) -> list[tuple]:
    """The receiving accounts and wallets of ``transactions`` that ``items`` does not list yet,
    as indicator items (so the case links by them and the case page offers them)."""
    listed = {(norm.kind, norm.value) for norm, _role, _raw in items}
    extra = []
    for txn in transactions:
        kind_role = PAYEE_INDICATOR.get(txn.payee_kind)
        if kind_role is None or (kind_role[0], txn.payee_account) in listed:
            continue
        listed.add((kind_role[0], txn.payee_account))
        extra.append((normalize_indicator(kind_role[0], txn.payee_account), kind_role[1], txn.payee_account))
    return extra


def _link_indicators(case: Case, items: list[tuple]) -> list[CaseIndicator]:
    """Count and lock the indicators of ``items`` and put the case in their ring (cases.linking).

    Returns the case's links, unsaved: a new case is inserted after this (with its ring), so
    the caller writes them once the case has its id (``_links_write``).
    """
    already: set[tuple[str, str]] = set()
    if case.pk is not None:
        # Under the ring lock, so that a concurrent edit adding the same trace counts it once.
        linking.ring_lock()
        already = set(CaseIndicator.objects.filter(case=case).values_list("indicator__kind", "indicator__value"))
    indicators = linking.indicators_claim((norm for norm, _r, _raw in items), seen_at=case.occurred_at, already=already)
    linking.case_link(case=case, indicators=list(indicators.values()))
    return [
        CaseIndicator(case=case, indicator=indicators[(norm.kind, norm.value)], role=role, raw_value=raw)
        for norm, role, raw in items
    ]


def _links_write(case: Case, links: list[CaseIndicator]) -> None:
    for link in links:
        link.case = case  # built before the case had its id
    CaseIndicator.objects.bulk_create(links, ignore_conflicts=True)


def _duplicate_of(case: Case, victims: list[Victim]) -> Case | None:
    for victim in victims:
        qs = Case.objects.filter(
            loss_amount=case.loss_amount,
            occurred_at__range=(case.occurred_at - DUPLICATE_WINDOW, case.occurred_at + DUPLICATE_WINDOW),
        )
        if case.pk is not None:
            qs = qs.exclude(pk=case.pk)
        if victim.id_number:
            qs = qs.filter(victims__id_number=victim.id_number)
        elif victim.phone:
            qs = qs.filter(victims__name=victim.name, victims__phone=victim.phone)
        else:
            continue
        found = qs.order_by("reported_at").first()
        if found:
            return found
    return None


def _reprioritise(case: Case, victims) -> None:
    ring_size = case.ring.case_count if case.ring_id else 1
    case.priority_computed = priority_compute(
        loss_amount=case.loss_amount, occurred_at=case.occurred_at, ring_size=ring_size,
        vulnerable=is_vulnerable(victims),
    )
    case.priority = case.priority_override if case.priority_override is not None else case.priority_computed


@transaction.atomic
def case_create(
    *,
    actor,
    reporting_agency: Agency,
    region: Region,
    typology: Typology,
    occurred_at: datetime,
    reported_at: datetime | None = None,
    loss_amount: Decimal | None,
    payment_channel: str,
    narrative: str = "",
    victims: list[dict],
    indicators: list[dict],
    transactions: list[dict] | None = None,
    request=None,
    system: bool = False,
) -> Case:
    """Take one report: number, victims, normalised indicators, the victim's transactions,
    linking, priority, duplicates.

    ``transactions``: dicts with occurred_at, amount, channel, payer_account, payee_kind,
    payee_account, payee_institution, reference; each receiving account or wallet also becomes
    one of the case's indicators. ``loss_amount`` None: the sum of the transactions.

    Raises ValidationError (messages in the user's language) and writes nothing on bad input;
    ``Forbidden`` unless the policy lets ``actor`` file cases, and when the saved case would
    fall outside what the actor may see (NetBox's ``_validate_objects``). ``system``: opened by
    the platform on a move already authorized (a dissuasion outcome); the actor is recorded.
    """
    if not system:
        authorize(actor, "case.create", message=_("只有公安单位的研判员、民警和主管可以录入案件。"))
    items = _normalize_indicators(indicators)
    txns = _transactions_build(transactions or [])
    items += _payee_indicators(txns, items)
    if loss_amount is None:
        if not txns:
            raise ValidationError({"loss_amount": _("请填写损失金额，或逐笔填写受害人的交易。")})
        loss_amount = sum((t.amount for t in txns), Decimal("0"))
    reported_at = reported_at or timezone.now()
    if occurred_at > reported_at + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("发案时间不能晚于报案时间。")})
    victim_rows = [_victim_build(v) for v in victims]
    case = Case(
        number=case_number_next(region=region, year=timezone.localtime(reported_at).year),
        reported_at=reported_at, occurred_at=occurred_at, reporting_agency=reporting_agency, region=region,
        typology=typology, loss_amount=Decimal(loss_amount), payment_channel=payment_channel,
        narrative=narrative, created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    # Ring, duplicate and priority are known before the insert: the case is written once
    # (one INSERT and one post_save, not an INSERT and an UPDATE).
    links = _link_indicators(case, items)
    case.possible_duplicate_of = _duplicate_of(case, victim_rows)
    _reprioritise(case, victim_rows)
    case.save(force_insert=True)
    for victim in victim_rows:
        victim.case = case
    Victim.objects.bulk_create(victim_rows)
    for txn in txns:
        txn.case = case
    Transaction.objects.bulk_create(txns)
    _links_write(case, links)
    case_timeline_add(case=case, kind="created", message=_("报案受理"), actor=actor, agency=reporting_agency)
    if case.possible_duplicate_of_id:
        case_timeline_add(
            case=case, kind="duplicate_flagged",
            message=_("疑似与案件 %(number)s 重复") % {"number": case.possible_duplicate_of.number},
        )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=case, request=request)
    if not system and not Case.objects.restrict(actor).filter(pk=case.pk).exists():
        raise Forbidden(_("不能录入本单位辖区以外的案件。"))  # rolls the whole intake back
    _emit(case, "case.created", actor)
    return case


EDITABLE_FIELDS = ("occurred_at", "region", "typology", "loss_amount", "payment_channel", "narrative")


def case_update(*, case: Case, actor, data: dict, request=None) -> Case:
    """Change plain fields (no version check): cases.services_edit.case_edit, which records
    each field's before and after and keeps the ring's loss and time span in step."""
    from .services_edit import case_edit

    return case_edit(case=case, actor=actor, data=data, request=request)


@transaction.atomic
def case_transition(*, case: Case, actor, to_status: str, close_reason: str = "", request=None) -> Case:
    """Move the case along ``TRANSITIONS``. Closing takes a reason (``CloseReason``; a solved case
    closes as solved when none is given); closed as a duplicate or not fraud, the case leaves its
    ring and the dashboards' figures (cases.merging), and joins them again when reopened."""
    from . import merging

    _require_change(case, actor)
    case = Case.objects.select_for_update().get(pk=case.pk)
    roles = TRANSITIONS.get((case.status, to_status))
    if roles is None:
        raise ValidationError(
            _("不能从“%(from)s”变为“%(to)s”。")
            % {"from": CaseStatus(case.status).label, "to": CaseStatus(to_status).label if to_status in CaseStatus.values else to_status}
        )
    if actor.role not in roles:
        raise Forbidden(_("您的角色不能执行该操作。"))
    if case.merged_into_id:
        raise ValidationError(_("该案件已合并到其他案件，不能再变更状态。"))
    if to_status == CaseStatus.CLOSED:
        close_reason = close_reason or (CloseReason.SOLVED if case.status == CaseStatus.SOLVED else "")
        if close_reason not in CloseReason.values:
            raise ValidationError({"close_reason": _("结案须选择原因：已破案、重复报案、非诈骗或移交其他中心。")})
    elif close_reason:
        raise ValidationError({"close_reason": _("只有结案时才填写结案原因。")})
    before, reason_before = case.status, case.close_reason
    case.status = to_status
    case.close_reason = close_reason if to_status == CaseStatus.CLOSED else ""
    case.save(update_fields=["status", "close_reason", "updated_at"])
    counted_before = reason_before not in UNCOUNTED_CLOSE_REASONS
    if counted_before and case.close_reason in UNCOUNTED_CLOSE_REASONS:
        merging.case_uncount(case)
    elif not counted_before and case.close_reason not in UNCOUNTED_CLOSE_REASONS:
        merging.case_recount(case)
    message = _("状态：%(from)s → %(to)s") % {"from": CaseStatus(before).label, "to": CaseStatus(to_status).label}
    if case.close_reason:
        message += _("（%(reason)s）") % {"reason": CloseReason(case.close_reason).label}
    case_timeline_add(case=case, kind="transition", actor=actor, message=message,
                      detail={"from": before, "to": to_status, "close_reason": case.close_reason})
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=case,
                 detail={"from": before, "to": to_status, "close_reason": case.close_reason}, request=request)
    _emit(case, "case.transition", actor)
    return case


@transaction.atomic
def case_assign(*, case: Case, actor, assignee, request=None) -> Case:
    _require_change(case, actor)
    if assignee is not None and (assignee.agency_id is None or not assignee.agency.is_police):
        raise ValidationError(_("只能指派给公安单位的人员。"))
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to", "updated_at"])
    case_timeline_add(
        case=case, kind="assigned", actor=actor,
        message=_("指派给 %(name)s") % {"name": assignee.get_full_name() or assignee.username} if assignee else _("取消指派"),
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=case, detail={"assigned_to": getattr(assignee, "pk", None)}, request=request)
    _emit(case, "case.assigned", actor)
    return case


@transaction.atomic
def case_override_priority(*, case: Case, actor, priority: int | None, reason: str, request=None) -> Case:
    """Supervisor only, with a reason; ``priority=None`` returns to the computed figure."""
    _require_change(case, actor)
    authorize(actor, "case.prioritise", case, message=_("只有主管可以调整优先级。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写调整理由。")})
    if priority is not None and not 0 <= int(priority) <= 100:
        raise ValidationError({"priority": _("优先级应在 0 到 100 之间。")})
    before = case.priority
    case.priority_override = priority
    case.priority_override_reason = reason[:200]
    case.priority = priority if priority is not None else case.priority_computed
    case.save(update_fields=["priority", "priority_override", "priority_override_reason", "updated_at"])
    case_timeline_add(
        case=case, kind="priority_override", actor=actor, detail={"before": before, "after": case.priority},
        message=_("优先级调整为 %(p)s：%(reason)s") % {"p": case.priority, "reason": reason},
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=case, detail={"priority": case.priority, "reason": reason}, request=request)
    return case


def case_add_indicator(*, case: Case, actor, kind: str, value: str, role: str = IndicatorRole.OTHER, request=None) -> CaseIndicator:
    """Add a trace (cases.services_edit.case_indicator_add: relinks, records the change)."""
    from .services_edit import case_indicator_add

    return case_indicator_add(case=case, actor=actor, kind=kind, value=value, role=role, request=request)


def case_remove_indicator(*, case: Case, actor, link: CaseIndicator, request=None) -> None:
    """Remove one link; the ring is recomputed (and may split) only if the case lost its tie
    (cases.services_edit.case_indicator_remove)."""
    from .services_edit import case_indicator_remove

    case_indicator_remove(link=link, actor=actor, request=request)


@transaction.atomic
def case_share(*, case: Case, actor, agency: Agency, request=None) -> None:
    """Share the case with a whole agency (guardian direct-FK group permission)."""
    from guardian.shortcuts import assign_perm

    _require_change(case, actor, "case.share")
    assign_perm(f"cases.{SHARE_CODENAME}", agency.group, case)
    case_timeline_add(case=case, kind="shared", actor=actor, message=_("共享给 %(agency)s") % {"agency": agency.name})
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=case, detail={"shared_with": agency.pk}, request=request)


REVEALABLE = ("id_number", "phone")


def victim_reveal(*, victim: Victim, actor, field: str, request=None) -> str:
    """Return the unmasked value of ``field`` if the actor may see the case; audited."""
    if field not in REVEALABLE:
        raise ValidationError(_("该字段不可查看。"))
    authorize(actor, "victim.reveal", victim.case, message=_("您无权查看该案件。"))
    audit_record(actor=actor, action=AuditAction.VIEW_PERSONAL, obj=victim, detail={"field": field, "case_id": victim.case_id}, request=request)
    return getattr(victim, field)


def transaction_reveal(*, transaction: Transaction, actor, request=None) -> str:
    """The victim's paying account of one transaction in full, if the actor may see the case;
    audited like a victim's ID number or phone."""
    authorize(actor, "victim.reveal", transaction.case, message=_("您无权查看该案件。"))
    audit_record(actor=actor, action=AuditAction.VIEW_PERSONAL, obj=transaction,
                 detail={"field": "payer_account", "case_id": transaction.case_id}, request=request)
    return transaction.payer_account


# The warning list lives in its own room; re-exported for callers of cases.services.
from .services_benign import benign_add, benign_remove, indicator_review_dismiss, models_q_value  # noqa: E402,F401
