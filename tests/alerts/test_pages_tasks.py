"""The grid worker's phone task list, the leadership office's deadline settings and the
centre's approval of pro-rata returns."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alerts.choices import DissuasionOutcome, ProposalStatus, RequestKind, RequestStatus
from alerts.models import DeadlinePolicy, Request, ReturnProposal
from alerts.services import request_acknowledge, request_complete, signal_receive

from .pages_support import PDF, issue, login, make_case


def _signal(w, phone="13800004444", amount=None):
    signal = w.run(signal_receive, actor=w.users["bank_a"], reason="向涉诈账户转账", region=w.regions["340402001001"],
                   resident_name="赵居民", resident_phone=phone, amount=amount, indicator_kind="account",
                   indicator_value="6222020200998877665")
    return Request.objects.get(pk=signal.task_id)


def test_grid_worker_sees_task_on_a_phone_layout_and_other_community_gets_404(w, client):
    task = _signal(w)
    assert task.secondary_agency == w.agencies["cm-xingfuli"]
    login(client, w, "grid_a")
    html = client.get(reverse("alerts:tasks")).content.decode()
    assert 'name="viewport" content="width=device-width' in html
    assert "赵居民" in html and 'href="tel:13800004444"' in html and "向涉诈账户转账" in html
    login(client, w, "grid_b")
    assert "赵居民" not in client.get(reverse("alerts:tasks")).content.decode()
    assert client.post(reverse("alerts:outcome", args=[task.pk]), {"outcome": "dissuaded"}).status_code == 404


def test_dissuaded_outcome_completes_the_task_in_one_form(w, client):
    task = _signal(w)
    login(client, w, "grid_a")
    with w.capture(execute=True):
        response = client.post(reverse("alerts:outcome", args=[task.pk]), {"outcome": "dissuaded"}, follow=True)
    assert "已登记劝阻结果" in response.content.decode()
    task.refresh_from_db()
    assert task.status == RequestStatus.COMPLETED and task.outcome == DissuasionOutcome.DISSUADED
    assert task.acknowledged_by == w.users["grid_a"]


def test_already_paid_opens_a_case_prefilled_from_the_signal(w, client):
    from cases.models import Typology

    romance, _ = Typology.objects.get_or_create(code="romance", defaults={"name": "网络婚恋交友"})
    task = _signal(w, amount=Decimal("2600.00"))
    login(client, w, "grid_a")
    with w.capture(execute=True):
        response = client.post(reverse("alerts:outcome", args=[task.pk]),
                               {"outcome": "already_paid", "typology": romance.pk}, follow=True)
    task.refresh_from_db()
    case = task.case
    assert case is not None and case.number in response.content.decode()
    assert case.typology == romance and case.loss_amount == Decimal("2600.00")
    assert case.reporting_agency == w.agencies["ps-renmin"] and case.region == w.regions["340402001001"]
    victim = case.victims.get()
    assert victim.name == "赵居民" and victim.phone.endswith("13800004444")
    assert case.indicator_links.filter(indicator__value="6222020200998877665").exists()


def test_unreachable_escalates_to_a_police_visit(w, client):
    task = _signal(w)
    login(client, w, "grid_a")
    with w.capture(execute=True):
        response = client.post(reverse("alerts:outcome", args=[task.pk]), {"outcome": "unreachable"}, follow=True)
    assert "已转派出所上门走访" in response.content.decode()
    visit = Request.objects.get(parent=task)
    assert visit.target_agency == w.agencies["ps-renmin"] and visit.status == RequestStatus.DELIVERED


def test_outcome_without_choice_is_refused_with_a_message(w, client):
    task = _signal(w)
    login(client, w, "grid_a")
    assert "请选择劝阻结果" in client.post(reverse("alerts:outcome", args=[task.pk]), {}, follow=True).content.decode()
    task.refresh_from_db()
    assert task.status == RequestStatus.DELIVERED


def test_leadership_office_sets_deadlines_and_new_requests_use_them(w, client):
    login(client, w, "leader")
    page = client.get(reverse("alerts:deadlines"))
    assert page.status_code == 200 and 'value="5"' in page.content.decode()  # the issue's default
    kinds = list(RequestKind.values)
    data = {"form-TOTAL_FORMS": str(len(kinds)), "form-INITIAL_FORMS": str(len(kinds))}
    from alerts.services import DEFAULT_DEADLINES

    for n, kind in enumerate(kinds):
        ack, complete = DEFAULT_DEADLINES[kind]
        data.update({f"form-{n}-kind": kind, f"form-{n}-ack_minutes": ack or "", f"form-{n}-complete_minutes": complete or ""})
    sp = kinds.index(RequestKind.STOP_PAYMENT)
    data[f"form-{sp}-ack_minutes"] = "3"
    bad = {**data, f"form-{sp}-complete_minutes": "2"}
    assert "办结时限不能短于签收时限" in client.post(reverse("alerts:deadlines"), bad).content.decode()
    client.post(reverse("alerts:deadlines"), data)
    assert list(DeadlinePolicy.objects.values_list("kind", "ack_minutes", "complete_minutes")) == [("stop_payment", 3, 30)]
    req = issue(w, make_case(w))
    assert round((req.ack_due_at - req.delivered_at).total_seconds()) == 180
    login(client, w, "analyst")
    assert client.get(reverse("alerts:deadlines")).status_code == 403


def _ring_freeze(w):
    """Two cases of one ring that both paid into a shared account (20,000 and 10,000 reached it),
    a completed freeze there holding 9,000 of their money."""
    from alerts.services import requests_stop_all

    shared = "6222020200555566667"
    a = make_case(w, account=shared, phone="13800000011", loss="20000.00", paid=("20000.00",), victim="甲")
    b = make_case(w, account=shared, phone="13800000012", loss="10000.00", paid=("10000.00",), victim="乙")
    a.refresh_from_db()
    assert a.ring_id and a.ring_id == b.__class__.objects.get(pk=b.pk).ring_id
    w.run(requests_stop_all, actor=w.users["analyst"], case=b)  # b's hold on the account: its money is traced there
    freeze = issue(w, a, kind="freeze", target=shared, legal_notice_number="N-9", term_months=6,
                   legal_notice_file=SimpleUploadedFile("n.pdf", PDF, content_type="application/pdf"))
    w.run(request_acknowledge, request_id=freeze.pk, actor=w.users["bank_a"])
    # More than the 8,000 asked: both cases' money sits in the shared account, as the bank says.
    w.run(request_complete, request_id=freeze.pk, actor=w.users["bank_a"], amount_secured="9000",
          over_amount_reason="两案受害人资金均在该账户")
    return ReturnProposal.objects.get(request=freeze)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_centre_approves_pro_rata_return_once(w, client, api, media):
    proposal = _ring_freeze(w)
    assert sorted(str(s) for s in proposal.shares.values_list("share", flat=True)) == ["3000.00", "6000.00"]
    login(client, w, "analyst")
    html = client.get(reverse("alerts:returns")).content.decode()
    assert "6,000.00" in html and "3,000.00" in html and "甲" in html
    # return.decide: the centre's supervisor
    assert client.post(reverse("alerts:return_decide", args=[proposal.pk]), {"decision": "approve"}).status_code == 403
    login(client, w, "supervisor")
    client.post(reverse("alerts:return_decide", args=[proposal.pk]), {"decision": "approve"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED and proposal.decided_by == w.users["supervisor"]
    again = api(w.users["supervisor"]).post(f"/api/v1/return-proposals/{proposal.pk}/approve/")
    assert again.status_code == 409 and "已处理" in again.data["detail"]
    assert api(w.users["bank_a"]).get("/api/v1/return-proposals/").status_code == 403  # return.view: the board's kinds
    login(client, w, "bank_a")
    assert client.post(reverse("alerts:return_decide", args=[proposal.pk]), {"decision": "approve"}).status_code == 403  # return.decide: the centre only
