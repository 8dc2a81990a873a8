"""The centre's returns page: each frozen account's pro-rata split, its approval, and each
victim's instalments (the return requests to the bank) with what is returned and outstanding."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.policy import allowed

from ..models import ReturnShare
from ..selectors import return_proposals
from ..selectors_returns import share_figures
from ..services import return_instalment_issue, return_proposal_decide
from .access import require_board, run_service


@login_required
@require_GET
def returns(request):
    require_board(request.user)
    proposals = list(return_proposals(user=request.user)[:100])
    for proposal in proposals:
        for share in proposal.shares.all():
            share.figures = share_figures(share)
    return render(request, "alerts/returns.html", {
        "proposals": proposals, "can_decide": allowed(request.user, "return.decide"),
        "nav_current": "alerts:board"})


@login_required
@require_POST
def return_decide(request, pk):
    proposal = get_object_or_404(return_proposals(user=request.user), pk=pk)
    approve = request.POST.get("decision") == "approve"
    return run_service(
        request,
        lambda: return_proposal_decide(proposal_id=proposal.pk, actor=request.user, approve=approve,
                                       http_request=request),
        _("返还方案已批准，已向承办银行发出返还请求。") if approve else _("返还方案已驳回。"), reverse("alerts:returns"),
    )


@login_required
@require_POST
def issue_rest(request, pk):
    """Request a share's outstanding rest as its next instalment."""
    share = get_object_or_404(ReturnShare.objects.filter(proposal__in=return_proposals(user=request.user).values("pk")),
                              pk=pk)
    return run_service(
        request, lambda: return_instalment_issue(share_id=share.pk, actor=request.user, http_request=request),
        _("已就未返还余款向承办银行发出下一期返还请求。"), reverse("alerts:returns"),
    )
