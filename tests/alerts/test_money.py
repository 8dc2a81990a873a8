"""The money trail from the outside: a case's transactions, "stop all" (one request per
receiving account for what reached it), a bank's answer that adds up (refusals in the user's
language, keeping what was typed), the next layer (merged branches, no loops), structured
carrier/platform answers, and the money tree (a bank sees only its own nodes, never the victim)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts.choices import RequestKind, RequestStatus
from alerts.models import OnwardTransfer, Request
from alerts.services import RequestConflict, request_acknowledge, request_complete, requests_stop_all
from cases.masking import mask_account

from .pages_support import ABC_ACCOUNT, ICBC_ACCOUNT, VICTIM_NAME, issue, login, make_case

ICBC_2 = "6212260000999988887"  # bank-icbc's other prefix (621226)
CCB_ACCOUNT = "6217000000123412345"  # bank-ccb (bank_c)
ONWARD_AT = "2025-03-01T10:00:00+08:00"


def three_payments_two_banks(w):
    """The journey's case: 3 payments, two to bank_a's account, one to bank_b's."""
    return _case_with(w, [("3000.00", ICBC_ACCOUNT), ("2000.00", ICBC_ACCOUNT), ("4000.00", ABC_ACCOUNT)])


def _case_with(w, payments):
    from cases.models import Typology
    from cases.services import case_create

    typology, _ = Typology.objects.get_or_create(code="brushing", defaults={"name": "刷单返利"})
    officer = w.users["officer"]
    occurred = timezone.now() - timedelta(hours=2)
    with w.capture(execute=True):
        return case_create(
            actor=officer, reporting_agency=officer.agency, region=w.regions["340402001"], typology=typology,
            occurred_at=occurred, reported_at=occurred + timedelta(minutes=30), loss_amount=None,
            payment_channel="bank_transfer", victims=[{"name": VICTIM_NAME}], indicators=[],
            transactions=[{"occurred_at": occurred + timedelta(minutes=i), "amount": Decimal(amount),
                           "payee_account": account, "payer_account": "6222600011112222333", "reference": "R%d" % i}
                          for i, (amount, account) in enumerate(payments)],
        )


def _stop_all(w, case):
    return w.run(requests_stop_all, actor=w.users["analyst"], case=case)


def _answer(w, req, user, **result):
    w.run(request_acknowledge, request_id=req.pk, actor=w.users[user])
    return w.run(request_complete, request_id=req.pk, actor=w.users[user], **result)


# ---------------------------------------------------------------- transactions and stop all


def test_transactions_make_the_loss_the_indicators_and_one_stop_payment_per_account(w):
    case = three_payments_two_banks(w)
    assert case.loss_amount == Decimal("9000.00") and case.transactions.count() == 3
    assert set(case.indicator_links.values_list("indicator__value", flat=True)) == {ICBC_ACCOUNT, ABC_ACCOUNT}
    created = _stop_all(w, case)
    by_account = {r.target_value: Request.objects.get(pk=r.pk) for r in created}
    icbc, abc = by_account[ICBC_ACCOUNT], by_account[ABC_ACCOUNT]
    assert (icbc.amount, abc.amount) == (Decimal("5000.00"), Decimal("4000.00"))  # what reached each, not 9000
    assert sorted(t.reference for t in icbc.transactions.all()) == ["R0", "R1"]
    assert [t.reference for t in abc.transactions.all()] == ["R2"]
    assert icbc.target_agency == w.agencies["bank-icbc"] and abc.target_agency == w.agencies["bank-abc"]
    assert {icbc.status, abc.status} == {RequestStatus.DELIVERED} and {icbc.layer, abc.layer} == {1}
    with pytest.raises(RequestConflict):  # both accounts are under an open stop-payment now
        _stop_all(w, case)


def test_stop_all_confirmation_lists_each_account_with_its_bank_and_sum(w, client):
    case = three_payments_two_banks(w)
    login(client, w, "analyst")
    html = client.get(reverse("alerts:case_stop_all", args=[case.pk])).content.decode()
    icbc_row = html[html.index('data-account="%s"' % ICBC_ACCOUNT):]
    icbc_row = icbc_row[:icbc_row.index("</tr>")]
    assert w.agencies["bank-icbc"].name in icbc_row and "¥5,000.00" in icbc_row
    assert "¥4,000.00" in html and w.agencies["bank-abc"].name in html and "¥9,000.00" in html
    with w.capture(execute=True):
        page = client.post(reverse("alerts:case_stop_all", args=[case.pk]), {"account": [ICBC_ACCOUNT]}, follow=True)
    assert "已对 1 个收款账号发起紧急止付" in page.content.decode()
    assert list(Request.objects.filter(case=case).values_list("target_value", flat=True)) == [ICBC_ACCOUNT]
    # A bank may not open the confirmation (the policy), nor a station of another region's case.
    login(client, w, "bank_a")
    assert client.get(reverse("alerts:case_stop_all", args=[case.pk])).status_code in (403, 404)


