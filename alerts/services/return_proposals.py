"""Returns in instalments: the pro-rata return of a frozen account's money to the victims whose
money reached it (traced through the money tree), the centre's decision, and each instalment as a
return request to the bank holding the money, tracked to completion.

- A completed first freeze with money held proposes the split (``return_proposal_create``):
  each victim's weight is what of their payments reached the account, layer after layer
  (``alerts.selectors_returns.traced_to_account``), never the whole case loss.
- A centre supervisor approves it (``return_proposal_decide``): each share becomes instalment 1,
  a ``fund_return`` request addressed to the bank that holds the money.
- The bank acknowledges and reports what it returned (``request_complete``, checked here by
  ``return_result_check``: at most the instalment, at most what is still held). A partial return
  leaves the rest outstanding; the centre requests it as the next instalment
  (``return_instalment_issue``).
"""

from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.policy import authorize
from core.services import audit_record

from ..choices import FreezeAction, ProposalStatus, RequestKind, TargetKind
from ..models import Request, ReturnInstalment, ReturnProposal, ReturnShare
from .requests import RequestConflict, RequestForbidden

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def _yuan(amount: Decimal) -> str:
    return "¥{:,.2f}".format(amount)


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
    """For a completed first freeze that holds money, propose the pro-rata return of the held
    amount to every victim whose money reached the frozen account, by the amount that reached it
    (traced through the money tree of every case with a hold on that account). None when nothing
    traced reached it, or a proposal for this freeze exists already."""
    from cases.models import Case

    from ..selectors_returns import traced_to_account

    req = Request.objects.get(pk=request_id)
    if (req.kind != RequestKind.FREEZE or not req.amount_secured or req.case_id is None
            or req.freeze_action not in ("", FreezeAction.FREEZE) or req.target_kind != TargetKind.ACCOUNT):
        return None
    if ReturnProposal.objects.filter(request=req).exists():
        return None
    traced = traced_to_account(account=req.target_value)
    if not traced:
        return None
    cases = {c.pk: c for c in Case.objects.filter(pk__in=[case_id for case_id, _amount in traced])
             .prefetch_related("victims")}
    victims = {pk: min(case.victims.all(), key=lambda v: v.pk, default=None) for pk, case in cases.items()}
    shares = pro_rata(req.amount_secured, [amount for _case, amount in traced])
    proposal = ReturnProposal.objects.create(request=req, total=sum(shares, ZERO))
    ReturnShare.objects.bulk_create(
        ReturnShare(proposal=proposal, case=cases[case_id], victim=victims.get(case_id), loss=amount, share=share)
        for (case_id, amount), share in zip(traced, shares, strict=True)
    )
    return proposal


def _payer_account(case_id: int) -> str:
    """The victim's paying account the money goes back to: that of their largest payment."""
    from cases.models import Transaction

    return (Transaction.objects.filter(case_id=case_id).exclude(payer_account="").order_by("-amount", "pk")
            .values_list("payer_account", flat=True).first() or "")


def _issue(*, share: ReturnShare, amount: Decimal, sequence: int, actor, http_request=None) -> ReturnInstalment:
    """One instalment: a return request to the bank that holds the freeze's money, delivered to
    it directly (the freeze's receiver, no routing), and its link to the share."""
    from .requests import request_create

    freeze = share.proposal.request
    req = request_create(
        issuer=actor, kind=RequestKind.FUND_RETURN, target_kind=TargetKind.ACCOUNT, target_value=freeze.target_value,
        case=share.case, amount=amount, parent=freeze, layer=freeze.layer, target_bank_name=freeze.target_bank_name,
        note=_("返还方案第 %(seq)s 期：自冻结账户返还受害人 %(amount)s（冻结请求 %(number)s）")
        % {"seq": sequence, "amount": _yuan(amount), "number": freeze.number},
        authorized=True, http_request=http_request,
    )
    # The bank holding the money is the freeze's receiver: set before the delivery batch (after
    # commit) takes the row, which then only marks it delivered with its deadlines.
    req.target_agency_id = freeze.target_agency_id
    req.routing_reason = _("冻结请求 %(number)s 的承办银行") % {"number": freeze.number}
    req.save(update_fields=["target_agency", "routing_reason"])
    return ReturnInstalment.objects.create(share=share, request=req, sequence=sequence,
                                           payee_account=_payer_account(share.case_id))


