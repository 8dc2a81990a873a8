"""API tokens expire, can be revoked (by their user or the user's agency admin), and go with a
password change or a disabled user."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def _with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + key)
    return client


def _issue(username, settings):
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": settings.DEMO_PASSWORD},
                                format="json")
    assert response.status_code == 200, response.content
    return response.data


@pytest.mark.django_db
def test_an_expired_token_gets_401_saying_so_and_the_endpoint_issues_a_new_one(demo, settings):
    settings.API_TOKEN_TTL_HOURS = 1
    issued = _issue("bank_a_api", settings)
    assert _with_token(issued["token"]).get("/api/v1/me/").status_code == 200
    assert _issue("bank_a_api", settings)["token"] == issued["token"]  # still valid: the same one
    # An hour later (the token was issued and cached an hour ago).
    later = timezone.now() + timedelta(hours=1, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = _with_token(issued["token"]).get("/api/v1/me/")
    assert response.status_code == 401 and "过期" in response.data["detail"]
    Token.objects.filter(key=issued["token"]).update(created=timezone.now() - timedelta(hours=1, seconds=1))
    renewed = _issue("bank_a_api", settings)
    assert renewed["token"] != issued["token"]
    assert _with_token(renewed["token"]).get("/api/v1/me/").status_code == 200


@pytest.mark.django_db
def test_a_user_revokes_their_own_token(demo, settings):
    key = _issue("bank_a_api", settings)["token"]
    response = _with_token(key).post("/api/v1/auth/token/revoke/", {}, format="json")
    assert response.status_code == 200 and response.data == {"username": "bank_a_api", "revoked": True}
    assert _with_token(key).get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_an_agency_admin_revokes_their_users_token_but_not_another_agencys(demo, settings, api):
    own = _issue("analyst", settings)["token"]  # the city centre, as centre_admin
    foreign = _issue("bank_a_api", settings)["token"]
    admin = api(demo["centre_admin"])
    assert admin.post("/api/v1/auth/token/revoke/", {"username": "analyst"}, format="json").status_code == 200
    assert _with_token(own).get("/api/v1/me/").status_code == 401
    assert admin.post("/api/v1/auth/token/revoke/", {"username": "bank_a_api"}, format="json").status_code == 404
    assert _with_token(foreign).get("/api/v1/me/").status_code == 200
    # A user who is not an admin revokes only their own.
    officer = api(demo["supervisor"])
    assert officer.post("/api/v1/auth/token/revoke/", {"username": "centre_admin"}, format="json").status_code == 404


@pytest.mark.django_db
def test_a_password_change_revokes_the_token(demo, settings):
    key = _issue("bank_a_api", settings)["token"]
    user = demo["bank_a_api"]
    user.set_password("another-pass-2025")
    user.save()
    assert _with_token(key).get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_the_password_change_page_revokes_the_token(demo, settings, client):
    key = _issue("officer", settings)["token"]
    demo["officer"].refresh_from_db()  # logging in for the token re-hashed the password (MD5 in tests)
    client.force_login(demo["officer"])
    response = client.post("/accounts/password/", {"old_password": settings.DEMO_PASSWORD,
                                                   "new_password1": "Zq9-new-pass-2025", "new_password2": "Zq9-new-pass-2025"})
    assert response.status_code == 302
    assert not Token.objects.filter(key=key).exists()


@pytest.mark.django_db
def test_disabling_a_user_revokes_the_token(demo, settings):
    key = _issue("bank_b", settings)["token"]
    user = demo["bank_b"]
    user.is_active = False
    user.save()
    assert not Token.objects.filter(key=key).exists()
    assert _with_token(key).get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_a_login_hash_upgrade_is_not_a_password_change(demo, settings):
    key = _issue("bank_a_api", settings)["token"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    _issue("bank_a_api", settings)  # checks the MD5 hash and upgrades it
    assert Token.objects.filter(key=key).exists()


@pytest.mark.django_db
def test_an_agency_admin_revokes_tokens_in_the_console_for_own_users_only(demo, settings, client):
    own = _issue("analyst", settings)["token"]
    foreign = _issue("bank_a_api", settings)["token"]
    client.force_login(demo["centre_admin"])
    # "Force logout" in the console ends the user's sessions and revokes their token.
    assert client.post(f"/agencies/console/users/{demo['analyst'].pk}/", {"action": "logout"}).status_code == 302
    assert client.post(f"/agencies/console/users/{demo['bank_a_api'].pk}/", {"action": "logout"}).status_code == 404
    assert not Token.objects.filter(key=own).exists()
    assert Token.objects.filter(key=foreign).exists()  # another agency's user: untouched
