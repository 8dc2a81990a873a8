"""End to end in Debian's headless chromium: log in, switch to English (it sticks), log out."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_switch_language_and_logout(asgi_server, page, login_form):
    from agencies.demo import seed_agencies

    seed_agencies()
    # An English browser still gets Chinese: the joint meeting's working language.
    page.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    login_form(page, asgi_server, "analyst")
    page.goto(asgi_server + "/agencies/")
    nav = page.locator("nav")
    assert "成员单位" in nav.inner_text()

    page.click("[data-testid=lang-switch]")
    page.wait_for_url(asgi_server + "/agencies/")
    assert "Member agencies" in nav.inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    # The choice sticks on the next page.
    page.goto(asgi_server + "/accounts/password/")
    assert "Change password" in page.locator("body").inner_text()

    page.click("[data-testid=logout]")
    page.wait_for_url("**/accounts/login/**")
    assert "Log in" in page.locator("body").inner_text()
    page.goto(asgi_server + "/agencies/")
    assert "/accounts/login/" in page.url
