"""Lifecycle moves by permitted roles only, results, follow-on stop-payments, pro-rata."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alerts.choices import RequestKind, RequestStatus, TargetKind
from alerts.models import Request, ReturnProposal
from alerts.services import (
    RequestConflict,
    RequestForbidden,
    pro_rata,
    request_acknowledge,
    request_complete,
    request_create,
    request_extend,
    request_reject,
)
from cases.models import CaseEvent, Ring
from core.models import AuditEntry
from events.models import Event


def stop_payment(w, account="6222020200112233445", case=None, amount="50000"):
    req = w.run(request_create, issuer=w.users["analyst"], kind=RequestKind.STOP_PAYMENT, target_kind=TargetKind.ACCOUNT,
                target_value=account, case=case, amount=Decimal(amount))
    return Request.objects.get(pk=req.pk)


def test_bank_officer_acknowledges_and_completes_with_result_recorded_everywhere(w):
    case = w.case()
    req = stop_payment(w, case=case)
    assert req.target_agency == w.agencies["bank-icbc"]
    w.run(request_acknowledge, request_id=req.pk, actor=w.users["bank_a"])
    done = w.run(request_complete, request_id=req.pk, actor=w.users["bank_a"], amount_secured="30000", balance="30000.50")
    assert done.status == RequestStatus.COMPLETED
    assert done.amount_secured == Decimal("30000.00") and done.balance == Decimal("30000.50")
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {"request_created", "request_delivered", "request_acknowledged", "request_completed"} <= set(kinds)
    assert AuditEntry.objects.filter(object_id=str(req.pk), detail__move="completed").exists()
    bank_events = Event.objects.filter(agency=w.agencies["bank-icbc"], kind="request.completed")
    assert bank_events.count() == 1
    assert "case_id" not in bank_events.get().payload  # the bank gets the minimal view
    assert Event.objects.filter(agency=w.agencies["w-centre"], kind="request.completed").get().payload["amount_secured"] == "30000.00"


@pytest.mark.parametrize("username", ["bank_b", "analyst", "grid_a", "carrier_a"])
def test_only_the_receiving_agency_may_acknowledge(w, username):
    req = stop_payment(w)
    with pytest.raises(RequestForbidden):
        request_acknowledge(request_id=req.pk, actor=w.users[username])


def test_viewer_role_of_receiving_bank_may_not_act(w):
    from agencies.models import User

    viewer = User.objects.create(username="icbc-viewer", agency=w.agencies["bank-icbc"], role="viewer")
    req = stop_payment(w)
    with pytest.raises(RequestForbidden):
        request_acknowledge(request_id=req.pk, actor=viewer)


def test_second_acknowledge_is_a_conflict_and_complete_needs_acknowledge_first(w):
    req = stop_payment(w)
    with pytest.raises(RequestConflict):
        request_complete(request_id=req.pk, actor=w.users["bank_a"], amount_secured="1")
    w.run(request_acknowledge, request_id=req.pk, actor=w.users["bank_a"])
    with pytest.raises(RequestConflict):
        request_acknowledge(request_id=req.pk, actor=w.users["bank_a"])


def test_reject_needs_a_reason(w):
    req = stop_payment(w)
    with pytest.raises(ValidationError):
        request_reject(request_id=req.pk, actor=w.users["bank_a"], reason=" ")
    done = w.run(request_reject, request_id=req.pk, actor=w.users["bank_a"], reason="账号不存在")
    assert done.status == RequestStatus.REJECTED and done.reject_reason == "账号不存在"


def test_stop_payment_extends_once_only(w):
    req = stop_payment(w)
    w.run(request_acknowledge, request_id=req.pk, actor=w.users["bank_a"])
    w.run(request_complete, request_id=req.pk, actor=w.users["bank_a"], amount_secured="10")
    first = w.run(request_extend, request_id=req.pk, actor=w.users["analyst"])
    assert first.extension_count == 1
    with pytest.raises(RequestConflict):
        request_extend(request_id=req.pk, actor=w.users["analyst"])


def test_onward_transfers_chase_money_to_next_bank_without_looping(w):
    case = w.case()
    first = stop_payment(w, "6222020200112233445", case=case)
    bank_a, bank_b = w.users["bank_a"], w.users["bank_b"]
    now = timezone.now().isoformat()
    w.run(request_acknowledge, request_id=first.pk, actor=bank_a)
    w.run(request_complete, request_id=first.pk, actor=bank_a, amount_secured="10000", onward_transfers=[
        {"amount": "20000", "transferred_at": now, "destination_account": "6228481122334455667", "destination_bank": "农行"},
    ])
    second = Request.objects.get(parent=first)
    assert second.kind == RequestKind.STOP_PAYMENT and second.case == case
    assert second.target_agency == w.agencies["bank-abc"] and second.amount == Decimal("20000")
    # Money goes on from ABC to a third account and back to the first: only the new one is chased.
    w.run(request_acknowledge, request_id=second.pk, actor=bank_b)
    w.run(request_complete, request_id=second.pk, actor=bank_b, amount_secured="5000", onward_transfers=[
        {"amount": "7000", "transferred_at": now, "destination_account": "6222021234567890123"},
        {"amount": "8000", "transferred_at": now, "destination_account": "6222020200112233445"},
    ])
    third = Request.objects.filter(parent=second)
    assert [r.target_value for r in third] == ["6222021234567890123"]
    assert Request.objects.filter(case=case, target_value="6222020200112233445").count() == 1


def test_pro_rata_split_sums_exactly_and_follows_losses():
    shares = pro_rata(Decimal("1000.00"), [Decimal("3000"), Decimal("2000"), Decimal("1000")])
    assert shares == [Decimal("500.00"), Decimal("333.33"), Decimal("166.67")]
    assert sum(shares) == Decimal("1000.00")
    # Never return more than was lost.
    assert pro_rata(Decimal("999"), [Decimal("10"), Decimal("20")]) == [Decimal("10.00"), Decimal("20.00")]


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def test_freeze_needs_a_real_pdf_and_proposes_no_return_for_money_not_traced_to_it(w):
    ring = Ring.objects.create()
    case = w.case(number="AJ-R-1", loss=Decimal("3000"), ring=ring)
    w.case(number="AJ-R-2", loss=Decimal("1000"), ring=ring)
    common = dict(issuer=w.users["analyst"], kind=RequestKind.FREEZE, target_kind=TargetKind.ACCOUNT,
                  target_value="6222020200112233445", case=case, legal_notice_number="W公冻字〔2026〕1号", term_months=6)
    with pytest.raises(ValidationError):
        request_create(**common, legal_notice_file=SimpleUploadedFile("n.pdf", b"GIF89a...", "application/pdf"))
    req = w.run(request_create, **common, legal_notice_file=SimpleUploadedFile("n.pdf", PDF, "application/pdf"))
    w.run(request_acknowledge, request_id=req.pk, actor=w.users["bank_a"])
    w.run(request_complete, request_id=req.pk, actor=w.users["bank_a"], amount_secured="2000")
    # A ring alone is no reason to share the money: none of these victims' payments is traced to
    # the account (no transactions, no trail), so nothing is proposed (tests/alerts/test_returns_*).
    assert not ReturnProposal.objects.filter(request=req).exists()
