"""Writes on requests: create and every lifecycle move; delivery is in alerts/delivery.py.

Each move locks the request row (``select_for_update``) so that of two clerks acting at once
one wins and the other gets ``RequestConflict``; each is recorded on the case timeline, in the
audit log and emitted as an event to every agency that may see the request (the receivers get
the minimal view, the issuing side, the police above it and the office the full one).
"""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.normalize import validate_id_number
from cases.services import (
    case_timeline_add,
    case_timeline_add_many,
    case_timeline_entry,
)
from core.choices import AuditAction
from core.policy import Forbidden, RequestDraft, allowed, authorize
from core.services import audit_entry, audit_record_many
from events.services import event_build, events_emit

from ..choices import (
    DissuasionOutcome,
    FreezeAction,
    RequestKind,
    RequestStatus,
    TargetKind,
    choice_label,
)
from ..models import OnwardTransfer, Request
from ..payloads import request_view_for
from ..transitions import MOVES, move_to

MAX_PDF_BYTES = 10 * 1024 * 1024
# Made once: ``Choices.values`` builds its list, labels included, on every call.
KIND_VALUES = frozenset(RequestKind.values)
TARGET_KIND_VALUES = frozenset(TargetKind.values)
STOP_PAYMENT_HOURS = 48
CENT = Decimal("0.01")


class RequestError(Exception):
    """A domain error with a translated message; the API maps it to an HTTP status."""

    status_code = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


class RequestConflict(RequestError):
    """The request moved on under the caller (another clerk acted first): HTTP 409."""

    status_code = 409


class RequestClaimed(RequestConflict):
    """Another clerk of the receiving agency holds the request (``request.work``): HTTP 409,
    naming the holder; acting on it takes it over explicitly (``request_claim(take_over=True)``)."""


class RequestForbidden(RequestError, Forbidden):
    """The caller's agency or role may not make this move: HTTP 403 (a policy ``Forbidden``)."""

    status_code = 403


# ---------------------------------------------------------------- helpers


def request_timeline_add(*, req: Request, kind: str, message: str, actor=None, detail=None) -> None:
    """One line on the request's case timeline (none for a request without a case): for what
    happens to a request outside its moves (escalation, a dissuasion that opens a case), which
    record themselves with ``request_moves_record``."""
    if req.case_id is not None:
        case_timeline_add(case=req.case, kind=kind, message=message, actor=actor, detail=detail)


def _record(req: Request, move: str, actor, message: str, detail=None, http_request=None, emit=True) -> None:
    request_moves_record([(req, move, actor, message, detail)], http_request=http_request, emit=emit)


def request_moves_record(moves, http_request=None, *, emit=True, events_first=()) -> None:
    """Record moves ``(request, move, actor, message, detail)`` on the case timelines, in the
    audit log and (unless ``emit`` is false) as events, with one insert each however many there
    are (a delivery batch). ``events_first``: events built before the moves changed their
    requests (``request_event``), stored ahead of the moves' own."""
    timeline, audit, events = [], [], list(events_first)
    for req, move, actor, message, detail in moves:
        detail = detail or {}
        if req.case_id is not None:
            timeline.append(case_timeline_entry(case=req.case, kind="request_" + move, message=message, actor=actor,
                                                detail={"request": req.number, **detail}))
        audit.append(audit_entry(actor=actor, action=AuditAction.TRANSITION, obj=req,
                                 detail={"move": move, "status": req.status, **detail}, request=http_request))
    if emit:
        audiences = Request.objects.audiences({req.pk: req for req, *_move in moves}.values())
        events.extend(request_event(req, "request." + move, audiences[req.pk]) for req, move, *_rest in moves)
        unroutable = [req for req, move, *_rest in moves if move == "unroutable"]
        if unroutable:
            events.extend(dispatch_alert_events(unroutable, audiences))
    case_timeline_add_many(timeline)
    audit_record_many(audit)
    events_emit(events)


