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


@pytest.mark.django_db
def test_the_schema_documents_the_one_error_body(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail", "code"]
    create = schema["paths"]["/api/v1/requests/"]["post"]["responses"]
    assert create["403"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"


@pytest.mark.django_db
def test_every_error_has_detail_and_code(demo):
    bad = _api(demo["analyst"]).post("/api/v1/requests/", {"kind": "nope"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "kind" in bad.json()["errors"]
    refused = _api(demo["grid_a"]).post("/api/v1/cases/", {}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden" and refused.json()["detail"]
    missing = _api(demo["analyst"]).get("/api/v1/requests/987654/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_the_transition_table_and_the_policy_agree():
    """Every move of the state table has a policy rule; the policy names no move the table lacks."""
    from alerts.transitions import MOVES
    from core.policy import RULES

    moves = {"request." + name for name, m in MOVES.items() if m.side != "system"}
    # Seeing, issuing and claiming (one clerk holds a request; the status stays) are no moves.
    not_moves = {"request.view", "request.board", "request.create", "request.claim", "request.unclaim",
                 "request.work"}
    declared = {a for a in RULES if a.startswith("request.") and a not in not_moves}
    assert moves == declared


def test_policy_units():
    """allowed() on plain rows, without HTTP: kind, role, object and the superuser."""
    from types import SimpleNamespace

    from agencies.choices import AgencyKind, Role
    from core.policy import allowed

    def user(kind, role, agency_id=1):
        return SimpleNamespace(is_authenticated=True, is_superuser=False, agency_id=agency_id, role=role,
                               agency=SimpleNamespace(kind=kind))

    bank, analyst = user(AgencyKind.BANK, Role.OFFICER, 7), user(AgencyKind.ANTI_FRAUD_CENTRE, Role.ANALYST, 1)
    admin = SimpleNamespace(is_authenticated=True, is_superuser=True, agency_id=None, role="")
    req = SimpleNamespace(target_agency_id=7, secondary_agency_id=None, issuing_agency_id=1, target_kind="account")
    assert allowed(bank, "signal.create") and not allowed(bank, "case.create")
    assert allowed(bank, "request.acknowledge", req) and not allowed(bank, "request.extend", req)
    assert not allowed(user(AgencyKind.BANK, Role.OFFICER, 8), "request.acknowledge", req)  # not addressed to it
    assert allowed(analyst, "request.extend", req) and not allowed(analyst, "request.acknowledge", req)
    assert not allowed(user(AgencyKind.ANTI_FRAUD_CENTRE, Role.AGENCY_ADMIN), "case.create")
    assert allowed(admin, "case.view") and not allowed(admin, "case.create") and not allowed(admin, "request.create")
    carrier = SimpleNamespace(kind=AgencyKind.CARRIER)
    assert not allowed(analyst, "request.route_manually", (req, carrier))  # an account goes to a bank


@pytest.mark.django_db
def test_a_refused_page_logs_one_line_and_an_error_keeps_its_traceback(demo, client, caplog):
    """A policy refusal is not a fault: ``django.request`` says which page, without the
    traceback of the PermissionDenied behind it (core.log_filters); a 500 keeps its traceback."""
    import logging

    from django.http import HttpRequest
    from django.utils.log import log_response

    client.force_login(demo["bank_a"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/cases/").status_code == 403
        assert client.get("/requests/999999/").status_code == 404
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert [r.status_code for r in refusals] == [403, 404]
    assert all(r.exc_info is None for r in refusals) and "Traceback" not in caplog.text
    assert "/cases/" in refusals[0].getMessage()

    caplog.clear()
    try:
        raise RuntimeError("a fault")
    except RuntimeError as exc:
        response = type("Response", (), {"status_code": 500, "_has_been_logged": False})()
        with caplog.at_level(logging.ERROR, logger="django.request"):
            log_response("Internal Server Error: %s", "/x/", response=response, request=HttpRequest(), exception=exc)
    assert "Traceback" in caplog.text and "RuntimeError: a fault" in caplog.text
