"""The receiving agency's pages: inbox, request page, and every move through the browser forms.

Another agency's user gets 404 on every request URL; the minimal view never shows a victim;
a lost race (another clerk acted first) is a clear message, not an error page.
"""

import pytest
from django.urls import reverse

from alerts.choices import RequestStatus
from alerts.models import Request

from .pages_support import ABC_ACCOUNT, CMCC_PHONE, VICTIM_NAME, issue, login, make_case


@pytest.fixture
def sent(w):
    case = make_case(w)
    return issue(w, case)


def test_inbox_lists_delivered_request_pending_first_without_victim_identity(w, client, sent):
    done = issue(w, make_case(w, account="6222020200000000001", phone="13800000001"), target="6222020200000000001")
    w.run(__import__("alerts.services", fromlist=["x"]).request_acknowledge, request_id=done.pk, actor=w.users["bank_a"])
    login(client, w, "bank_a")
    page = client.get(reverse("alerts:inbox"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index(sent.number) < html.index(done.number)  # delivered before acknowledged
    assert sent.case.number in html and "刷单返利" in html and "8,000.00" in html
    assert "李研判" in html  # the requesting officer
    assert VICTIM_NAME not in html and "13900001111" not in html
    assert 'data-deadline="' in html and 'data-live-refresh="/requests/inbox/_rows/' in html
    rows = client.get(reverse("alerts:inbox_rows")).content.decode()
    assert sent.number in rows and "<html" not in rows


def test_request_page_shows_minimal_view_to_bank_and_full_view_to_issuer(w, client, sent):
    login(client, w, "bank_a")
    html = client.get(reverse("alerts:detail", args=[sent.pk])).content.decode()
    assert sent.case.number in html and sent.target_value in html
    assert VICTIM_NAME not in html and "13900001111" not in html
    assert reverse("cases:detail", args=[sent.case_id]) not in html  # no link into the case
    login(client, w, "analyst")
    html = client.get(reverse("alerts:detail", args=[sent.pk])).content.decode()
    assert w.agencies["bank-icbc"].name in html and sent.routing_reason in html


@pytest.mark.parametrize("name,method", [
    ("alerts:detail", "get"), ("alerts:acknowledge", "post"), ("alerts:complete", "post"), ("alerts:reject", "post"),
    ("alerts:not_subscriber", "post"), ("alerts:extend", "post"), ("alerts:release", "post"), ("alerts:route", "post"),
    ("alerts:outcome", "post"), ("alerts:legal_notice", "get"),
])
def test_another_agency_gets_404_on_every_request_url(w, client, sent, name, method):
    login(client, w, "bank_b")
    response = getattr(client, method)(reverse(name, args=[sent.pk]), {"reason": "x", "outcome": "dissuaded"})
    # 404: the row is outside bank_b's scope; 403: the policy refuses a bank the issuer's moves
    # (extend, release, route) whatever the row, so neither answer tells that the request exists.
    assert response.status_code in ((403, 404) if name in ("alerts:extend", "alerts:release", "alerts:route") else (404,))
    sent.refresh_from_db()
    assert sent.status == RequestStatus.DELIVERED


def test_bank_b_inbox_does_not_list_bank_a_request(w, client, sent):
    login(client, w, "bank_b")
    assert sent.number not in client.get(reverse("alerts:inbox") + "?show=all").content.decode()


def test_acknowledge_in_one_click_then_second_click_is_told_it_was_done(w, client, sent):
    login(client, w, "bank_a")
    url = reverse("alerts:acknowledge", args=[sent.pk])
    with w.capture(execute=True):
        first = client.post(url, {"next": reverse("alerts:inbox")}, follow=True)
    assert first.redirect_chain[-1][0] == reverse("alerts:inbox")
    assert "已签收" in first.content.decode()
    sent.refresh_from_db()
    assert sent.status == RequestStatus.ACKNOWLEDGED and sent.acknowledged_by == w.users["bank_a"]
    # A colleague who still had the old page open clicks too: one wins, the other is told.
    again = client.post(url, follow=True).content.decode()
    assert "当前状态为“已签收”" in again and "可能已被他人处理" in again


def _ack(w, req):
    from alerts.services import request_acknowledge

    w.run(request_acknowledge, request_id=req.pk, actor=w.users["bank_a"])


def test_complete_with_onward_transfer_creates_follow_on_to_next_bank(w, client, sent):
    _ack(w, sent)
    login(client, w, "bank_a")
    page = client.get(reverse("alerts:detail", args=[sent.pk])).content.decode()
    assert 'name="onward-0-destination_account"' in page
    data = {
        "amount_secured": "3000.00", "balance": "3000.00", "answer": "",
        "onward-TOTAL_FORMS": "3", "onward-INITIAL_FORMS": "0", "onward-MIN_NUM_FORMS": "0", "onward-MAX_NUM_FORMS": "20",
        "onward-0-amount": "5000.00", "onward-0-transferred_at": "2025-03-01T10:15",
        "onward-0-destination_account": ABC_ACCOUNT, "onward-0-destination_bank": "农业银行",
    }
    with w.capture(execute=True):
        response = client.post(reverse("alerts:complete", args=[sent.pk]), data, follow=True)
    assert "已办结" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == RequestStatus.COMPLETED and str(sent.amount_secured) == "3000.00"
    follow = Request.objects.get(parent=sent)
    assert follow.target_value == ABC_ACCOUNT and follow.case_id == sent.case_id
    assert follow.target_agency == w.agencies["bank-abc"] and follow.status == RequestStatus.DELIVERED
    # The next bank sees the follow-on (issued by the platform itself) in its inbox and page.
    login(client, w, "bank_b")
    assert "系统续查" in client.get(reverse("alerts:inbox")).content.decode()
    page = client.get(reverse("alerts:detail", args=[follow.pk])).content.decode()
    assert "系统续查" in page and ABC_ACCOUNT in page and VICTIM_NAME not in page


def test_complete_form_answers_bad_input_with_clear_errors(w, client, sent):
    _ack(w, sent)
    login(client, w, "bank_a")
    data = {
        "amount_secured": "-1", "onward-TOTAL_FORMS": "1", "onward-INITIAL_FORMS": "0",
        "onward-0-amount": "100.00", "onward-0-destination_account": "",
    }
    response = client.post(reverse("alerts:complete", args=[sent.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "资金转出须填写金额、时间和转入账号" in html
    assert "确保该值大于或等于 0" in html or "大于或等于" in html
    sent.refresh_from_db()
    assert sent.status == RequestStatus.ACKNOWLEDGED


def test_reject_needs_a_reason_and_records_it(w, client, sent):
    login(client, w, "bank_a")
    url = reverse("alerts:reject", args=[sent.pk])
    assert "请填写退回理由" in client.post(url, {"reason": ""}, follow=True).content.decode()
    with w.capture(execute=True):
        client.post(url, {"reason": "账户已销户"})
    sent.refresh_from_db()
    assert sent.status == RequestStatus.REJECTED and sent.reject_reason == "账户已销户"


def test_carrier_not_our_subscriber_reroutes_to_the_next_carrier(w, client):
    req = issue(w, make_case(w), kind="number_block", target_kind="phone", target=CMCC_PHONE)
    assert req.target_agency == w.agencies["tel-cmcc"]
    login(client, w, "carrier_a")
    assert "非本网用户" in client.get(reverse("alerts:detail", args=[req.pk])).content.decode()
    with w.capture(execute=True):
        client.post(reverse("alerts:not_subscriber", args=[req.pk]))
    req.refresh_from_db()
    assert req.target_agency_id not in (None, w.agencies["tel-cmcc"].pk)
    assert req.status == RequestStatus.DELIVERED
    assert client.get(reverse("alerts:detail", args=[req.pk])).status_code == 404  # no longer ours


def test_inbox_rows_query_count_does_not_grow_with_rows(w, client, django_assert_max_num_queries):
    case = make_case(w)
    for n in range(6):
        issue(w, case, target="62220202000000009%02d" % n)
    login(client, w, "bank_a")
    with django_assert_max_num_queries(8):
        html = client.get(reverse("alerts:inbox_rows")).content.decode()
    assert html.count('data-testid="inbox-row"') == 6


def test_inbox_speaks_english_after_the_language_switch(w, client, sent, settings):
    login(client, w, "bank_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("alerts:inbox")).content.decode()
    assert "Acknowledge" in html and "1 pending" in html and "Left" in html