def request_event(req: Request, kind: str, audience: set[int] | None = None):
    """The unsaved events of one move, to every agency that may see the request now
    (``Request.objects.audience``, or ``audiences`` taken for a batch and passed as
    ``audience``), each with its view (``request_view_for``: the minimal one to the receivers,
    the full one to the issuing side, the police above it and the office). The payload is taken
    now."""
    return event_build(kind=kind, subject=req, recipients=audience, case_id=req.case_id,
                       payload=lambda agency_id: request_view_for(req, agency_id))


def dispatch_alert_events(reqs, audiences: dict[int, set[int]] | None = None) -> list:
    """``request.needs_dispatch`` to the supervisors of the anti-fraud centres that see each
    request waiting in the dispatch queue (an unroutable request never waits in silence): one
    query for the centres among the audiences, the events narrowed to the supervisor role."""
    from agencies.choices import AgencyKind, Role
    from agencies.models import Agency

    reqs = list(reqs)
    audiences = audiences if audiences is not None else Request.objects.audiences(reqs)
    seen = set().union(*(audiences.get(req.pk, set()) for req in reqs)) if reqs else set()
    centres = set(Agency.objects.filter(pk__in=seen, kind=AgencyKind.ANTI_FRAUD_CENTRE).values_list("pk", flat=True))
    return [  # one group per request, as ``events_emit`` takes them
        event_build(kind="request.needs_dispatch", subject=req, recipients=audiences.get(req.pk, set()) & centres,
                    case_id=req.case_id, role=Role.SUPERVISOR,
                    payload=lambda agency_id, req=req: request_view_for(req, agency_id))
        for req in reqs
    ]


def request_holder_name(user) -> str:
    """The name a claim shows: the clerk's full name, else the username."""
    return (user.get_full_name() or user.get_username()) if user is not None else ""


LOCK_RELATED = ("case__typology", "issuing_agency", "issued_by", "target_agency", "secondary_agency", "person_region",
                "claimed_by")


def _lock(req_or_id, related=LOCK_RELATED) -> Request:
    pk = req_or_id.pk if isinstance(req_or_id, Request) else req_or_id
    return Request.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


def _check(actor, req: Request, move: str) -> None:
    """Who first (the policy's ``request.<move>``: 403), then the state table (409)."""
    authorize(actor, "request." + move, req, message=_("您所在单位或角色无权对该请求执行此操作。"), error=RequestForbidden)
    if MOVES[move].side == "receiver" and not allowed(actor, "request.work", req):
        raise RequestClaimed(
            _("请求 %(number)s 正由 %(holder)s 办理；如需由您办理，请先“接手”。")
            % {"number": req.number, "holder": request_holder_name(req.claimed_by)}
        )
    if req.status not in MOVES[move].sources:
        raise RequestConflict(
            _("请求 %(number)s 当前状态为“%(status)s”，无法执行该操作（可能已被他人处理）。")
            % {"number": req.number, "status": choice_label(RequestStatus, req.status)}
        )


def validate_legal_notice(upload) -> None:
    """A freeze's legal notice must be a PDF (checked by its %PDF magic bytes) of at most 10 MB."""
    if upload is None:
        raise ValidationError(gettext_lazy("冻结须上传法律文书（PDF）。"), code="required")
    if upload.size > MAX_PDF_BYTES:
        raise ValidationError(gettext_lazy("法律文书不能超过 10 MB。"), code="size")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head[:4] != b"%PDF":
        raise ValidationError(gettext_lazy("法律文书必须是 PDF 文件。"), code="type")


def _new_number() -> str:
    # 48 random bits: with 32, a day of 10,000 requests had about a 1% chance that two drew the
    # same number, and the second POST failed on the unique index.
    return "RQ" + timezone.localtime().strftime("%Y%m%d") + secrets.token_hex(6).upper()


# ---------------------------------------------------------------- create / deliver

