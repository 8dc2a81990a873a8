"""The Content-Security-Policy holds in a real browser: every page's scripts and styles come
from /static/, so chromium refuses nothing, and the behaviours moved out of inline handlers
still work (confirm before a removal, a select that submits, the freeze form's indicator).
Swagger UI at /api/docs/ renders under the same policy."""

import pytest

from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_world, session_login
from tests.csp import strict, watch_refusals

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(transactional_db, settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS  # sessions are made here
    seed_demo_world()


# The pages the English crawl does not visit (tests/console/english_crawl.py checks the policy on
# every page it visits); {case} and {analyst} stand for the first case and the analyst.
JOURNEYS = {
    "analyst": ["/cases/lookup/"],
    "leader": ["/dashboard/report/"],
    "admin": ["/admin/", "/admin/agencies/user/", "/admin/agencies/user/{analyst}/change/",
              "/admin/agencies/routingkey/add/", "/api/docs/"],
    "centre_admin": ["/admin/agencies/user/{analyst}/change/", "/accounts/password/"],
}


@pytest.mark.parametrize("username", JOURNEYS)
def test_pages_load_under_the_policy_with_nothing_refused(seeded, asgi_server, new_page, username):
    """One test per kind of member, so that the test processes share the pages."""
    from cases.models import Case

    from agencies.models import User

    case = Case.objects.order_by("pk").first()
    analyst = User.objects.get(username="analyst")
    page = new_page()
    refused = watch_refusals(page)
    session_login(page, asgi_server, username)
    for path in JOURNEYS[username]:
        path = path.format(case=case.pk, analyst=analyst.pk)
        response = page.goto(asgi_server + path)
        assert response.status == 200, (username, path)
        assert strict(response.headers["content-security-policy"]), (username, path)
        # goto returned at the load event: every resource the page asked for was allowed or refused
    assert refused == [], (username, refused)
    page.context.close()


def test_swagger_ui_renders_under_the_policy(seeded, asgi_server, new_page):
    from playwright.sync_api import expect

    page = new_page()
    refused = watch_refusals(page)
    session_login(page, asgi_server, "bank_a_api")
    page.goto(asgi_server + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("fraudgov API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert refused == []


def test_moved_behaviours_still_work(seeded, asgi_server, new_page):
    from playwright.sync_api import expect

    page = new_page()
    refused = watch_refusals(page)
    session_login(page, asgi_server, "analyst")
    # Removing a benign value asks first; dismissing keeps it.
    page.goto(asgi_server + "/cases/benign/")
    rows = page.get_by_test_id("benign-row")
    before = rows.count()
    assert before > 0
    questions = []
    page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    rows.first.get_by_test_id("benign-remove").click()
    page.wait_for_timeout(300)
    assert questions and "白名单" in questions[0]
    page.reload()
    assert rows.count() == before
    # The case page's freeze link puts its account into the freeze form.
    from cases.models import Case

    case = Case.objects.filter(indicator_links__indicator__kind="account").order_by("pk").first()
    page.goto(asgi_server + "/cases/%d/" % case.pk)
    link = page.locator("[data-freeze-indicator]").first
    link.click()
    expect(page.locator("#freeze-indicator")).to_have_value(link.get_attribute("data-freeze-indicator"))
    # The leader's period select submits its form when changed.
    from datetime import date

    from dashboards.models import AssessmentPeriod

    AssessmentPeriod.objects.create(name="2024", start=date(2024, 1, 1), end=date(2024, 12, 31))
    session_login(page, asgi_server, "leader")
    page.goto(asgi_server + "/dashboard/league/")
    options = page.locator("#period-select option")
    assert options.count() > 1
    value = options.nth(1).get_attribute("value")
    page.select_option("#period-select", value)
    page.wait_for_url("**period=%s**" % value)
    assert refused == []
