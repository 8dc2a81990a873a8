"""Duplicates: merging two cases (everything moves, the old address redirects, both histories
stay), the ring and the dashboard afterwards, close reasons, and who may merge."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from cases.merging import case_merge
from cases.models import Case, CaseEvent, CaseIndicator, Indicator, Ring, Transaction
from cases.services import case_transition
from dashboards import rollups
from dashboards.models import CaseDaily

from .support import id_number, new_case, world  # noqa: F401

PHONE, CARD, CARD_OTHER = "13800990001", "6222020000990001", "6222020000990002"


def _city_cases():
    return CaseDaily.objects.aggregate(n=Sum("cases"), loss=Sum("loss"))


@pytest.fixture
def trio(world):
    """Three cases in one ring: ``dup`` (a second report of ``keep``'s victim) bridges ``keep``
    (by a phone) and ``other`` (by a card)."""
    keep = new_case(world, loss="1000.00", indicators=[("phone", PHONE, "calling_number")])
    dup = new_case(world, loss="1000.00", indicators=[("phone", PHONE, "calling_number"),
                                                      ("account", CARD, "receiving_account_l1")])
    other = new_case(world, loss="300.00", indicators=[("account", CARD, "receiving_account_l1"),
                                                       ("account", CARD_OTHER, "receiving_account_l1")])
    Transaction.objects.create(case=dup, occurred_at=timezone.now() - timedelta(hours=4), amount=Decimal("1000.00"),
                               payee_account=CARD)
    return keep, dup, other


def test_merge_moves_everything_redirects_and_the_ring_and_dashboard_stop_counting_the_duplicate(world, trio, client):
    keep, dup, other = trio
    rollups.refresh_dirty()
    assert _city_cases()["n"] == 3
    ring = Ring.objects.get(pk=keep.ring_id)
    assert ring.case_count == 3 and ring.total_loss == Decimal("2300.00")
    dup_victim = dup.victims.get()

    case_merge(duplicate=dup, survivor=keep, actor=world.users["analyst"])

    dup.refresh_from_db()
    keep.refresh_from_db()
    assert dup.merged_into_id == keep.pk and dup.status == "closed" and dup.close_reason == "duplicate"
    assert dup.ring_id is None
    # Victims, transactions and the card moved; the phone both carried is on the survivor once.
    assert set(keep.victims.values_list("pk", flat=True)) >= {dup_victim.pk}
    assert keep.transactions.count() == 1 and not dup.transactions.exists()
    assert set(CaseIndicator.objects.filter(case=keep).values_list("indicator__value", flat=True)) == {
        "+86" + PHONE, CARD}
    assert not CaseIndicator.objects.filter(case=dup).exists()
    assert Indicator.objects.get(value="+86" + PHONE).case_count == 1
    assert Indicator.objects.get(value=CARD).case_count == 2  # keep (received) and other
    # The ring still ties keep and other (through the card the survivor received), without dup.
    ring = Ring.objects.get(pk=keep.ring_id)
    assert set(Case.objects.filter(ring=ring).values_list("pk", flat=True)) == {keep.pk, other.pk}
    assert ring.case_count == 2 and ring.total_loss == Decimal("1300.00")
    # Both histories: the duplicate keeps its lines, the survivor has a marked copy of them.
    assert dup.timeline.filter(kind="created").exists() and dup.timeline.filter(kind="merged").exists()
    copied = CaseEvent.objects.filter(case=keep, detail__merged_from=dup.number)
    assert copied.filter(kind="created").exists()
    assert keep.timeline.filter(kind="merged_in").exists()
    # The dashboard counts two cases now.
    rollups.refresh_dirty()
    assert _city_cases() == {"n": 2, "loss": Decimal("1300.00")}
    # The duplicate's address leads to the survivor; the ring page lists two cases.
    client.force_login(world.users["analyst"])
    response = client.get(reverse("cases:detail", args=[dup.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[keep.pk])
    page = client.get(reverse("cases:ring", args=[ring.pk])).content.decode()
    assert dup.number not in page and keep.number in page and other.number in page
    # Merged once, it cannot be merged again (nor reopened).
    with pytest.raises(ValidationError):
        case_merge(duplicate=dup, survivor=other, actor=world.users["analyst"])
    with pytest.raises(ValidationError):
        case_transition(case=dup, actor=world.users["supervisor"], to_status="investigating")


def test_merge_through_the_page_by_survivor_number(world, trio, client):
    keep, dup, _other = trio
    client.force_login(world.users["analyst"])
    detail = client.get(reverse("cases:detail", args=[dup.pk])).content.decode()
    assert 'data-testid="merge-panel"' in detail
    response = client.post(reverse("cases:merge", args=[dup.pk]), {"survivor": keep.number.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[keep.pk])
    assert Case.objects.get(pk=dup.pk).merged_into_id == keep.pk
    page = client.get(reverse("cases:detail", args=[keep.pk])).content.decode()
    assert dup.number in page  # listed among the cases merged into it, and in the copied timeline


def test_only_a_centres_analysts_merge_and_only_cases_they_can_see(world, client):
    hubin_a = new_case(world, by="officer_b", region="340403001", indicators=[("phone", PHONE, "calling_number")])
    hubin_b = new_case(world, by="officer_b", region="340403001", indicators=[("phone", PHONE, "calling_number")])
    renmin = new_case(world, by="officer", region="340402001")
    renmin_b = new_case(world, by="officer", region="340402001")
    url = reverse("cases:merge", args=[hubin_b.pk])
    # A station officer may file cases but not merge them: 403, and the page offers no form.
    client.force_login(world.users["officer_b"])
    assert 'data-testid="merge-panel"' not in client.get(reverse("cases:detail", args=[hubin_b.pk])).content.decode()
    assert client.post(url, {"survivor": hubin_a.number}).status_code == 403
    # Another centre (the district's), whose area does not cover the case: 404.
    client.force_login(world.users["county_analyst"])
    assert client.post(url, {"survivor": hubin_a.number}).status_code == 404
    # It cannot merge one of its cases into a case it cannot see either: nothing happens.
    response = client.post(reverse("cases:merge", args=[renmin.pk]), {"survivor": hubin_a.number}, follow=True)
    assert "没有找到您可见的案件" in response.content.decode()
    with pytest.raises(PermissionDenied):
        case_merge(duplicate=renmin, survivor=hubin_a, actor=world.users["county_analyst"])
    # A bank never reaches the page.
    client.force_login(world.users["bank_a"])
    assert client.post(url, {"survivor": hubin_a.number}).status_code in (403, 404)
    assert not Case.objects.filter(merged_into__isnull=False).exists()
    # The district centre's analyst merges two cases of its own area.
    case_merge(duplicate=renmin_b, survivor=renmin, actor=world.users["county_analyst"])
    assert Case.objects.get(pk=renmin_b.pk).merged_into_id == renmin.pk
    with pytest.raises(ValidationError):
        case_merge(duplicate=renmin, survivor=renmin, actor=world.users["analyst"])


def test_closing_takes_a_reason_and_not_fraud_leaves_ring_and_figures_until_reopened(world):
    a = new_case(world, loss="100.00", indicators=[("phone", PHONE, "calling_number")])
    bridge = new_case(world, loss="200.00", indicators=[("phone", PHONE, "calling_number"),
                                                        ("account", CARD, "receiving_account_l1")])
    b = new_case(world, loss="400.00", indicators=[("account", CARD, "receiving_account_l1")])
    supervisor = world.users["supervisor"]
    with pytest.raises(ValidationError):
        case_transition(case=bridge, actor=supervisor, to_status="closed")  # no reason
    with pytest.raises(ValidationError):
        case_transition(case=bridge, actor=supervisor, to_status="closed", close_reason="bored")
    bridge = case_transition(case=bridge, actor=supervisor, to_status="closed", close_reason="not_fraud")
    assert bridge.close_reason == "not_fraud" and bridge.ring_id is None
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.ring_id != b.ring_id  # the ring fell apart without its bridge
    assert Ring.objects.get(pk=a.ring_id).case_count == 1
    rollups.refresh_dirty()
    assert _city_cases() == {"n": 2, "loss": Decimal("500.00")}
    # A new report with the bridge's phone joins a's ring only (the bridge ties nothing now).
    c = new_case(world, indicators=[("phone", PHONE, "calling_number")])
    assert c.ring_id == a.ring_id
    # Reopened, the case counts again and ties the two rings back together.
    bridge = case_transition(case=bridge, actor=supervisor, to_status="investigating")
    assert bridge.close_reason == ""
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.ring_id == b.ring_id == bridge.ring_id
    assert Ring.objects.get(pk=a.ring_id).case_count == 4
    rollups.refresh_dirty()
    assert _city_cases()["n"] == 4
    # Nothing merges into a case that counts for nothing.
    c_closed = case_transition(case=c, actor=supervisor, to_status="closed", close_reason="not_fraud")
    with pytest.raises(ValidationError):
        case_merge(duplicate=a, survivor=c_closed, actor=world.users["analyst"])
    # Transferred to another centre: closed, still counted, still in its ring.
    b = case_transition(case=b, actor=supervisor, to_status="closed", close_reason="transferred")
    assert b.ring_id == a.ring_id
    assert "移交其他中心" in b.timeline.filter(kind="transition").last().message


def test_closing_from_the_case_page_asks_for_the_reason(world, client):
    case = new_case(world)
    client.force_login(world.users["supervisor"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="close-reason"' in page and 'value="not_fraud"' in page
    url = reverse("cases:transition", args=[case.pk])
    refused = client.post(url, {"to_status": "closed"}, follow=True).content.decode()
    assert "结案须选择原因" in refused
    assert Case.objects.get(pk=case.pk).status == "new"
    client.post(url, {"to_status": "closed", "close_reason": "transferred"})
    case.refresh_from_db()
    assert case.status == "closed" and case.close_reason == "transferred"
    assert "已结案（移交其他中心）" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_api_closes_with_a_reason_and_answers_it_with_the_survivor(world):
    from rest_framework.test import APIClient

    keep, dup = new_case(world), new_case(world)
    client = APIClient()
    client.force_authenticate(world.users["supervisor"])
    url = "/api/v1/cases/%d/" % dup.pk
    refused = client.patch(url, {"status": "closed"}, format="json")
    assert refused.status_code == 400 and "结案须选择原因" in str(refused.json())
    assert client.patch(url, {"status": "closed", "close_reason": "maybe"}, format="json").status_code == 400
    assert Case.objects.get(pk=dup.pk).status == "new"
    case_merge(duplicate=dup, survivor=keep, actor=world.users["analyst"])
    body = client.get(url).json()
    assert body["close_reason"] == "duplicate" and body["merged_into"] == keep.pk and body["status"] == "closed"
    closed = client.patch("/api/v1/cases/%d/" % keep.pk, {"status": "closed", "close_reason": "not_fraud"}, format="json")
    assert closed.status_code == 200 and closed.json()["close_reason"] == "not_fraud"