# Kinds that act on their target: a second one while the first is open is a double click or
# two analysts on one case, and the bank's inbox would show both.
ONE_OPEN_PER_TARGET = (RequestKind.STOP_PAYMENT, RequestKind.FREEZE, RequestKind.NUMBER_BLOCK, RequestKind.TAKEDOWN)
OPEN_STATUSES = (RequestStatus.CREATED, RequestStatus.DELIVERED, RequestStatus.ACKNOWLEDGED)


def _refuse_a_second_open(case, kind: str, freeze_action: str, target_value: str) -> None:
    """RequestConflict when the case already has an open request of this kind on this target
    (a freeze's renewal and release are requests of their own on the same account: allowed).
    Two issued in the same instant can still both pass; this catches the ordinary repeat."""
    if kind not in ONE_OPEN_PER_TARGET or (kind == RequestKind.FREEZE and freeze_action != FreezeAction.FREEZE):
        return
    open_one = Request.objects.filter(case=case, kind=kind, target_value=target_value, status__in=OPEN_STATUSES)
    if kind == RequestKind.FREEZE:
        open_one = open_one.filter(freeze_action=FreezeAction.FREEZE)
    number = open_one.values_list("number", flat=True).first()
    if number:
        raise RequestConflict(
            _("本案对 %(target)s 已有进行中的%(kind)s请求 %(number)s，请勿重复发起。")
            % {"target": target_value, "kind": RequestKind(kind).label, "number": number}
        )


