"""Returns over the API: the centre's supervisor approves a split, the holding bank lists,
acknowledges and completes its return requests, refusals are 4xx in the user's language, the
case shows the victim's recovered total; and "stop all" for a case with an Idempotency-Key."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Request

from .pages_support import ABC_ACCOUNT, ICBC_ACCOUNT, make_case
from .returns_support import PAYER_A, approve, instalment_of, trail


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_supervisor_approves_over_the_api_and_the_bank_completes_an_instalment(w, api, media):
    a, b, _c, _frozen, proposal = trail(w)
    assert api(w.users["analyst"]).post(f"/api/v1/return-proposals/{proposal.pk}/approve/").status_code == 403
    with w.capture(execute=True):  # the delivery runs after the commit
        resp = api(w.users["supervisor"]).post(f"/api/v1/return-proposals/{proposal.pk}/approve/",
                                               HTTP_IDEMPOTENCY_KEY="approve-1")
    assert resp.status_code == 200, resp.data
    shares = {s["case_number"]: s for s in resp.data["shares"]}
    assert shares[a.number]["share"] == "4800.00" and shares[a.number]["outstanding"] == "0.00"
    # Answered in the approving transaction: the instalment is written, its delivery follows the commit.
    assert shares[a.number]["in_progress"] == "4800.00" and shares[a.number]["instalments"][0]["amount"] == "4800.00"

    bank = api(w.users["bank_b"])
    listed = bank.get("/api/v1/requests/", {"kind": "fund_return"}).data["results"]
    assert sorted(r["amount"] for r in listed) == ["3200.00", "4800.00"]
    req = instalment_of(a)
    detail = bank.get(f"/api/v1/requests/{req.pk}/").data
    assert detail["return"]["victim"] == "张**" and detail["return"]["payee_account"] == "6222***********2333"
    assert "张三丰" not in str(detail) and PAYER_A not in str(detail)
    assert bank.post(f"/api/v1/requests/{req.pk}/acknowledge/").status_code == 200
    too_much = bank.post(f"/api/v1/requests/{req.pk}/complete/", {"amount_secured": "5000.00"}, format="json")
    assert too_much.status_code == 400
    assert "不能大于本期应返还金额" in str(too_much.data)
    bad = bank.post(f"/api/v1/requests/{req.pk}/complete/", {"amount_secured": "abc"}, format="json")
    assert bad.status_code == 400
    done = bank.post(f"/api/v1/requests/{req.pk}/complete/", {"amount_secured": "3000.00"}, format="json")
    assert done.status_code == 200 and done.data["status"] == "completed"

    # The case's side sees the recovered total, the outstanding rest, and the victim in full.
    case = api(w.users["analyst"]).get(f"/api/v1/cases/{a.pk}/").data
    assert case["recovered"] == {"returned": "3000.00", "in_progress": "0.00", "approved": "4800.00",
                                 "outstanding": "1800.00"}
    full = api(w.users["analyst"]).get(f"/api/v1/requests/{req.pk}/").data
    assert full["return"]["victim"] == "张三丰" and full["return"]["payee_account"] == "6222***********2333"
    listed = api(w.users["supervisor"]).get(f"/api/v1/return-proposals/{proposal.pk}/").data
    share_a = next(s for s in listed["shares"] if s["case_number"] == a.number)
    assert (share_a["returned"], share_a["outstanding"]) == ("3000.00", "1800.00")

    # The rest as the next instalment, over the API; twice is refused while it is open.
    rest = f"/api/v1/return-proposals/{proposal.pk}/issue-rest/"
    body = {"share": share_a["id"]}
    assert api(w.users["analyst"]).post(rest, body, format="json").status_code == 403
    with w.capture(execute=True):
        resp = api(w.users["supervisor"]).post(rest, body, format="json")
    assert resp.status_code == 200
    share_a = next(s for s in resp.data["shares"] if s["case_number"] == a.number)
    assert [i["amount"] for i in share_a["instalments"]] == ["4800.00", "1800.00"]
    again = api(w.users["supervisor"]).post(rest, body, format="json")
    assert again.status_code == 409 and "进行中" in again.data["detail"]
    assert api(w.users["supervisor"]).post(rest, {"share": 999999}, format="json").status_code == 404
    assert api(w.users["supervisor"]).post(rest, {"share": "x"}, format="json").status_code == 400


def test_return_proposals_list_query_count_is_flat(w, api, media):
    _a, _b, _c, _frozen, proposal = trail(w)
    approve(w, proposal)
    client = api(w.users["supervisor"])
    client.get("/api/v1/return-proposals/")  # warm the per-user scope cache
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/return-proposals/").status_code == 200
    # A second frozen account with its own split and instalments: the same number of queries.
    from .returns_support import freeze

    other = make_case(w, account="6228480000555566667", phone="13800000031", loss="3000.00", paid=("3000.00",),
                      victim="赵六")
    from alerts.services import requests_stop_all

    w.run(requests_stop_all, actor=w.users["analyst"], case=other)
    second = freeze(w.run, w.users, other, account="6228480000555566667", held="3000.00")
    approve(w, second.return_proposals.get())
    with CaptureQueriesContext(connection) as two:
        resp = client.get("/api/v1/return-proposals/")
    assert resp.data["count"] == 2 if isinstance(resp.data, dict) else len(resp.data) == 2
    # count, proposals, shares, instalments with their return requests
    assert len(one) == len(two) == 4, "\n".join(q["sql"][:150] for q in two.captured_queries)


def test_stop_all_over_the_api_is_idempotent(w, api):
    case = make_case(w, paid=("5000.00", "2500.00"))
    client = api(w.users["analyst"])
    resp = client.post("/api/v1/requests/stop-all/", {"case": case.pk}, format="json", HTTP_IDEMPOTENCY_KEY="sa-1")
    assert resp.status_code == 201, resp.data
    assert [(r["target_value"], r["amount"]) for r in resp.data] == [(ICBC_ACCOUNT, "7500.00")]
    replay = client.post("/api/v1/requests/stop-all/", {"case": case.pk}, format="json", HTTP_IDEMPOTENCY_KEY="sa-1")
    assert replay.status_code == 201 and replay.data == resp.data
    assert Request.objects.filter(case=case).count() == 1
    again = client.post("/api/v1/requests/stop-all/", {"case": case.pk}, format="json")
    assert again.status_code == 409 and "均已有进行中的止付请求" in again.data["detail"]


def test_stop_all_over_the_api_refuses_in_the_users_language(w, api):
    case = make_case(w)
    assert api(w.users["bank_a"]).post("/api/v1/requests/stop-all/", {"case": case.pk}, format="json").status_code == 403
    missing = api(w.users["analyst"]).post("/api/v1/requests/stop-all/", {"case": 999999}, format="json")
    assert missing.status_code == 400
    assert api(w.users["analyst"]).post("/api/v1/requests/stop-all/", {}, format="json").status_code == 400
    english = api(w.users["analyst"]).post("/api/v1/requests/stop-all/", {"case": "x"}, format="json",
                                           HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and "Incorrect type" in str(english.data)
    # Only the confirmed accounts; an account not among the case's: nothing to stop, 409.
    other = api(w.users["analyst"]).post("/api/v1/requests/stop-all/", {"case": case.pk, "accounts": [ABC_ACCOUNT]},
                                         format="json")
    assert other.status_code == 409
    assert not Request.objects.filter(case=case).exists()
