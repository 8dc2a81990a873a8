"""Return proposals: the pro-rata return of a completed freeze's money to the victims of its
ring's cases, and the centre's decision on it."""

from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.policy import authorize

from ..choices import ProposalStatus, RequestKind
from ..models import Request, ReturnProposal, ReturnShare
from .requests import RequestConflict, RequestForbidden

CENT = Decimal("0.01")


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
    authorize(actor, "return.decide", message=_("只有反诈中心可以审批返还方案。"), error=RequestForbidden)
    proposal = ReturnProposal.objects.select_for_update().get(pk=proposal_id)
    if proposal.status != ProposalStatus.PROPOSED:
        raise RequestConflict(_("该返还方案已处理。"))
    proposal.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor
    proposal.save()
    return proposal
