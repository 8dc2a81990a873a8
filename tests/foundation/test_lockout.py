"""Brute force: the lock-out keys on the account, client addresses come only from trusted
proxies, and a forged X-Forwarded-For neither spreads the attempts nor unlocks anyone."""

import json
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from core.addresses import client_ip


@pytest.fixture(autouse=True)
def _fresh_budgets():
    cache.clear()  # the per-address login budget lives in the (test) Redis cache
    yield
    cache.clear()


def _forged(n: int) -> str:
    return "198.51.%d.%d" % (n // 250, n % 250 + 1)


def _form_login(client, username, password, forged):
    return client.post("/accounts/login/", {"username": username, "password": password},
                       HTTP_X_FORWARDED_FOR=forged)


def _token(client, username, password, forged, remote="127.0.0.1"):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json",
                       HTTP_X_FORWARDED_FOR=forged, REMOTE_ADDR=remote)


@pytest.mark.django_db
def test_thirty_wrong_passwords_from_forged_addresses_lock_bank_c_at_the_login_form(demo, settings):
    settings.LOGIN_RATE_PER_ADDRESS = "1000/min"  # the lock-out, not the budget, is under test
    client = Client()
    answers = [_form_login(client, "bank_c", "wrong-password", _forged(n)).status_code for n in range(30)]
    assert answers[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(answers[settings.AXES_FAILURE_LIMIT:]) == {429}
    response = _form_login(client, "bank_c", settings.DEMO_PASSWORD, "203.0.113.77")  # yet another header
    assert response.status_code == 429 and "锁定".encode() in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_thirty_wrong_passwords_from_forged_addresses_lock_bank_c_at_the_token_endpoint(demo, settings):
    settings.LOGIN_RATE_PER_ADDRESS = "1000/min"
    client = APIClient()
    answers = [_token(client, "bank_c", "nope", _forged(n)).status_code for n in range(30)]
    assert answers.count(400) == settings.AXES_FAILURE_LIMIT - 1 and answers[-1] == 429
    for forged in ("203.0.113.77", "127.0.0.1", ""):
        response = _token(client, "bank_c", settings.DEMO_PASSWORD, forged)
        assert response.status_code == 429 and "token" not in response.data and "锁定" in response.data["detail"]
    # Another real address does not help either: the lock is on the account.
    assert _token(client, "bank_c", settings.DEMO_PASSWORD, "", remote="192.0.2.10").status_code == 429


@pytest.mark.django_db
def test_a_colleague_behind_the_same_gateway_is_not_locked_out(demo, settings):
    client = APIClient()
    for n in range(settings.AXES_FAILURE_LIMIT):
        _token(client, "bank_c", "nope", _forged(n))
    assert _token(client, "bank_c", settings.DEMO_PASSWORD, "").status_code == 429
    assert _token(client, "bank_a_api", settings.DEMO_PASSWORD, "").status_code == 200


@pytest.mark.django_db
def test_the_per_address_login_budget_is_not_renewed_by_a_forged_header(demo, settings):
    settings.LOGIN_RATE_PER_ADDRESS = "3/min"
    client = APIClient()
    users = ["bank_a", "bank_b", "carrier_a"]  # one wrong password each: no account is locked
    assert [_token(client, u, "nope", _forged(n)).status_code for n, u in enumerate(users)] == [400] * 3
    assert _token(client, "grid_a", "nope", _forged(9)).status_code == 429
    assert _form_login(Client(), "grid_a", "nope", _forged(10)).status_code == 429
    # Another client address has a budget of its own.
    assert _token(client, "grid_a", "nope", "", remote="192.0.2.10").status_code == 400


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(settings):
    factory = RequestFactory()
    forged = factory.get("/", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="6.6.6.6")
    settings.TRUSTED_PROXIES = []
    assert client_ip(forged) == "192.0.2.7"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    assert client_ip(forged) == "192.0.2.7"  # not from a proxy of ours
    via_proxies = factory.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 10.9.9.9")
    assert client_ip(via_proxies) == "203.0.113.9"  # what the client wrote left of it is ignored
    garbage = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>, 10.0.0.1")
    assert client_ip(garbage) == "10.0.0.1"
    assert client_ip(factory.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"


def test_the_real_server_does_not_take_the_client_address_from_a_forged_header(asgi_server, settings):
    """uvicorn rewrites the peer from X-Forwarded-For for connections from 127.0.0.1 unless it is
    started with --no-proxy-headers: the probe's bypass. Through the real server, then."""
    from agencies.demo import seed_agencies

    seed_agencies()

    def token(password, forged):
        req = urllib.request.Request(
            asgi_server + "/api/v1/auth/token/", method="POST",
            data=json.dumps({"username": "bank_c", "password": password}).encode(),
            headers={"Content-Type": "application/json", "X-Forwarded-For": forged})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    answers = [token("nope", _forged(n))[0] for n in range(settings.AXES_FAILURE_LIMIT + 1)]
    assert answers[-1] == 429
    status, body = token(settings.DEMO_PASSWORD, "203.0.113.77")
    assert status == 429 and "token" not in body

    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
