"""Reads for returns: whose money reached a frozen account (traced through the money tree), the
return requests of a case and what each victim has recovered.

Tracing: a layer-1 hold covers the victim's transactions that reached its account; each onward
transfer carries on the money of the account it left, in proportion to what came in (money from
outside the case, more out than in, counts for no victim of the case). A follow-on's inflow is
the sum of the transfers chased into it. Loops make no follow-on, so the graph has no cycle.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from .choices import OPEN_STATUSES, RequestKind, RequestStatus, TargetKind
from .models import OnwardTransfer, Request, ReturnShare

ZERO = Decimal("0.00")
MONEY_KINDS = (RequestKind.STOP_PAYMENT, RequestKind.FREEZE)


def case_inflows(*, case_id: int) -> tuple[dict[int, str], dict[int, dict[int, Decimal]]]:
    """The case's money requests ({id: account}) and, per request, {transaction id: amount of
    that payment in it}. Three queries for the case, then a walk in topological order."""
    nodes = dict(Request.objects.filter(case_id=case_id, kind__in=MONEY_KINDS, target_kind=TargetKind.ACCOUNT)
                 .values_list("pk", "target_value"))
    inflow: dict[int, dict[int, Decimal]] = {pk: defaultdict(lambda: ZERO) for pk in nodes}
    covers = Request.transactions.through.objects.filter(request_id__in=list(nodes)).values_list(
        "request_id", "transaction_id", "transaction__amount")
    for request_id, txn_id, amount in covers:
        inflow[request_id][txn_id] += amount
    edges: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    indegree: dict[int, int] = defaultdict(int)
    for source, target, amount in OnwardTransfer.objects.filter(
            request_id__in=list(nodes), loop=False, follow_on_id__in=list(nodes)).values_list(
            "request_id", "follow_on_id", "amount"):
        edges[source].append((target, amount))
        indegree[target] += 1
    ready = [pk for pk in nodes if indegree[pk] == 0]
    while ready:
        pk = ready.pop()
        came_in = sum(inflow[pk].values(), ZERO)
        went_out = sum((amount for _target, amount in edges[pk]), ZERO)
        # More out than in: the rest was other people's money; the case's share moves on pro rata.
        scale = min(Decimal(1), came_in / went_out) if went_out > 0 else Decimal(0)
        for target, amount in edges[pk]:
            if came_in > 0:
                for txn_id, part in inflow[pk].items():
                    inflow[target][txn_id] += amount * scale * part / came_in
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return nodes, {pk: dict(parts) for pk, parts in inflow.items()}


def traced_to_account(*, account: str) -> list[tuple[int, Decimal]]:
    """[(case id, amount of that case's victim's money that reached ``account``)], traced
    through every case's money tree that has a hold on the account (largest first, none zero).

    The stop-payments on the account are its nodes in the tree; a freeze on it counts only where
    the case has no stop-payment there (it covers the same money)."""
    case_ids = sorted(set(Request.objects.filter(kind__in=MONEY_KINDS, target_kind=TargetKind.ACCOUNT,
                                                 target_value=account, case__isnull=False)
                          .values_list("case_id", flat=True)))
    kinds = dict(Request.objects.filter(case_id__in=case_ids, target_value=account, kind__in=MONEY_KINDS)
                 .values_list("pk", "kind"))
    rows = []
    for case_id in case_ids:
        accounts, inflows = case_inflows(case_id=case_id)
        here = [pk for pk, target in accounts.items() if target == account]
        stops = [pk for pk in here if kinds.get(pk) == RequestKind.STOP_PAYMENT]
        total = sum((sum(inflows[pk].values(), ZERO) for pk in (stops or here)), ZERO)
        total = total.quantize(Decimal("0.01"))
        if total > 0:
            rows.append((case_id, total))
    return sorted(rows, key=lambda r: (-r[1], r[0]))


@dataclass
class Recovered:
    """What a case's victims got back: returned by banks, being returned (open return requests),
    approved; and outstanding, approved but neither returned nor being returned (what a partial
    or refused return left, for the centre to request again)."""

    returned: Decimal
    in_progress: Decimal
    approved: Decimal

    @property
    def outstanding(self) -> Decimal:
        return max(ZERO, self.approved - self.returned - self.in_progress)


def case_recovered(*, case_id: int) -> Recovered:
    """Two aggregate queries."""
    agg = Request.objects.filter(case_id=case_id, kind=RequestKind.FUND_RETURN).aggregate(
        returned=Sum("amount_secured", filter=Q(status=RequestStatus.COMPLETED)),
        in_progress=Sum("amount", filter=Q(status__in=OPEN_STATUSES)))
    approved = ReturnShare.objects.filter(case_id=case_id, proposal__status="approved").aggregate(s=Sum("share"))["s"]
    return Recovered(agg["returned"] or ZERO, agg["in_progress"] or ZERO, approved or ZERO)


def share_figures(share: ReturnShare) -> dict:
    """A share's returned, in-progress and outstanding amounts from its prefetched instalments."""
    returned = in_progress = ZERO
    for inst in share.instalments.all():
        req = inst.request
        if req.status == RequestStatus.COMPLETED:
            returned += req.amount_secured or ZERO
        elif req.status in OPEN_STATUSES:
            in_progress += req.amount
    approved = share.proposal.status == "approved"
    return {"returned": returned, "in_progress": in_progress,
            "outstanding": max(ZERO, share.share - returned - in_progress) if approved else ZERO}


def held_unreturned(*, freeze: Request, exclude_request_id: int | None = None) -> Decimal:
    """What of a freeze's held money is not yet returned (completed returns under it)."""
    done = (Request.objects.filter(parent=freeze, kind=RequestKind.FUND_RETURN, status=RequestStatus.COMPLETED)
            .exclude(pk=exclude_request_id).aggregate(s=Sum("amount_secured"))["s"]) or ZERO
    return max(ZERO, (freeze.amount_secured or ZERO) - done)
