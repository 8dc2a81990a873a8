"""Returns in instalments through the services: the split follows the money through the tree,
the centre's supervisor approves it, each instalment is a return request to the holding bank,
a partial return leaves the rest outstanding (and requestable), and the amounts add up."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from alerts.models import Request, ReturnShare
from alerts.selectors_returns import case_recovered, share_figures, traced_to_account
from alerts.services import (
    RequestConflict,
    RequestForbidden,
    request_create,
    return_instalment_issue,
    return_proposal_decide,
)

from .pages_support import ABC_ACCOUNT
from .returns_support import PAYER_A, approve, bank_returns, instalment_of, trail


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_split_follows_the_money_through_the_tree_not_the_ring(w, media):
    a, b, c, frozen, proposal = trail(w)
    c.refresh_from_db()
    a.refresh_from_db()
    assert c.ring_id and c.ring_id == a.ring_id  # C is in A's ring, but none of its money reached the account
    assert traced_to_account(account=ABC_ACCOUNT) == [(a.pk, Decimal("6000.00")), (b.pk, Decimal("4000.00"))]
    shares = {s.case_id: (s.loss, s.share, s.victim.name) for s in proposal.shares.select_related("victim")}
    assert shares == {a.pk: (Decimal("6000.00"), Decimal("4800.00"), "张三丰"),
                      b.pk: (Decimal("4000.00"), Decimal("3200.00"), "李四海")}
    assert proposal.total == frozen.amount_secured == Decimal("8000.00")
    assert proposal.status == "proposed"


def test_more_out_than_in_counts_only_the_victims_money(w, media):
    """An account that sent on more than the victim paid in: only the victim's part travels."""
    from alerts.selectors_returns import case_inflows

    a, _b, _c, _frozen, _proposal = trail(w)
    stop_a = Request.objects.get(case=a, layer=1, kind="stop_payment")
    layer2 = Request.objects.get(case=a, layer=2)
    Request.objects.filter(pk=stop_a.pk).update(amount=Decimal("10000.00"))
    stop_a.onward_transfers.update(amount=Decimal("20000.00"))
    _accounts, inflows = case_inflows(case_id=a.pk)
    assert sum(inflows[layer2.pk].values()) == Decimal("10000.00")


def test_supervisor_approval_sends_each_instalment_to_the_holding_bank(w, media):
    a, b, _c, frozen, proposal = trail(w)
    with pytest.raises(RequestForbidden):
        return_proposal_decide(proposal_id=proposal.pk, actor=w.users["analyst"], approve=True)
    with pytest.raises(RequestForbidden):
        return_proposal_decide(proposal_id=proposal.pk, actor=w.users["bank_b"], approve=True)
    approve(w, proposal)
    returns = Request.objects.filter(kind="fund_return").select_related("target_agency").order_by("amount")
    assert [(r.case_id, r.amount, r.status, r.target_agency.code, r.parent_id, r.target_value) for r in returns] == [
        (b.pk, Decimal("3200.00"), "delivered", "bank-abc", frozen.pk, ABC_ACCOUNT),
        (a.pk, Decimal("4800.00"), "delivered", "bank-abc", frozen.pk, ABC_ACCOUNT),
    ]
    assert all(r.complete_due_at and r.ack_due_at for r in returns)
    assert instalment_of(a).return_instalment.payee_account == PAYER_A  # the victim's paying account
    with pytest.raises(RequestConflict):
        approve(w, proposal)


def test_partial_return_leaves_the_rest_outstanding_then_a_second_instalment_completes_it(w, media):
    a, _b, _c, _frozen, proposal = trail(w)
    approve(w, proposal)
    bank_returns(w, instalment_of(a), "3000.00")
    share = ReturnShare.objects.get(case=a)
    figures = share_figures(share)
    assert (figures["returned"], figures["in_progress"], figures["outstanding"]) == (
        Decimal("3000.00"), Decimal("0.00"), Decimal("1800.00"))
    recovered = case_recovered(case_id=a.pk)
    assert (recovered.returned, recovered.approved, recovered.outstanding) == (
        Decimal("3000.00"), Decimal("4800.00"), Decimal("1800.00"))
    with pytest.raises(RequestForbidden):
        return_instalment_issue(share_id=share.pk, actor=w.users["analyst"])
    w.run(return_instalment_issue, share_id=share.pk, actor=w.users["supervisor"])
    second = instalment_of(a, 2)
    assert (second.amount, second.status) == (Decimal("1800.00"), "delivered")
    with pytest.raises(RequestConflict, match="进行中"):
        return_instalment_issue(share_id=share.pk, actor=w.users["supervisor"])
    bank_returns(w, second, "1800.00")
    assert case_recovered(case_id=a.pk).returned == Decimal("4800.00")
    assert share_figures(ReturnShare.objects.get(case=a))["outstanding"] == Decimal("0.00")
    with pytest.raises(RequestConflict, match="全部返还"):
        return_instalment_issue(share_id=share.pk, actor=w.users["supervisor"])


def test_bank_cannot_report_more_than_the_instalment_or_what_is_still_held(w, media):
    a, b, _c, frozen, proposal = trail(w)
    approve(w, proposal)
    first = instalment_of(a)
    with pytest.raises(ValidationError) as exc:
        bank_returns(w, first, "4800.01")
    assert "不能大于本期应返还金额" in exc.value.message_dict["amount_secured"][0]
    assert Request.objects.get(pk=first.pk).status == "acknowledged"  # nothing saved
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        bank_returns(w, first, "4800.01")
    assert exc.value.message_dict["amount_secured"] == [
        "The amount returned, ¥4,800.01, cannot exceed this instalment's ¥4,800.00."]
    with pytest.raises(ValidationError) as exc:
        bank_returns(w, first, None)
    assert "请填写实际返还金额" in exc.value.message_dict["amount_secured"][0]
    # The bank's hold shrank (say the court released part): what is left caps the next return.
    Request.objects.filter(pk=frozen.pk).update(amount_secured=Decimal("5000.00"))
    bank_returns(w, first, "4800.00")
    with pytest.raises(ValidationError) as exc:
        bank_returns(w, instalment_of(b), "3200.00")
    assert "¥200.00" in exc.value.message_dict["amount_secured"][0]


def test_a_return_is_never_issued_by_hand(w, media):
    a, *_rest = trail(w)
    with pytest.raises(ValidationError, match="返还方案"):
        request_create(issuer=w.users["analyst"], kind="fund_return", target_kind="account",
                       target_value=ABC_ACCOUNT, case=a, amount=Decimal("1"))


def test_money_returned_counts_on_the_dashboards_next_to_money_stopped(w, media):
    from django.db.models import Sum

    from dashboards.models import RegionDaily
    from dashboards.rollups import refresh_dirty

    a, _b, _c, _frozen, proposal = trail(w)
    approve(w, proposal)
    refresh_dirty()
    assert RegionDaily.objects.aggregate(s=Sum("returned"))["s"] == Decimal("0.00")  # approved is not returned
    bank_returns(w, instalment_of(a), "3000.00")
    refresh_dirty()
    figures = RegionDaily.objects.aggregate(returned=Sum("returned"), stopped=Sum("stopped"))
    assert figures == {"returned": Decimal("3000.00"), "stopped": Decimal("2000.00")}