def test_a_hand_issued_stop_payment_without_transactions_needs_an_amount(w, client):
    case = make_case(w, paid=())
    login(client, w, "analyst")
    ind = case.indicator_links.get(indicator__value=ICBC_ACCOUNT).indicator_id
    html = client.post(reverse("alerts:case_issue", args=[case.pk]), {"kind": "stop_payment", "indicator": ind},
                       follow=True).content.decode()
    assert "请填写金额" in html and not Request.objects.exists()
    with w.capture(execute=True):
        client.post(reverse("alerts:case_issue", args=[case.pk]),
                    {"kind": "stop_payment", "indicator": ind, "amount": "1234.50"})
    assert Request.objects.get().amount == Decimal("1234.50")


# ---------------------------------------------------------------- the bank's answer


def test_held_more_than_the_balance_is_refused_on_the_form_keeping_what_was_typed(w, client):
    case = make_case(w)
    req = _stop_all(w, case)[0]
    w.run(request_acknowledge, request_id=req.pk, actor=w.users["bank_a"])
    login(client, w, "bank_a")
    url = reverse("alerts:complete", args=[req.pk])
    form = {"amount_secured": "6000.00", "balance": "5000.00", "disposition": "held",
            "onward-TOTAL_FORMS": "1", "onward-INITIAL_FORMS": "0",
            "onward-0-amount": "1000.00", "onward-0-transferred_at": "2025-03-01T10:00",
            "onward-0-destination_account": ABC_ACCOUNT, "onward-0-destination_bank": "农业银行",
            "onward-0-reference": "REF-77"}
    response = client.post(url, form)
    html = response.content.decode()
    assert response.status_code == 400
    assert "止付金额 ¥6,000.00 不能大于账户余额 ¥5,000.00" in html
    assert 'value="6000.00"' in html and 'value="REF-77"' in html and ABC_ACCOUNT in html
    req.refresh_from_db()
    assert req.status == RequestStatus.ACKNOWLEDGED and not OnwardTransfer.objects.exists()


def test_held_plus_onward_beyond_the_request_needs_a_confirmed_reason(w, client):
    case = make_case(w)
    req = _stop_all(w, case)[0]  # ¥7,500
    w.run(request_acknowledge, request_id=req.pk, actor=w.users["bank_a"])
    login(client, w, "bank_a")
    url = reverse("alerts:complete", args=[req.pk])
    form = {"amount_secured": "5000.00", "balance": "9000.00", "onward-TOTAL_FORMS": "1", "onward-INITIAL_FORMS": "0",
            "onward-0-amount": "4000.00", "onward-0-transferred_at": "2025-03-01T10:00",
            "onward-0-destination_account": ABC_ACCOUNT}
    html = client.post(url, form).content.decode()
    assert "合计 ¥9,000.00，超过请求金额 ¥7,500.00" in html
    html = client.post(url, {**form, "confirm_over": "on"}).content.decode()
    assert "确认超出请求金额时须填写理由" in html
    with w.capture(execute=True):
        done = client.post(url, {**form, "confirm_over": "on", "over_amount_reason": "另有两名受害人资金转入该账户"})
    assert done.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.COMPLETED and req.disposition == "partly_held"
    assert req.result["over_amount_reason"] == "另有两名受害人资金转入该账户"


