"""Completing a request with its structured result; follow-on stop-payments; pro-rata returns."""

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .choices import DissuasionOutcome, FreezeAction, ProposalStatus, RequestKind, RequestStatus, TargetKind
from .models import OnwardTransfer, Request, ReturnProposal, ReturnShare
from .services import STOP_PAYMENT_HOURS, RequestConflict, RequestError, _check, _lock, _record, request_create

CENT = Decimal("0.01")


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
    case_details: dict | None = None,
    http_request=None,
) -> Request:
    """Complete a request with its result.

    ``onward_transfers``: dicts with amount, transferred_at (datetime or ISO text),
    destination_account, destination_bank. Each becomes a follow-on stop-payment on the same
    case unless that account was already targeted on the case (no loops).
    Dissuasion: ``outcome`` in DissuasionOutcome (see services_signals for its side effects);
    ``case_details`` (typology, loss_amount) fills the case an "already paid" outcome opens.
    """
    req = _lock(request_id)
    _check(actor, req, "complete")
    if req.kind in (RequestKind.STOP_PAYMENT, RequestKind.FREEZE):
        req.amount_secured = _money(amount_secured, _("止付/冻结金额")) or Decimal("0.00")
        req.balance = _money(balance, _("账户余额"))
        now = timezone.now()
        if req.kind == RequestKind.STOP_PAYMENT:
            req.effective_until = now + timedelta(hours=STOP_PAYMENT_HOURS)
        else:
            req.effective_until = now + timedelta(days=30 * (req.term_months or 1))
    if req.kind == RequestKind.DISSUASION:
        if outcome not in DissuasionOutcome.values:
            raise ValidationError(_("请选择劝阻结果。"))
        req.outcome = outcome
    transfers = []
    for item in onward_transfers or []:
        amount = _money(item.get("amount"), _("转出金额"))
        at = item.get("transferred_at")
        at = parse_datetime(at) if isinstance(at, str) else at
        account = str(item.get("destination_account") or "").strip()
        if not amount or at is None or not account:
            raise ValidationError(_("资金转出须填写金额、时间和转入账号。"))
        transfers.append((amount, at, account, str(item.get("destination_bank") or "")[:100]))
    req.result = {**req.result, **({"answer": answer} if answer else {})}
    req.status = RequestStatus.COMPLETED
    req.completed_at = timezone.now()
    req.completed_by = actor
    req.save()
    _record(req, "completed", actor, _("%(agency)s 已办结 %(number)s") % {"agency": actor.agency.name, "number": req.number},
            detail={"amount_secured": str(req.amount_secured) if req.amount_secured is not None else None,
                    "onward": len(transfers)}, http_request=http_request)
    for amount, at, account, bank in transfers:
        transfer = OnwardTransfer.objects.create(request=req, amount=amount, transferred_at=at,
                                                 destination_account=account, destination_bank=bank)
        transfer.follow_on = _follow_on(req, transfer)
        if transfer.follow_on:
            transfer.save(update_fields=["follow_on"])
    if req.kind == RequestKind.FREEZE:
        return_proposal_create(request_id=req.pk)
    if req.kind == RequestKind.DISSUASION:
        from .services_signals import dissuasion_outcome_effects

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


def _follow_on(req: Request, transfer: OnwardTransfer) -> Request | None:
    """Chase the money to the next bank; never target the same account twice on one case."""
    root_case = req.case_id
    already = Request.objects.filter(
        kind=RequestKind.STOP_PAYMENT, target_kind=TargetKind.ACCOUNT, target_value=transfer.destination_account
    )
    already = already.filter(case_id=root_case) if root_case else already.filter(parent=req)
    if already.exists() or transfer.destination_account == req.target_value:
        return None
    return request_create(
        issuer=None, issuing_agency=req.issuing_agency, kind=RequestKind.STOP_PAYMENT,
        target_kind=TargetKind.ACCOUNT, target_value=transfer.destination_account, case=req.case,
        amount=transfer.amount, target_bank_name=transfer.destination_bank, parent=req,
        note=_("资金自 %(account)s 转出，自动续查止付") % {"account": req.target_value},
    )


def pro_rata(total: Decimal, losses: list[Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``losses``, to the cent, summing exactly to ``total``
    (never more than the sum of losses); leftover cents go to the largest remainders."""
    total = min(Decimal(total), sum(losses, Decimal("0"))).quantize(CENT, rounding=ROUND_DOWN)
    whole = sum(losses, Decimal("0"))
    if whole <= 0:
        return [Decimal("0.00") for _loss in losses]
    raw = [total * loss / whole for loss in losses]
    shares = [r.quantize(CENT, rounding=ROUND_DOWN) for r in raw]
    leftover = int(((total - sum(shares, Decimal("0"))) / CENT).to_integral_value())
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - shares[i]), i))
    for i in order[:leftover]:
        shares[i] += CENT
    return shares


@transaction.atomic
def return_proposal_create(*, request_id: int) -> ReturnProposal | None:
    """For a completed freeze whose case belongs to a ring, propose the pro-rata return of the
    frozen amount to every victim of the ring's cases, by their loss."""
    req = Request.objects.select_related("case__ring").get(pk=request_id)
    if req.kind != RequestKind.FREEZE or not req.amount_secured or req.case is None or req.case.ring_id is None:
        return None
    from cases.models import Case

    cases = list(Case.objects.filter(ring_id=req.case.ring_id).prefetch_related("victims").order_by("pk"))
    rows = []
    for case in cases:
        victims = list(case.victims.all())
        rows.append((case, victims[0] if victims else None, case.loss_amount))
    rows = [r for r in rows if r[2] > 0]
    if len(rows) < 2:
        return None
    shares = pro_rata(req.amount_secured, [r[2] for r in rows])
    proposal = ReturnProposal.objects.create(request=req, total=sum(shares, Decimal("0")))
    ReturnShare.objects.bulk_create(
        ReturnShare(proposal=proposal, case=c, victim=v, loss=loss, share=share)
        for (c, v, loss), share in zip(rows, shares, strict=True)
    )
    return proposal


@transaction.atomic
def return_proposal_decide(*, proposal_id: int, actor, approve: bool) -> ReturnProposal:
    from core.policy import authorize

    from .services import RequestForbidden

    authorize(actor, "return.decide", message=_("只有反诈中心可以审批返还方案。"), error=RequestForbidden)
    proposal = ReturnProposal.objects.select_for_update().get(pk=proposal_id)
    if proposal.status != ProposalStatus.PROPOSED:
        raise RequestConflict(_("该返还方案已处理。"))
    proposal.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor
    proposal.save()
    return proposal
