"""Issue 21 §4, §5, §7 in Debian's headless chromium against the real ASGI server:
- the agency admin's console creates a user, who logs in, is disabled and can no longer log in;
- the audit log shows that change as a before/after line;
- the navigation fits one line at 1280 px in both languages."""

import pytest

from tests.console.english_crawl import JOURNEYS

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "Qz7!fraud-console"


@pytest.fixture
def seeded(transactional_db):
    from agencies.demo import seed_agencies

    seed_agencies()


def _try_login(page, base, username, password):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form:has(#id_username) button[type=submit]")
    page.wait_for_load_state("load")
    return "/accounts/login/" not in page.url


def test_console_creates_and_disables_a_user_who_then_cannot_log_in(seeded, asgi_server, new_page, login):
    from playwright.sync_api import expect

    admin = new_page()
    admin.on("dialog", lambda dialog: dialog.accept())  # "disable this user?"
    login(admin, asgi_server, "centre_admin")  # lands on the home page
    admin.get_by_role("link", name="单位管理").click()
    admin.get_by_test_id("user-new").click()
    form = admin.get_by_test_id("user-create-form")
    form.get_by_label("用户名").fill("zhang_new")
    form.get_by_label("姓名").fill("张新")
    form.get_by_label("角色").select_option("analyst")
    form.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("确认新密码").fill(NEW_PASSWORD)
    form.get_by_role("button", name="创建").click()
    expect(admin.get_by_test_id("page-title")).to_contain_text("zhang_new")

    # The new user logs in, and is working when the admin disables them.
    worker = new_page()
    assert _try_login(worker, asgi_server, "zhang_new", NEW_PASSWORD)
    worker.goto(asgi_server + "/cases/")
    expect(worker.get_by_test_id("whoami")).to_contain_text("zhang_new")

    admin.get_by_test_id("user-disable").click()
    expect(admin.get_by_test_id("user-disabled")).to_be_visible()

    # Their open session is over, and logging in again is refused.
    worker.goto(asgi_server + "/cases/")
    assert "/accounts/login/" in worker.url
    assert not _try_login(worker, asgi_server, "zhang_new", NEW_PASSWORD)
    expect(worker.locator("form:has(#id_username)")).to_be_visible()

    # The audit log shows who did it, to whom, with each field's before and after.
    admin.goto(asgi_server + "/audit/?object=zhang_new")
    entry = admin.get_by_test_id("audit-entry").filter(has=admin.locator("del.audit-before")).first
    expect(entry).to_contain_text("centre_admin")
    expect(entry.get_by_role("link", name="zhang_new")).to_be_visible()
    expect(entry.locator("del.audit-before")).to_have_text("是")
    expect(entry.locator("ins.audit-after")).to_have_text("否")
    created = admin.get_by_test_id("audit-entry").filter(has_text="创建").first
    expect(created.locator("ins.audit-after").first).to_be_visible()
    expect(admin.locator("body")).not_to_contain_text("{'")


def _nav_rows(page) -> int:
    """How many lines the navigation bar's visible contents take: items whose vertical centres
    lie within 12 px share a line. Every item must also end inside the window (no overflow)."""
    boxes = page.evaluate("""() => [...document.querySelectorAll(
            '.navbar-brand, #mainnav .nav-link, #mainnav .btn, #mainnav .navbar-text')]
        .filter(el => el.offsetParent !== null)
        .map(el => { const r = el.getBoundingClientRect(); return [el.textContent.trim(), r.top + r.height / 2, r.right, r.height]; })""")
    assert boxes
    for text, _middle, right, height in boxes:
        assert right <= 1280, "%r ends at %s px, beyond the window" % (text, right)
        assert height < 45, "%r wraps inside itself (%s px high)" % (text, height)
    middles = sorted(middle for _text, middle, _right, _height in boxes)
    return 1 + sum(1 for a, b in zip(middles, middles[1:]) if b - a > 12)


@pytest.mark.parametrize("username", ["leader", "centre_admin", "supervisor", "officer"])
def test_navigation_fits_one_line_at_1280_in_both_languages(seeded, asgi_server, new_page, login, username):
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, asgi_server, username)
    page.goto(asgi_server + "/agencies/")
    assert _nav_rows(page) == 1, "Chinese navigation wraps for %s" % username
    page.click("[data-testid=lang-switch]")
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert _nav_rows(page) == 1, "English navigation wraps for %s" % username
    nav_height = page.locator("nav.navbar").bounding_box()["height"]
    assert nav_height < 70, nav_height


@pytest.mark.parametrize("journey", JOURNEYS, ids=[username for username, _steps in JOURNEYS])
def test_english_mode_on_every_main_page_leaves_no_chinese_but_user_data(transactional_db, eager_celery, asgi_server,
                                                                          new_context, journey):
    """Crawl the main pages of each kind of member in English (tests/console/english_crawl.py):
    typologies, timeline lines, statuses, labels and messages are all English; the only Chinese
    left is what members typed (names of agencies, people, places, notes). One test per kind of
    member, so that the test processes share the crawl. The same crawl checks each page's
    Content-Security-Policy header and that chromium refused nothing under it."""
    from tests.conftest import seed_demo_world
    from tests.console.english_crawl import crawl, user_data_strings

    seed_demo_world()
    report = crawl(new_context, asgi_server, user_data_strings(), journeys=[journey])
    assert report == {}, "\n".join("%s: %s" % (where, " / ".join(found[:5])) for where, found in report.items())
