"""The API of agency systems: token, me, member directory, schema and docs, healthz."""

import pytest
from rest_framework.test import APIClient

from agencies.choices import AgencyKind


def _token(client, username, password):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


@pytest.mark.django_db
def test_service_account_gets_token_and_me_shows_its_agency(demo, settings):
    client = APIClient()
    response = _token(client, "bank_a_api", settings.DEMO_PASSWORD)
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION="Token " + response.data["token"])
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    agency = demo["bank_a_api"].agency
    assert me.data["username"] == "bank_a_api" and me.data["is_service_account"] is True
    assert me.data["role"] == "officer"
    assert me.data["agency"] == {"id": agency.id, "code": agency.code, "name": agency.name, "kind": AgencyKind.BANK}
    assert me.data["region"]["code"] == agency.region.code


@pytest.mark.django_db
def test_wrong_password_gives_400_with_a_clear_message(demo):
    response = _token(APIClient(), "bank_a_api", "nope")
    assert response.status_code == 400
    assert response.data["errors"]["non_field_errors"] and response.data["code"] == "invalid"  # "无法使用提供的认证信息登录。"


@pytest.mark.django_db
def test_token_endpoint_locks_out_after_failure_limit(demo, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _token(client, "bank_a_api", "nope").status_code == 400
    assert _token(client, "bank_a_api", "nope").status_code == 429  # the limit-th failure locks
    response = _token(client, "bank_a_api", settings.DEMO_PASSWORD)  # right password, still locked
    assert response.status_code == 429
    assert "token" not in response.data and "锁定" in response.data["detail"]


@pytest.mark.django_db
def test_me_requires_authentication(client):
    assert client.get("/api/v1/me/").status_code in (401, 403)


@pytest.mark.django_db
def test_member_directory_lists_routing_keys_to_every_member(demo):
    client = APIClient()
    client.force_authenticate(demo["bank_b"])
    response = client.get("/api/v1/agencies/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.data["results"]}
    assert "tel-cmcc" in rows and "w-leadership" in rows
    assert {"kind": "number_segment", "value": "139", "note": "", "status": "active"} in rows["tel-cmcc"]["routing_keys"]
    assert rows["bank-icbc"]["duty_phone"]
    assert "members" not in rows["bank-icbc"]  # a bank does not see other agencies' staff


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["leader", "analyst"])
def test_leadership_and_centres_also_see_each_agencys_members(demo, username):
    client = APIClient()
    client.force_authenticate(demo[username])
    response = client.get("/api/v1/agencies/", {"q": "bank-icbc"})
    assert response.status_code == 200
    row = next(r for r in response.data["results"] if r["code"] == "bank-icbc")
    assert {"bank_a", "bank_a_api"} <= {m["username"] for m in row["members"]}


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_any_cdn(demo, client):
    client.force_login(demo["analyst"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/me/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


@pytest.mark.django_db
def test_healthz_reports_database_and_redis(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["redis"] == ("ok" if settings.REDIS_URL else "not configured (embedded mode)")


@pytest.mark.django_db
def test_healthz_answers_503_when_redis_is_unreachable(client, settings):
    from core.redis_client import redis_client

    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    redis_client.cache_clear()
    try:
        response = client.get("/healthz")
    finally:
        redis_client.cache_clear()  # the next user builds the client for the real URL again
    assert response.status_code == 503
    assert response.json()["database"] == "ok" and response.json()["redis"].startswith("error: ")


def test_token_lookup_reads_user_agency_and_region_in_one_query(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token
    from rest_framework.exceptions import AuthenticationFailed

    from agencies.models import User
    from core.api.authentication import TokenAuthentication

    user = User.objects.select_related("agency__region").get(username="analyst")
    key = Token.objects.get_or_create(user=user)[0].key
    # One statement, and the agency needs no query of its own; then none (the cache).
    for expected_queries in (1, 0):
        with CaptureQueriesContext(connection) as q:
            found, _token = TokenAuthentication().authenticate_credentials(key)
            assert found.agency.region.code == user.agency.region.code
        assert len(q.captured_queries) == expected_queries  # a plain ORM query (select_related)
    # A user disabled in the product is refused by the very next call, cache or not.
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(key)
