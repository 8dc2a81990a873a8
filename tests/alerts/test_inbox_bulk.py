"""Acknowledge several at once (issue 19 §6): one service call, each request recorded as if
acknowledged alone, a retry changes nothing, and nothing outside the clerk's inbox is touched
or even named."""

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.models import User
from alerts.choices import RequestStatus
from alerts.models import Request
from alerts.services import request_claim, requests_acknowledge_many
from cases.models import CaseEvent
from core.models import AuditEntry
from events.models import StagedEvent

from .pages_support import ABC_ACCOUNT, issue, login, make_case

URL = "/api/v1/requests/bulk-acknowledge/"


@pytest.fixture
def three(w):
    case = make_case(w)
    return [issue(w, case, target="62220202000000007%02d" % n) for n in range(3)]


def test_bulk_acknowledge_records_each_and_a_retry_is_a_no_op(w, three):
    StagedEvent.objects.all().delete()
    ids = [r.pk for r in three]
    result = requests_acknowledge_many(request_ids=ids, actor=w.users["bank_a"])
    assert sorted(r.pk for r in result["acknowledged"]) == sorted(ids) and result["skipped"] == []
    assert set(Request.objects.filter(pk__in=ids).values_list("status", flat=True)) == {RequestStatus.ACKNOWLEDGED}
    for req in three:
        assert AuditEntry.objects.filter(object_id=str(req.pk), detail__move="acknowledged").count() == 1
        assert CaseEvent.objects.filter(kind="request_acknowledged", detail__request=req.number).count() == 1
    bank = w.agencies["bank-icbc"].pk
    assert StagedEvent.objects.filter(kind="request.acknowledged", agency_id=bank).count() == 3

    again = requests_acknowledge_many(request_ids=ids, actor=w.users["bank_a"])
    assert again["acknowledged"] == [] and {s["code"] for s in again["skipped"]} == {"already"}
    assert AuditEntry.objects.filter(detail__move="acknowledged").count() == 3


def test_bulk_acknowledge_skips_what_is_not_ours_or_claimed_by_another_clerk(w, three):
    other_bank = issue(w, make_case(w, account=ABC_ACCOUNT, phone="13800000002"), target=ABC_ACCOUNT)
    clerk2 = User.objects.create_user(username="bank_a2", password="x", agency=w.agencies["bank-icbc"], role=Role.OFFICER)
    request_claim(request_id=three[0].pk, actor=clerk2)
    result = requests_acknowledge_many(request_ids=[three[0].pk, three[1].pk, other_bank.pk], actor=w.users["bank_a"])
    codes = {s["id"]: s["code"] for s in result["skipped"]}
    assert [r.pk for r in result["acknowledged"]] == [three[1].pk]
    assert codes == {three[0].pk: "claimed", other_bank.pk: "not_found"}
    assert [s["number"] for s in result["skipped"] if s["code"] == "not_found"] == [""]  # nothing said about it
    assert Request.objects.get(pk=other_bank.pk).status == RequestStatus.DELIVERED


def test_inbox_page_acknowledges_the_ticked_rows(w, client, three):
    login(client, w, "bank_a")
    response = client.post(reverse("alerts:inbox_bulk_ack"), {"ids": [three[0].pk, three[2].pk]}, follow=True)
    assert "已批量签收 2 件" in response.content.decode()
    statuses = dict(Request.objects.filter(pk__in=[r.pk for r in three]).values_list("pk", "status"))
    assert statuses == {three[0].pk: "acknowledged", three[1].pk: "delivered", three[2].pk: "acknowledged"}


def test_api_bulk_acknowledge_with_idempotency_key_and_boundaries(w, api, three):
    ids = [r.pk for r in three]
    bank_b = api(w.users["bank_b"]).post(URL, {"ids": ids}, format="json")
    assert bank_b.status_code == 200 and bank_b.data["acknowledged"] == []
    assert {s["code"] for s in bank_b.data["skipped"]} == {"not_found"}
    community = api(w.users["grid_a"]).post(URL, {"ids": ids}, format="json")
    assert community.status_code == 200 and community.data["acknowledged"] == []
    assert api(w.users["analyst"]).post(URL, {"ids": ids}, format="json").status_code == 403  # not a receiving role
    assert set(Request.objects.filter(pk__in=ids).values_list("status", flat=True)) == {RequestStatus.DELIVERED}

    client = api(w.users["bank_a"])
    first = client.post(URL, {"ids": ids}, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert first.status_code == 200 and len(first.data["acknowledged"]) == 3
    replay = client.post(URL, {"ids": ids}, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    retry = client.post(URL, {"ids": ids}, format="json")
    assert retry.data["acknowledged"] == [] and {s["code"] for s in retry.data["skipped"]} == {"already"}
    assert client.post(URL, {"ids": []}, format="json").status_code == 400
    assert client.post(URL, {"ids": ["x"]}, format="json").status_code == 400
