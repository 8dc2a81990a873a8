"""The league in a real browser: a tie shares its rank, an inactive bank reads "no data" and is
never ranked, a score opens the requests behind it."""

import pytest

from .conftest import build_world
from .test_league import add_tie


@pytest.fixture
def world(transactional_db, settings):
    settings.DASHBOARDS_REFRESH_ON_COMMIT = False
    w = build_world()
    add_tie(w)
    return w


@pytest.mark.parametrize("width", [1280, 390])
def test_league_with_a_tie_and_an_inactive_bank_drills_into_the_requests(world, asgi_server, new_page, login, width):
    from playwright.sync_api import expect

    page = new_page(viewport={"width": width, "height": 900})
    login(page, asgi_server, "leader")
    page.goto(asgi_server + "/dashboard/league/?period=2025-03")

    def row(code):
        return page.locator('tr[data-agency="%s"]' % code)

    expect(row("bank-icbc").locator("td").first).to_have_text("1")
    expect(row("bank-abc").locator("td").first).to_have_text("2")
    expect(row("bank-ccb").locator("td").first).to_have_text("2")  # the tie shares the rank
    expect(row("bank-abc").get_by_test_id("score")).to_have_text("33.33")
    expect(row("bank-ccb").get_by_test_id("score")).to_have_text("33.33")
    expect(row("bank-cmb").locator("td").first).to_have_text("—")  # no activity: no rank ...
    expect(row("bank-cmb").get_by_test_id("score")).to_have_text("无考核数据")  # ... and "no data"
    expect(row("ps-hubin").get_by_test_id("score")).to_have_text("无考核数据")
    expect(page.get_by_test_id("region-league").locator("tbody tr").first).to_contain_text("东城区")
    scroll, client = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, (width, scroll, client)

    row("bank-icbc").get_by_test_id("score").get_by_role("link").click()
    expect(page.get_by_test_id("indicators-table").locator("tr[data-indicator=money_held]")).to_contain_text("0.80 万元")
    page.get_by_test_id("drill-ack_in_time").click()
    expect(page.get_by_test_id("items-summary")).to_contain_text("共 2 项")
    rows = page.get_by_test_id("items-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-counts", "0")  # the late acknowledgement first
    expect(rows.first).to_contain_text("RQT2")
