"""The centre's warning list page and the suspect values shown to the analyst."""

import pytest
from django.urls import reverse

from cases.demo import seed_typologies_and_benign
from cases.models import BenignIndicator, Case, Indicator
from core.models import AuditEntry

from .pages_support import make_case, w  # noqa: F401  (w is a fixture)

SHARED = ("phone", "0554-66600123", "contact_number")


def _benign_url():
    return reverse("cases:benign")


@pytest.mark.parametrize("username", ["bank_a", "carrier_a", "platform_a", "grid_a", "prosecutor"])
def test_non_police_users_get_403_on_the_warning_list(client, w, username):
    seed_typologies_and_benign()
    entry = BenignIndicator.objects.first()
    client.force_login(w.users[username])
    # The policy refuses their kind benign.view / benign.change at the door, as every page does.
    assert client.get(_benign_url()).status_code == 403
    assert client.post(_benign_url(), {"kind": "phone", "value": "95566"}).status_code == 403
    assert client.post(reverse("cases:benign_remove", args=[entry.pk])).status_code == 403
    assert BenignIndicator.objects.filter(pk=entry.pk).exists()


def test_station_officer_reads_the_list_but_cannot_change_it(client, w):
    seed_typologies_and_benign()
    entry = BenignIndicator.objects.get(value="95588")
    client.force_login(w.users["officer"])
    html = client.get(_benign_url()).content.decode()
    assert "95588" in html and "工商银行客服热线" in html
    assert 'data-testid="benign-form"' not in html and 'data-testid="benign-remove"' not in html
    assert client.post(_benign_url(), {"kind": "phone", "value": "95566"}).status_code == 403
    assert client.post(reverse("cases:benign_remove", args=[entry.pk])).status_code == 403
    assert not BenignIndicator.objects.filter(value="95566").exists()
    assert BenignIndicator.objects.filter(pk=entry.pk).exists()


def test_centre_analyst_adds_a_value_and_its_ring_splits(client, w):
    a = make_case(w, indicators=[SHARED])
    b = make_case(w, victim="李四", indicators=[SHARED])
    assert Case.objects.get(pk=a.pk).ring_id == Case.objects.get(pk=b.pk).ring_id
    client.force_login(w.users["analyst"])
    response = client.post(_benign_url(), {"kind": "phone", "value": "0554 6660 0123", "note": "某单位总机"})
    assert response.status_code == 302
    entry = BenignIndicator.objects.get(value="+8655466600123")
    assert entry.created_by == w.users["analyst"] and entry.note == "某单位总机"
    assert Case.objects.get(pk=a.pk).ring_id != Case.objects.get(pk=b.pk).ring_id
    assert AuditEntry.objects.filter(action="create", object_type="cases.benignindicator", actor=w.users["analyst"]).exists()
    assert "+8655466600123" in client.get(_benign_url()).content.decode()


def test_bad_or_duplicate_value_is_refused_with_a_clear_message(client, w):
    client.force_login(w.users["supervisor"])
    bad = client.post(_benign_url(), {"kind": "phone", "value": "abc"})
    assert bad.status_code == 400
    assert 'data-testid="benign-error"' in bad.content.decode()
    assert not BenignIndicator.objects.exists()
    assert client.post(_benign_url(), {"kind": "url", "value": "Example-Shop.COM"}).status_code == 302
    again = client.post(_benign_url(), {"kind": "url", "value": "example-shop.com"})
    assert again.status_code == 400 and "已在白名单上" in again.content.decode()
    assert BenignIndicator.objects.filter(kind="url", value="example-shop.com").count() == 1
    english = client.post(_benign_url(), {"kind": "phone", "value": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400


def test_removing_a_value_links_its_cases_again(client, w):
    from cases.services import benign_add

    entry = benign_add(kind="phone", value="0554-66600123", note="总机", actor=w.users["analyst"])
    a = make_case(w, indicators=[SHARED])
    b = make_case(w, victim="李四", indicators=[SHARED])
    assert Case.objects.get(pk=a.pk).ring_id != Case.objects.get(pk=b.pk).ring_id
    client.force_login(w.users["analyst"])
    assert client.post(reverse("cases:benign_remove", args=[entry.pk])).status_code == 302
    assert not BenignIndicator.objects.filter(pk=entry.pk).exists()
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.ring_id == b.ring_id and a.ring.case_count == 2
    assert Indicator.objects.get(value="+8655466600123").is_linkable
    assert AuditEntry.objects.filter(action="delete", object_type="cases.benignindicator").exists()


def test_suspect_value_is_shown_to_the_analyst_who_decides_on_it(client, w, settings):
    settings.CASES_SUSPECT_INDICATOR_THRESHOLD = 3
    for i in range(3):
        make_case(w, victim="受害人%d" % i, indicators=[("phone", "13900000003", "calling_number")])
    make_case(w, victim="另案", indicators=[("phone", "13900000004", "calling_number")])
    for i in range(3):
        make_case(w, victim="乙%d" % i, indicators=[("phone", "13900000004", "calling_number")])
    client.force_login(w.users["analyst"])
    queue = client.get(reverse("cases:queue")).content.decode()
    assert reverse("cases:benign") in queue and 'data-testid="suspect-badge"' in queue
    html = client.get(_benign_url()).content.decode()
    assert 'data-value="+8613900000003"' in html and 'data-value="+8613900000004"' in html

    first, second = Indicator.objects.get(value="+8613900000003"), Indicator.objects.get(value="+8613900000004")
    client.post(reverse("cases:suspect_action", args=[first.pk]), {"action": "dismiss"})
    client.post(reverse("cases:suspect_action", args=[second.pk]), {"action": "benign"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.needs_review and not first.is_linkable
    assert not second.needs_review and BenignIndicator.objects.filter(value="+8613900000004").exists()
    assert 'data-testid="suspect-row"' not in client.get(_benign_url()).content.decode()
