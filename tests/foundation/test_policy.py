"""The headline boundaries of the one policy, from the outside (issue 17, "What to build" 1)."""

import pytest
from rest_framework.test import APIClient

from alerts.models import Request

ACCOUNT = {"kind": "stop_payment", "target_kind": "account", "target_value": "6228480000001111", "amount": "100.00"}


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.django_db
def test_bank_cannot_order_stop_payment(demo):
    before = Request.objects.count()
    response = _api(demo["bank_a"]).post("/api/v1/requests/", ACCOUNT, format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Request.objects.count() == before


@pytest.mark.django_db
def test_centre_admin_cannot_create_case_via_api(demo):
    response = _api(demo["centre_admin"]).post("/api/v1/cases/", {}, format="json")
    assert response.status_code == 403 and set(response.json()) >= {"detail", "code"}


@pytest.mark.django_db
def test_superuser_without_agency_post_is_4xx(demo, django_user_model, client):
    admin = django_user_model.objects.get(username="admin")
    for url in ("/api/v1/requests/", "/api/v1/cases/", "/api/v1/signals/", "/api/v1/bulletins/"):
        response = _api(admin).post(url, {}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "no_agency", url
    client.force_login(admin)
    assert client.post("/cases/new/", {}).status_code == 403


@pytest.mark.django_db
def test_stop_payment_on_a_phone_number_is_refused(demo):
    response = _api(demo["analyst"]).post("/api/v1/requests/", {**ACCOUNT, "target_kind": "phone",
                                                                 "target_value": "13800138000"}, format="json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_only_the_receiver_may_acknowledge(demo):
    from alerts.services import request_create

    req = request_create(issuer=demo["analyst"], **ACCOUNT)
    Request.objects.filter(pk=req.pk).update(status="delivered", target_agency=demo["bank_a"].agency)
    assert _api(demo["bank_b"]).post("/api/v1/requests/%d/acknowledge/" % req.pk).status_code in (403, 404)
    assert _api(demo["analyst"]).post("/api/v1/requests/%d/acknowledge/" % req.pk).status_code == 403
    assert _api(demo["bank_a"]).post("/api/v1/requests/%d/acknowledge/" % req.pk).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/requests/abc/acknowledge/", "/api/v1/requests/99999999999999999999/acknowledge/",
                                 "/api/v1/cases/abc/", "/api/v1/bulletins/x1/publish/", "/requests/99999999999999999999/"])
def test_action_routes_404_on_bad_ids(demo, client, url):
    user = demo["bank_a"] if "acknowledge" in url else demo["analyst"]  # each allowed the move itself
    if url.startswith("/api/"):
        api = _api(user)
        response = api.post(url) if "acknowledge" in url or "publish" in url else api.get(url)
    else:
        client.force_login(user)
        response = client.get(url)
    assert response.status_code == 404