def request_create(
    *,
    issuer,
    kind: str,
    target_kind: str,
    target_value: str = "",  # a dissuasion names a person instead
    case=None,
    amount: Decimal | None = None,
    transactions=None,
    layer: int = 1,
    note: str = "",
    target_bank_name: str = "",
    legal_notice_number: str = "",
    legal_notice_file=None,
    term_months: int | None = None,
    freeze_action: str = "",
    person_name: str = "",
    person_id_number: str = "",
    person_phone: str = "",
    person_region=None,
    parent: Request | None = None,
    issuing_agency=None,
    routing_reason: str = "",
    authorized: bool = False,
    http_request=None,
) -> Request:
    """Create a request, pending delivery, with its timeline line and audit entry in one
    transaction; routing runs after commit (alerts.delivery).

    ``issuer`` is the user (None for system follow-ons, then ``issuing_agency`` is required).
    ``authorized``: the calling service has already authorized ``request.create`` for this
    issuer, kind, target kind and case (``requests_stop_all``, once for all its accounts).
    A dissuasion task about a person without a region (a signal that gave none) goes to the
    centre's dispatch queue, with ``routing_reason`` saying why.
    A stop-payment or freeze on an account of a case carries an amount and the victim's
    transactions it covers: by default those of the case that reached that account, and their
    sum (never the case's whole loss); ``transactions`` (of that case) names them instead.
    Raises ValidationError (translated) on bad input, and RequestConflict when the case has
    this request open already (``_refuse_a_second_open``), before anything is written: the writes
    then need no savepoint of their own inside a caller's transaction (the API's, which also
    stores the Idempotency-Key answer), two round trips fewer on every POST.
    """
    if kind not in KIND_VALUES:
        raise ValidationError(_("未知的请求类型。"))
    if target_kind not in TARGET_KIND_VALUES:
        raise ValidationError(_("未知的目标类型。"))
    if kind == RequestKind.FUND_RETURN and not authorized:
        raise ValidationError(_("资金返还请求由已批准的返还方案生成，不能直接发起。"))
    if issuer is not None and not authorized:  # None: a system follow-on, authorized as the move that caused it
        authorize(issuer, "request.create", RequestDraft(kind=kind, target_kind=target_kind, case=case),
                  message=_("您所在单位或角色无权发起该类请求，或目标、案件不在您的范围内。"), error=RequestForbidden)
    if target_kind != TargetKind.PERSON and not (target_value or "").strip():
        raise ValidationError(_("请填写请求目标（账号、号码、网址或应用）。"))
    if kind == RequestKind.FREEZE:
        if not legal_notice_number.strip():
            raise ValidationError(_("冻结须填写法律文书编号。"))
        validate_legal_notice(legal_notice_file)
        if not term_months or term_months < 1 or term_months > 12:
            raise ValidationError(_("冻结期限须为 1 至 12 个月。"))
        freeze_action = freeze_action or FreezeAction.FREEZE
    if person_id_number:
        person_id_number = validate_id_number(person_id_number)
    unroutable = kind == RequestKind.DISSUASION and target_kind == TargetKind.PERSON and person_region is None
    if unroutable and not routing_reason:
        raise ValidationError(_("劝阻任务须填写居住地。"))
    if amount is not None and Decimal(amount) < 0:
        raise ValidationError(_("金额不能为负数。"))
    transactions, amount = _covered(kind, target_kind, (target_value or "").strip(), case, parent, freeze_action,
                                    transactions, amount)
    if case is not None:
        _refuse_a_second_open(case, kind, freeze_action, (target_value or "").strip())
    agency = issuing_agency or issuer.agency
    with transaction.atomic(savepoint=False):
        req = Request(
            number=_new_number(), kind=kind, target_kind=target_kind,
            target_value=(target_value or person_name or "").strip(), case=case, amount=Decimal(amount or 0), note=note,
            target_bank_name=target_bank_name, legal_notice_number=legal_notice_number,
            legal_notice_file=legal_notice_file, term_months=term_months, freeze_action=freeze_action,
            person_name=person_name, person_id_number=person_id_number, person_phone=person_phone,
            person_region=person_region, parent=parent, issuing_agency=agency, issued_by=issuer, layer=layer,
            needs_manual_routing=unroutable, routing_reason=routing_reason, delivery_pending=True,
        )
        # Its first delivery batch saves it again, in the batch's transaction, and that save
        # marks its rollup day (dashboards.signals): a mark from this insert as well was one
        # more insert on every POST for the same day.
        req.rollup_mark_deferred = True
        req.save(force_insert=True)
        if transactions:  # one insert (``set`` would read the links a new row cannot have first)
            Covers = Request.transactions.through
            Covers.objects.bulk_create([Covers(request_id=req.pk, transaction_id=t.pk) for t in transactions])
        # Timeline and audit now, with the request. Its request.created event goes out with
        # the first delivery batch that takes it (alerts.delivery, Request.announced), tens of
        # milliseconds later: emitting and publishing it here, one event at a time, was a third
        # of the POST's CPU (bench/bench_requests.py).
        _record(req, "created", issuer, _("发起%(kind)s请求 %(number)s，目标 %(target)s")
                % {"kind": choice_label(RequestKind, kind), "number": req.number, "target": req.target_value},
                http_request=http_request, emit=False)
        from ..delivery import delivery_schedule

        transaction.on_commit(delivery_schedule, robust=True)
        if unroutable:  # straight to the dispatch queue: delivery records no move for it
            events_emit(dispatch_alert_events([req]))
    return req


def _covered(kind, target_kind, target_value, case, parent, freeze_action, transactions, amount):
    """The transactions a request covers and its amount (see ``request_create``)."""
    money = kind in (RequestKind.STOP_PAYMENT, RequestKind.FREEZE) and target_kind == TargetKind.ACCOUNT
    if transactions is not None:
        transactions = list(transactions)
        if case is None or any(t.case_id != case.pk for t in transactions):
            raise ValidationError(_("所选交易不属于本案。"))
    elif money and case is not None and parent is None:
        transactions = list(case.transactions.filter(payee_account=target_value))
    if amount is None:
        amount = sum((t.amount for t in transactions or ()), Decimal("0"))
        # A stop-payment holds what reached the account: it needs an amount. A freeze's is the
        # bank's to report (a legal notice may cover the whole balance).
        if kind == RequestKind.STOP_PAYMENT and money and not amount and case is not None:
            raise ValidationError(_("请填写金额：本案没有到达该账号的交易，止付/冻结须写明金额。"))
    return transactions or [], Decimal(amount)


