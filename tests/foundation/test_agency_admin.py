"""An agency admin manages their own agency's users and routing keys in the admin, nothing else."""

import pytest

from agencies.models import RoutingKey, User


@pytest.fixture
def admin_client(demo, client):
    client.force_login(demo["centre_admin"])
    return client


@pytest.mark.django_db
def test_agency_admin_lists_only_own_agency_users(admin_client, demo):
    page = admin_client.get("/admin/agencies/user/")
    assert page.status_code == 200
    listed = {u.username for u in page.context["cl"].result_list}
    assert {"analyst", "supervisor", "centre_admin"} <= listed
    assert "bank_a" not in listed and "admin" not in listed


@pytest.mark.django_db
def test_agency_admin_cannot_open_another_agencys_user(admin_client, demo):
    response = admin_client.get(f"/admin/agencies/user/{demo['bank_a'].pk}/change/")
    assert response.status_code == 302  # the admin's "object does not exist" redirect
    assert admin_client.get("/admin/agencies/agency/").status_code == 403


@pytest.mark.django_db
def test_agency_admin_edits_own_user_without_superuser_fields(admin_client, demo):
    page = admin_client.get(f"/admin/agencies/user/{demo['analyst'].pk}/change/")
    assert page.status_code == 200
    assert b'name="is_superuser"' not in page.content and b'name="user_permissions"' not in page.content


@pytest.mark.django_db
def test_agency_admin_adds_a_routing_key_to_own_agency_only(admin_client, demo):
    own, other = demo["centre_admin"].agency, demo["bank_a"].agency
    response = admin_client.post(
        "/admin/agencies/routingkey/add/",
        {"agency": other.pk, "kind": "domain", "value": "evil.example", "note": ""},
    )
    assert response.status_code == 200  # form error: not a valid choice
    assert not RoutingKey.objects.filter(value="evil.example").exists()
    response = admin_client.post(
        "/admin/agencies/routingkey/add/",
        {"agency": own.pk, "kind": "domain", "value": "fzzx.example.gov.cn", "note": ""},
    )
    assert response.status_code == 302
    assert RoutingKey.objects.get(value="fzzx.example.gov.cn").agency == own


@pytest.mark.django_db
def test_ordinary_users_have_no_admin(demo, client):
    client.force_login(demo["bank_a"])
    assert client.get("/admin/agencies/user/").status_code == 302  # to the admin login
    assert User.objects.get(username="centre_admin").is_staff
