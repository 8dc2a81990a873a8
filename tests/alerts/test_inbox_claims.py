"""Claims (issue 19 §6): a claimed request shows who holds it; another clerk of the same bank
cannot act on it until they take it over explicitly; the rule is the policy's, checked in the
services, so pages and the API refuse alike; every claim is recorded and pushed live."""

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.models import User
from alerts.choices import RequestStatus
from alerts.models import Request
from alerts.services import (
    RequestClaimed,
    RequestForbidden,
    request_acknowledge,
    request_claim,
    request_complete,
    request_unclaim,
)
from core.models import AuditEntry
from events.models import StagedEvent

from .pages_support import issue, login, make_case

URL = "/api/v1/requests/"


@pytest.fixture
def sent(w):
    return issue(w, make_case(w))


@pytest.fixture
def clerk2(w):
    """A second clerk at bank_a's bank (bank-icbc)."""
    user = User.objects.create_user(username="bank_a2", password="x", first_name="李柜员",
                                    agency=w.agencies["bank-icbc"], role=Role.OFFICER)
    w.users["bank_a2"] = user
    return user


def test_a_claimed_request_cannot_be_worked_by_another_clerk_until_taken_over(w, sent, clerk2):
    bank_a = w.users["bank_a"]
    request_claim(request_id=sent.pk, actor=bank_a)
    with pytest.raises(RequestClaimed) as refused:
        request_acknowledge(request_id=sent.pk, actor=clerk2)
    assert "张柜员" in refused.value.message and refused.value.status_code == 409
    with pytest.raises(RequestClaimed):
        request_claim(request_id=sent.pk, actor=clerk2)  # claiming is not taking over
    assert Request.objects.get(pk=sent.pk).status == RequestStatus.DELIVERED

    request_claim(request_id=sent.pk, actor=clerk2, take_over=True)
    request_acknowledge(request_id=sent.pk, actor=clerk2)
    with pytest.raises(RequestClaimed):  # now the first clerk is the other one
        request_complete(request_id=sent.pk, actor=bank_a, amount_secured="100.00", balance="100.00")
    req = Request.objects.get(pk=sent.pk)
    assert (req.status, req.claimed_by_id, req.acknowledged_by_id) == (RequestStatus.ACKNOWLEDGED, clerk2.pk, clerk2.pk)
    take_over = AuditEntry.objects.filter(detail__move="claimed", detail__taken_from=bank_a.pk)
    assert take_over.count() == 1 and take_over.get().actor_id == clerk2.pk


def test_claim_and_release_are_events_to_those_who_see_the_request(w, sent, clerk2):
    StagedEvent.objects.all().delete()
    request_claim(request_id=sent.pk, actor=w.users["bank_a"])
    request_claim(request_id=sent.pk, actor=w.users["bank_a"])  # again: nothing new
    request_unclaim(request_id=sent.pk, actor=w.users["bank_a"])
    kinds = list(StagedEvent.objects.order_by("id").values_list("kind", flat=True))
    claimed = {e.agency_id for e in StagedEvent.objects.filter(kind="request.claimed")}
    assert kinds.count("request.claimed") == len(claimed) and kinds.count("request.unclaimed") == len(claimed)
    assert w.agencies["bank-icbc"].pk in claimed and w.agencies["w-centre"].pk in claimed
    assert w.agencies["bank-abc"].pk not in claimed
    assert Request.objects.get(pk=sent.pk).claimed_by_id is None


def test_only_the_holder_or_a_supervisor_lets_a_claim_go(w, sent, clerk2):
    request_claim(request_id=sent.pk, actor=w.users["bank_a"])
    with pytest.raises(RequestForbidden):
        request_unclaim(request_id=sent.pk, actor=clerk2)
    clerk2.role = Role.SUPERVISOR
    clerk2.save(update_fields=["role"])
    request_unclaim(request_id=sent.pk, actor=clerk2)
    assert Request.objects.get(pk=sent.pk).claimed_by_id is None


def test_another_bank_cannot_claim(w, sent):
    with pytest.raises(RequestForbidden):
        request_claim(request_id=sent.pk, actor=w.users["bank_b"])