@transaction.atomic
def request_route_manually(*, request_id: int, actor, target_agency, secondary_agency=None, reason: str = "",
                           http_request=None) -> Request:
    """A centre analyst routes a request from the dispatch queue by hand."""
    req = _lock(request_id)
    _check(actor, req, "route_manually")
    authorize(actor, "request.route_manually", (req, target_agency),
              message=_("该请求不能分派给这类单位（账户给银行，号码给运营商，网址给互联网企业）。"), error=RequestForbidden)
    if secondary_agency is not None:
        authorize(actor, "request.route_manually", (req, secondary_agency),
                  message=_("该请求不能分派给这类单位（账户给银行，号码给运营商，网址给互联网企业）。"), error=RequestForbidden)
    req.target_agency = target_agency
    req.secondary_agency = secondary_agency
    req.routing_reason = _("人工分派（%(user)s）：%(reason)s") % {"user": actor.username, "reason": reason or "-"}
    req.routing_tried = [*req.routing_tried, target_agency.pk]
    from ..delivery import DELIVERY_FIELDS, set_delivered
    from .deadlines import deadline_minutes  # deadlines imports this module

    set_delivered(req, timezone.now(), deadline_minutes(req.kind))
    req.save(update_fields=DELIVERY_FIELDS)
    _record(req, "delivered", actor, req.routing_reason, http_request=http_request)
    return req


# ---------------------------------------------------------------- receiver moves


@transaction.atomic
def request_acknowledge(*, request_id: int, actor, claim: bool = False, http_request=None) -> Request:
    """Acknowledge; ``claim``: the clerk also takes it to work (the inbox's "acknowledge and
    handle"), unless another clerk holds it already (then ``RequestClaimed``)."""
    req = _lock(request_id)
    _check(actor, req, "acknowledge")
    move_to(req, "acknowledge")
    req.acknowledged_at = timezone.now()
    req.acknowledged_by = actor
    fields = ["status", "acknowledged_at", "acknowledged_by", "updated_at"]
    if claim and req.claimed_by_id is None:
        req.claimed_by, req.claimed_at = actor, req.acknowledged_at
        fields += ["claimed_by", "claimed_at"]
    req.save(update_fields=fields)
    _record(req, "acknowledged", actor, _("%(agency)s 已签收 %(number)s") % {"agency": actor.agency.name, "number": req.number},
            http_request=http_request)
    return req


@transaction.atomic
def request_reject(*, request_id: int, actor, reason: str, http_request=None) -> Request:
    if not (reason or "").strip():
        raise ValidationError(_("请填写退回理由。"))
    req = _lock(request_id)
    _check(actor, req, "reject")
    move_to(req, "reject")
    req.reject_reason = reason.strip()[:300]
    req.save(update_fields=["status", "reject_reason", "updated_at"])
    _record(req, "rejected", actor, _("%(agency)s 退回：%(reason)s") % {"agency": actor.agency.name, "reason": req.reject_reason},
            http_request=http_request)
    return req


@transaction.atomic
def request_not_subscriber(*, request_id: int, actor, http_request=None) -> Request:
    """A carrier answers "not our subscriber": re-route to the next candidate, never back."""
    req = _lock(request_id)
    _check(actor, req, "not_subscriber")
    if req.target_kind != TargetKind.PHONE:
        raise RequestError(_("只有号码类请求可以答复“非本网用户”。"))
    previous = req.target_agency
    move_to(req, "not_subscriber")
    req.target_agency = None
    req.acknowledged_at = None
    req.acknowledged_by = None
    req.claimed_by = None  # the next carrier's clerks start free
    req.claimed_at = None
    req.delivery_pending = True
    req.save()
    _record(req, "not_subscriber", actor, _("%(agency)s 答复非本网用户，重新路由") % {"agency": previous.name},
            http_request=http_request)
    from ..delivery import delivery_schedule

    transaction.on_commit(delivery_schedule, robust=True)
    return req