def test_refusals_speak_english_to_an_english_clerk(w, client):
    case = make_case(w)
    req = _stop_all(w, case)[0]
    w.run(request_acknowledge, request_id=req.pk, actor=w.users["bank_a"])
    login(client, w, "bank_a")
    client.cookies["django_language"] = "en"
    html = client.post(reverse("alerts:complete", args=[req.pk]),
                       {"amount_secured": "6000", "balance": "100", "onward-TOTAL_FORMS": "0",
                        "onward-INITIAL_FORMS": "0"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "cannot be more than the account balance" in html


def test_the_api_refuses_an_answer_that_does_not_add_up(w, api):
    case = make_case(w)
    req = _stop_all(w, case)[0]
    bank = api(w.users["bank_a"])
    seen = bank.get("/api/v1/requests/%d/" % req.pk).json()
    assert seen["amount"] == "7500.00" and seen["layer"] == 1
    assert [t["reference"] for t in seen["transactions"]] == ["TX000", "TX001"]
    assert "payer_account" not in seen["transactions"][0]
    w.run(request_acknowledge, request_id=req.pk, actor=w.users["bank_a"])
    url = "/api/v1/requests/%d/complete/" % req.pk
    bad = bank.post(url, {"amount_secured": "99999999.00", "balance": "100.00"}, format="json")
    assert bad.status_code == 400 and "amount_secured" in bad.data["errors"] and bad.data["code"]
    cash = bank.post(url, {"amount_secured": "10.00", "disposition": "withdrawn_cash"}, format="json")
    assert cash.status_code == 400 and "disposition" in cash.data["errors"]
    with w.capture(execute=True):
        ok = bank.post(url, {"amount_secured": "0", "balance": "0", "disposition": "withdrawn_cash"}, format="json")
    assert ok.status_code == 200, ok.content
    assert Request.objects.get(pk=req.pk).disposition == "withdrawn_cash"


# ---------------------------------------------------------------- the next layer


def test_two_branches_into_one_account_make_one_request_and_loops_make_none(w):
    case = three_payments_two_banks(w)
    reqs = {r.target_value: r for r in _stop_all(w, case)}
    # bank_a: 1000 held, 4000 moved on: 2500 to a CCB account, 1500 back to the ICBC account (loop).
    _answer(w, reqs[ICBC_ACCOUNT], "bank_a", amount_secured="1000", balance="1000", onward_transfers=[
        {"amount": "2500", "transferred_at": ONWARD_AT, "destination_account": CCB_ACCOUNT},
        {"amount": "1500", "transferred_at": ONWARD_AT, "destination_account": ICBC_ACCOUNT}])
    # bank_b: the other branch also reaches the CCB account while its request is still open.
    _answer(w, reqs[ABC_ACCOUNT], "bank_b", amount_secured="3000", balance="3000",
            onward_transfers=[{"amount": "1000", "transferred_at": ONWARD_AT, "destination_account": CCB_ACCOUNT}])
    ccb = Request.objects.get(case=case, target_value=CCB_ACCOUNT)
    assert ccb.amount == Decimal("3500.00") and ccb.layer == 2 and ccb.target_agency == w.agencies["bank-ccb"]
    assert Request.objects.filter(case=case, kind=RequestKind.STOP_PAYMENT).count() == 3
    loop = OnwardTransfer.objects.get(destination_account=ICBC_ACCOUNT)
    assert loop.loop and loop.follow_on is None
    assert OnwardTransfer.objects.filter(follow_on=ccb).count() == 2
    # bank_c hears of the second amount; the other banks do not.
    from events.models import Event

    grown = Event.objects.filter(kind="request.amount_added")
    assert set(grown.values_list("agency_id", flat=True)) >= {w.agencies["bank-ccb"].pk}
    assert not grown.filter(agency_id__in=[w.agencies["bank-icbc"].pk, w.agencies["bank-abc"].pk]).exists()
    assert grown.get(agency_id=w.agencies["bank-ccb"].pk).payload["amount"] == "3500.00"


# ---------------------------------------------------------------- carriers and platforms


def test_a_carrier_answers_with_a_structured_outcome(w, client):
    case = make_case(w)
    block = issue(w, case, kind="number_block", target_kind="phone", target="13812345678")
    w.run(request_acknowledge, request_id=block.pk, actor=w.users["carrier_a"])
    login(client, w, "carrier_a")
    url = reverse("alerts:complete", args=[block.pk])
    html = client.post(url, {"disposition": "ported"}).content.decode()
    assert "请填写号码转入的运营商" in html
    with w.capture(execute=True):
        client.post(url, {"disposition": "ported", "ported_to": "中国电信", "disposition_at": "2025-03-01T09:30"})
    block.refresh_from_db()
    assert block.status == RequestStatus.COMPLETED and block.disposition == "ported"
    assert block.result["ported_to"] == "中国电信" and timezone.localtime(block.disposition_at).hour == 9


def test_not_our_subscriber_as_an_outcome_reroutes_the_number(w):
    case = make_case(w)
    block = issue(w, case, kind="number_block", target_kind="phone", target="13812345678")
    _answer(w, block, "carrier_a", disposition="not_subscriber")
    block.refresh_from_db()
    assert block.status == RequestStatus.DELIVERED and block.target_agency != w.agencies["tel-cmcc"]


def test_a_refused_takedown_needs_a_reason(w):
    case = make_case(w)
    takedown = issue(w, case, kind="takedown", target_kind="url", target="https://weixin.qq.com/fake")
    if takedown.target_agency_id is None:
        pytest.skip("no platform routes this domain in the demo data")
    user = next(u for u in w.users.values() if u.agency_id == takedown.target_agency_id and not u.is_service_account)
    w.run(request_acknowledge, request_id=takedown.pk, actor=user)
    with pytest.raises(ValidationError):
        w.run(request_complete, request_id=takedown.pk, actor=user, disposition="refused")
    w.run(request_complete, request_id=takedown.pk, actor=user, disposition="refused", refusal_reason="非涉诈内容")
    takedown.refresh_from_db()
    assert takedown.disposition == "refused" and takedown.result["refusal_reason"] == "非涉诈内容"


# ---------------------------------------------------------------- the tree


def _tree_after_two_layers(w):
    case = three_payments_two_banks(w)
    reqs = {r.target_value: r for r in _stop_all(w, case)}
    _answer(w, reqs[ICBC_ACCOUNT], "bank_a", amount_secured="2000", balance="2000", onward_transfers=[
        {"amount": "1800", "transferred_at": ONWARD_AT, "destination_account": ABC_ACCOUNT.replace("0111", "0999")},
        {"amount": "1200", "transferred_at": ONWARD_AT, "destination_account": CCB_ACCOUNT}])
    return case


def test_the_tree_api_gives_layers_with_totals_and_still_moving(w, api):
    case = _tree_after_two_layers(w)
    data = api(w.users["analyst"]).get("/api/v1/money-trees/%d/" % case.pk).json()
    assert data["view"] == "full" and [layer["layer"] for layer in data["layers"]] == [1, 2]
    one = data["layers"][0]["totals"]
    assert (one["amount_in"], one["held"], one["moved_on"], one["still_moving"]) == ("9000.00", "2000.00", "3000.00", "3000.00")
    assert data["layers"][1]["totals"]["amount_in"] == "3000.00"
    assert all("*" in node["account"] for layer in data["layers"] for node in layer["nodes"])


def test_a_bank_sees_only_its_own_nodes_and_never_the_victim(w, api, client):
    case = _tree_after_two_layers(w)
    bank_b = api(w.users["bank_b"]).get("/api/v1/money-trees/%d/" % case.pk).json()
    nodes = [n for layer in bank_b["layers"] for n in layer["nodes"]]
    own = set(Request.objects.filter(case=case, target_agency=w.agencies["bank-abc"]).values_list("number", flat=True))
    assert bank_b["view"] == "own" and {n["number"] for n in nodes} == own and len(own) == 2
    assert all("edges" not in n and "parent_id" not in n for n in nodes)
    text = str(bank_b)
    assert VICTIM_NAME not in text and mask_account(ICBC_ACCOUNT) not in text
    # bank_c has a layer-2 node only; bank_d (none) gets 404, as does a community.
    bank_c = api(w.users["bank_c"]).get("/api/v1/money-trees/%d/" % case.pk).json()
    assert [n["layer"] for layer in bank_c["layers"] for n in layer["nodes"]] == [2]
    assert api(w.users["grid_a"]).get("/api/v1/money-trees/%d/" % case.pk).status_code == 404
    login(client, w, "bank_b")
    html = client.get(reverse("alerts:money_tree", args=[case.pk])).content.decode()
    assert VICTIM_NAME not in html and mask_account(ICBC_ACCOUNT) not in html and "6222600011112222333" not in html
    assert all(number in html for number in own)
    login(client, w, "grid_a")
    assert client.get(reverse("alerts:money_tree", args=[case.pk])).status_code == 404


def test_the_ring_page_sums_the_open_receiving_accounts_per_bank(w, client):
    first = make_case(w, ring_with=ABC_ACCOUNT)
    second = make_case(w, account=ABC_ACCOUNT, paid=("900.00",), victim="李受害")
    assert first.ring_id and first.ring_id == type(first).objects.get(pk=second.pk).ring_id
    login(client, w, "analyst")
    html = client.get(reverse("alerts:ring_stop_all", args=[first.ring_id])).content.decode()
    assert w.agencies["bank-icbc"].name in html and "¥7,500.00" in html  # first case's two payments
    assert w.agencies["bank-abc"].name in html and "¥900.00" in html
    assert html.count('data-testid="ring-stop-row"') == 2
    login(client, w, "bank_a")
    assert client.get(reverse("alerts:ring_stop_all", args=[first.ring_id])).status_code == 403