def test_inbox_shows_the_holder_and_offers_take_over_to_the_other_clerk(w, client, sent, clerk2):
    request_claim(request_id=sent.pk, actor=w.users["bank_a"])
    login(client, w, "bank_a2")
    html = client.get(reverse("alerts:inbox")).content.decode()
    assert "张柜员 办理中" in html and 'data-testid="take-over"' in html and 'data-testid="ack"' not in html
    # Acknowledging from the request page anyway: told who holds it, nothing changes.
    response = client.post(reverse("alerts:acknowledge", args=[sent.pk]), follow=True)
    assert "正由 张柜员 办理" in response.content.decode()
    assert Request.objects.get(pk=sent.pk).status == RequestStatus.DELIVERED
    # Taking over explicitly lands on the result form, ready to type.
    response = client.post(reverse("alerts:claim", args=[sent.pk]),
                           {"take_over": "1", "next": reverse("alerts:detail", args=[sent.pk]) + "?work=1"})
    assert response.status_code == 302 and Request.objects.get(pk=sent.pk).claimed_by_id == clerk2.pk
    detail = client.get(response["Location"]).content.decode()
    assert "由我办理" in detail


def test_api_claim_take_over_and_unclaim(w, api, sent, clerk2):
    first = api(w.users["bank_a"]).post(URL + "%d/claim/" % sent.pk, {}, format="json")
    assert first.status_code == 200 and first.data["claimed_by"] == "张柜员"
    other = api(clerk2)
    refused = other.post(URL + "%d/acknowledge/" % sent.pk)
    assert refused.status_code == 409 and "张柜员" in refused.data["detail"]
    assert other.post(URL + "%d/claim/" % sent.pk, {}, format="json").status_code == 409
    taken = other.post(URL + "%d/claim/" % sent.pk, {"take_over": True}, format="json")
    assert taken.status_code == 200 and taken.data["claimed_by"] == "李柜员"
    assert other.post(URL + "%d/acknowledge/" % sent.pk).status_code == 200
    released = other.post(URL + "%d/unclaim/" % sent.pk)
    assert released.status_code == 200 and released.data["claimed_by"] is None
    assert other.post(URL + "%d/unclaim/" % sent.pk).status_code == 200  # idempotent


@pytest.mark.parametrize("path", ["claim/", "unclaim/"])
def test_api_claim_outside_the_inbox_is_404_and_a_community_user_never_reaches_it(w, api, sent, path):
    assert api(w.users["bank_b"]).post(URL + "%d/%s" % (sent.pk, path), {}, format="json").status_code == 404
    assert api(w.users["grid_a"]).post(URL + "%d/%s" % (sent.pk, path), {}, format="json").status_code in (403, 404)
    assert api(w.users["publicity"]).post(URL + "%d/%s" % (sent.pk, path), {}, format="json").status_code in (403, 404)
    assert Request.objects.get(pk=sent.pk).claimed_by_id is None


def test_the_issuing_centre_cannot_claim_a_bank_request(w, api, sent):
    response = api(w.users["analyst"]).post(URL + "%d/claim/" % sent.pk, {}, format="json")
    assert response.status_code in (403, 404)
    assert Request.objects.get(pk=sent.pk).claimed_by_id is None


def test_claims_are_documented_in_the_schema(client):
    schema = client.get(reverse("schema") + "?format=json")
    paths = schema.json()["paths"]
    assert "/api/v1/requests/{id}/claim/" in paths and "/api/v1/requests/{id}/unclaim/" in paths
    assert "/api/v1/requests/bulk-acknowledge/" in paths
    body = paths["/api/v1/requests/{id}/claim/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/ClaimRequest")


@pytest.mark.parametrize("name", ["alerts:claim", "alerts:unclaim"])
def test_claim_pages_another_bank_gets_404_and_a_wrong_role_403(w, client, sent, name):
    login(client, w, "bank_b")
    assert client.post(reverse(name, args=[sent.pk])).status_code == 404
    login(client, w, "analyst")  # the issuing centre's analyst: not a receiving role
    assert client.post(reverse(name, args=[sent.pk])).status_code == 403
    login(client, w, "grid_a")  # a community's grid worker: not addressed to it
    assert client.post(reverse(name, args=[sent.pk])).status_code == 404
    assert Request.objects.get(pk=sent.pk).claimed_by_id is None