@transaction.atomic
def request_fail(*, request_id: int, actor, reason: str, http_request=None) -> Request:
    req = _lock(request_id)
    _check(actor, req, "fail")
    move_to(req, "fail")
    req.failure_reason = (reason or "").strip()[:300]
    req.save(update_fields=["status", "failure_reason", "updated_at"])
    _record(req, "failed", actor, req.failure_reason, http_request=http_request)
    return req


@transaction.atomic
def request_extend(*, request_id: int, actor, http_request=None) -> Request:
    """Extend a stop-payment once by 48 hours, or renew a freeze by its term."""
    req = _lock(request_id)
    _check(actor, req, "extend")
    if req.kind == RequestKind.STOP_PAYMENT:
        if req.extension_count >= 1:
            raise RequestConflict(_("紧急止付只能延期一次。"))
        base = req.effective_until or timezone.now()
        req.effective_until = base + timedelta(hours=STOP_PAYMENT_HOURS)
    elif req.kind == RequestKind.FREEZE:
        base = req.effective_until or timezone.now()
        req.effective_until = base + timedelta(days=30 * (req.term_months or 1))
    else:
        raise RequestError(_("该类请求不能延期。"))
    req.extension_count += 1
    req.save(update_fields=["effective_until", "extension_count", "updated_at"])
    _record(req, "extended", actor, _("有效期延至 %(until)s") % {"until": timezone.localtime(req.effective_until).strftime("%Y-%m-%d %H:%M")},
            http_request=http_request)
    return req


# ---------------------------------------------------------------- results


def _money(value, label) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except Exception:
        raise ValidationError(_("%(label)s不是有效金额。") % {"label": label}) from None
    if amount < 0:
        raise ValidationError(_("%(label)s不能为负数。") % {"label": label})
    return amount.quantize(CENT)


