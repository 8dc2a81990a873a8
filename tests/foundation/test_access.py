"""Browser access: login lands each role on its page, logout, password change, CSRF, lock-out."""

import pytest
from django.test import Client

LANDINGS = {
    "analyst": "/cases/",
    "supervisor": "/cases/",
    "officer": "/cases/",
    "bank_a": "/requests/inbox/",
    "carrier_a": "/requests/inbox/",
    "platform_a": "/requests/inbox/",
    "grid_a": "/requests/tasks/",
    "leader": "/dashboard/",
    "publicity": "/publicity/",
    "prosecutor": "/cases/",
}


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.django_db
@pytest.mark.parametrize("username,landing", sorted(LANDINGS.items()))
def test_every_demo_role_lands_on_its_page_after_login(demo, settings, username, landing):
    client = Client()
    response = _login(client, username, settings.DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == landing
    assert client.get(landing).status_code == 200


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_logout_ends_the_session(demo, client):
    client.force_login(demo["analyst"])
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/agencies/").status_code == 302  # back to login


@pytest.mark.django_db
def test_password_change_then_new_password_logs_in(demo, settings):
    client = Client()
    client.force_login(demo["bank_b"])
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content
    response = client.post(
        "/accounts/password/",
        {"old_password": settings.DEMO_PASSWORD, "new_password1": "Lv-shui-7731-qiao", "new_password2": "Lv-shui-7731-qiao"},
    )
    assert response.status_code == 302
    assert _login(Client(), "bank_b", "Lv-shui-7731-qiao").status_code == 302


@pytest.mark.django_db
def test_forms_without_csrf_token_are_refused(demo, settings):
    client = Client(enforce_csrf_checks=True)
    assert _login(client, "analyst", settings.DEMO_PASSWORD).status_code == 403
    client.force_login(demo["analyst"])
    assert client.post("/i18n/setlang/", {"language": "en"}).status_code == 403
    assert client.post("/accounts/logout/").status_code == 403


@pytest.mark.django_db
def test_every_form_on_the_login_and_landing_pages_carries_a_csrf_token(demo, client):
    page = client.get("/accounts/login/")
    assert page.content.count(b"<form") == page.content.count(b"csrfmiddlewaretoken")
    client.force_login(demo["analyst"])
    page = client.get("/agencies/")
    assert page.content.count(b'method="post"') <= page.content.count(b"csrfmiddlewaretoken")


@pytest.mark.django_db
def test_login_form_locks_out_after_failure_limit(demo, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "officer", "wrong-password")
    response = _login(client, "officer", settings.DEMO_PASSWORD)  # right password, still locked
    assert response.status_code in (403, 429)
    assert "锁定".encode() in response.content


@pytest.mark.django_db
def test_session_renews_on_each_request_and_idles_out(demo, settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    client.force_login(demo["analyst"])
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=60))
    client.get("/agencies/")  # any request pushes the idle deadline out again
    session = Session.objects.get()
    assert session.expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    Session.objects.update(expire_date=timezone.now())  # the idle time has run out
    assert client.get("/agencies/").status_code == 302


@pytest.mark.django_db
def test_a_page_reads_the_user_with_agency_and_region_in_one_query(demo):
    """The session's user comes with its agency and region (agencies.backends): no page request
    reads them one by one, and a refused page needs no more than the session and the user."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(demo["bank_a"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/").status_code == 403
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 2, reads  # the session, the user with agency and region
    assert '"agencies_agency"' in reads[1] and '"agencies_region"' in reads[1]


@pytest.mark.django_db
def test_language_switch_sticks_across_pages(demo):
    client = Client()
    client.force_login(demo["analyst"])
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/agencies/"})
    assert response.status_code == 302 and response["Location"] == "/agencies/"
    page = client.get("/agencies/")
    assert b'lang="en"' in page.content and b"Member agencies" in page.content
    assert b'lang="en"' in client.get("/accounts/password/").content
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/agencies/"})
    assert "成员单位".encode() in client.get("/agencies/").content