@transaction.atomic
def return_proposal_decide(*, proposal_id: int, actor, approve: bool, http_request=None) -> ReturnProposal:
    """The centre's supervisor approves (each share becomes instalment 1, a return request to
    the bank holding the money) or rejects a proposal. Twice: 409."""
    authorize(actor, "return.decide", message=_("只有反诈中心主管可以审批返还方案。"), error=RequestForbidden)
    proposal = ReturnProposal.objects.select_for_update().select_related("request").get(pk=proposal_id)
    if proposal.status != ProposalStatus.PROPOSED:
        raise RequestConflict(_("该返还方案已处理。"))
    proposal.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor
    proposal.save(update_fields=["status", "decided_at", "decided_by"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=proposal, request=http_request,
                 detail={"move": "approved" if approve else "rejected", "total": str(proposal.total)})
    if approve:
        for share in proposal.shares.select_related("case").order_by("pk"):
            share.proposal = proposal
            if share.share > 0:
                _issue(share=share, amount=share.share, sequence=1, actor=actor, http_request=http_request)
    return proposal


@transaction.atomic
def return_instalment_issue(*, share_id: int, actor, http_request=None) -> ReturnInstalment:
    """Request the outstanding rest of an approved share as its next instalment (after a partial
    return, or a refused or failed one). 409 while an instalment is open or nothing is left."""
    from ..selectors_returns import share_figures

    authorize(actor, "return.decide", message=_("只有反诈中心主管可以审批返还方案。"), error=RequestForbidden)
    share = ReturnShare.objects.select_for_update(of=("self",)).select_related(
        "proposal__request", "case").get(pk=share_id)
    if share.proposal.status != ProposalStatus.APPROVED:
        raise RequestConflict(_("返还方案尚未批准。"))
    figures = share_figures(share)
    if figures["in_progress"] > 0:
        raise RequestConflict(_("该受害人尚有进行中的返还请求，请待银行办结后再申请余款。"))
    rest = figures["outstanding"]
    if rest <= 0:
        raise RequestConflict(_("该受害人的返还份额已全部返还。"))
    last = max((inst.sequence for inst in share.instalments.all()), default=0)
    return _issue(share=share, amount=rest, sequence=last + 1, actor=actor, http_request=http_request)


def return_result_check(*, req: Request, returned) -> Decimal:
    """The amount a bank reports returned on a return request, in the user's language: given,
    at most the instalment, and at most what the freeze still holds unreturned."""
    from ..selectors_returns import held_unreturned

    if returned is None:
        raise ValidationError({"amount_secured": [_("请填写实际返还金额。")]})
    errors = []
    if returned > req.amount:
        errors.append(_("返还金额 %(returned)s 不能大于本期应返还金额 %(amount)s。")
                      % {"returned": _yuan(returned), "amount": _yuan(req.amount)})
    if req.parent_id is not None:
        # Locked: two instalments of one account completed at once must not both spend its rest.
        freeze = Request.objects.select_for_update(of=("self",)).get(pk=req.parent_id)
        held = held_unreturned(freeze=freeze, exclude_request_id=req.pk)
        if returned > held:
            errors.append(_("返还金额 %(returned)s 不能大于该账户尚未返还的冻结金额 %(held)s。")
                          % {"returned": _yuan(returned), "held": _yuan(held)})
    if errors:
        raise ValidationError({"amount_secured": errors})
    return returned