@transaction.atomic
def request_complete(
    *,
    request_id: int,
    actor,
    amount_secured=None,
    balance=None,
    onward_transfers: list[dict] | None = None,
    answer: str = "",
    outcome: str = "",
    disposition: str = "",
    disposition_at=None,
    over_amount_reason: str = "",
    ported_to: str = "",
    refusal_reason: str = "",
    case_details: dict | None = None,
    http_request=None,
) -> Request:
    """Complete a request with its result.

    Stop-payment and freeze: ``amount_secured`` (held), ``balance``, ``disposition`` (a
    ``MoneyOutcome``, derived from the amounts when blank) and ``onward_transfers`` (dicts with
    amount, transferred_at (datetime or ISO text), destination_account, destination_bank,
    reference). The answer must add up (``alerts.services.money.money_result_check``): held at
    most the balance, held plus moved on at most the amount requested unless
    ``over_amount_reason`` says why (other victims' money in the same account). Each transfer
    becomes the next layer's stop-payment (``money.onward_follow_on``: merged into an open one
    on the same account, none for a loop).
    Number block and takedown: ``disposition`` (``BlockOutcome`` / ``TakedownOutcome``) with
    ``disposition_at``, ``ported_to`` (a ported number), ``refusal_reason`` (a refused takedown);
    "not our subscriber" re-routes the number (``request_not_subscriber``).
    Dissuasion: ``outcome`` in DissuasionOutcome (see ``signals.dissuasion_outcome_effects``);
    ``case_details`` (typology, loss_amount) fills the case an "already paid" outcome opens.
    Errors are ValidationErrors keyed by field, in the user's language; nothing is written.
    """
    from .money import disposition_check, money_result_check, onward_follow_on

    req = _lock(request_id)
    _check(actor, req, "complete")
    transfers = []
    for item in onward_transfers or []:
        amount = _money(item.get("amount"), _("转出金额"))
        at = item.get("transferred_at")
        at = parse_datetime(at) if isinstance(at, str) else at
        account = str(item.get("destination_account") or "").strip()
        if not amount or at is None or not account:
            raise ValidationError(_("资金转出须填写金额、时间和转入账号。"))
        transfers.append({"amount": amount, "at": at, "account": account,
                          "bank": str(item.get("destination_bank") or "").strip()[:100],
                          "reference": str(item.get("reference") or "").strip()[:64]})
    result = dict(req.result)
    if req.kind in (RequestKind.STOP_PAYMENT, RequestKind.FREEZE):
        req.amount_secured = _money(amount_secured, _("止付/冻结金额")) or Decimal("0.00")
        req.balance = _money(balance, _("账户余额"))
        req.disposition = money_result_check(req=req, held=req.amount_secured, balance=req.balance,
                                             onward=[t["amount"] for t in transfers], disposition=disposition,
                                             over_amount_reason=over_amount_reason)
        if (over_amount_reason or "").strip():
            result["over_amount_reason"] = over_amount_reason.strip()[:300]
        now = timezone.now()
        if req.kind == RequestKind.STOP_PAYMENT:
            req.effective_until = now + timedelta(hours=STOP_PAYMENT_HOURS)
        else:
            req.effective_until = now + timedelta(days=30 * (req.term_months or 1))
        req.disposition_at = now
    elif req.kind == RequestKind.FUND_RETURN:
        from .return_proposals import return_result_check

        req.amount_secured = return_result_check(req=req, returned=_money(amount_secured, _("实际返还金额")))
    elif req.kind in (RequestKind.NUMBER_BLOCK, RequestKind.TAKEDOWN):
        req.disposition, extra = disposition_check(req=req, disposition=disposition, ported_to=ported_to,
                                                   refusal_reason=refusal_reason)
        if req.disposition == "not_subscriber":
            return request_not_subscriber(request_id=req.pk, actor=actor, http_request=http_request)
        result.update(extra)
        req.disposition_at = disposition_at or (timezone.now() if req.disposition else None)
    if req.kind == RequestKind.DISSUASION:
        if outcome not in DissuasionOutcome.values:
            raise ValidationError(_("请选择劝阻结果。"))
        req.outcome = outcome
    if answer:
        result["answer"] = answer
    req.result = result
    move_to(req, "complete")
    req.completed_at = timezone.now()
    req.completed_by = actor
    req.save()
    _record(req, "completed", actor, _("%(agency)s 已办结 %(number)s") % {"agency": actor.agency.name, "number": req.number},
            detail={"amount_secured": str(req.amount_secured) if req.amount_secured is not None else None,
                    "onward": len(transfers), "disposition": req.disposition}, http_request=http_request)
    for item in transfers:
        transfer = OnwardTransfer.objects.create(
            request=req, amount=item["amount"], transferred_at=item["at"], destination_account=item["account"],
            destination_bank=item["bank"], reference=item["reference"])
        onward_follow_on(req, transfer)
    if req.kind == RequestKind.FREEZE:
        from .return_proposals import return_proposal_create

        return_proposal_create(request_id=req.pk)
    if req.kind == RequestKind.DISSUASION:
        from .signals import dissuasion_outcome_effects

        dissuasion_outcome_effects(req=req, actor=actor, case_details=case_details or {})
    return req


@transaction.atomic
def request_release(*, request_id: int, actor, reason: str = "", http_request=None) -> Request:
    """The issuing side releases a completed freeze (解冻): it stops holding the money now.

    The bank sees the release on its inbox (event + status line) and lifts the freeze there.
    """
    req = _lock(request_id)
    _check(actor, req, "release")
    if req.kind != RequestKind.FREEZE:
        raise RequestError(_("只有冻结请求可以解冻。"))
    if req.freeze_action == FreezeAction.RELEASE:
        raise RequestConflict(_("该冻结已解除（可能已被他人处理）。"))
    req.freeze_action = FreezeAction.RELEASE
    req.effective_until = timezone.now()
    req.result = {**req.result, "release_reason": (reason or "").strip()[:300]}
    req.save(update_fields=["freeze_action", "effective_until", "result", "updated_at"])
    _record(req, "released", actor, _("冻结 %(number)s 已解除：%(reason)s") % {"number": req.number, "reason": reason or "-"},
            http_request=http_request)
    return req
