"""The leader's journey in a real browser against the real ASGI server."""

import re

import pytest

from .conftest import _case, at, build_world

MARCH = "from=2025-03-01&to=2025-03-31"


@pytest.fixture
def world(transactional_db, settings):
    settings.DASHBOARDS_REFRESH_ON_COMMIT = False
    return build_world()


def test_leader_reads_the_dashboard_drills_down_and_opens_the_list_behind_a_figure(world, asgi_server, page, login):
    from playwright.sync_api import expect

    from dashboards.rollups import refresh_dirty

    login(page, asgi_server, "leader")
    page.goto(asgi_server + "/dashboard/?" + MARCH)
    expect(page.get_by_test_id("fig-cases").locator(".fs-3")).to_have_text("4")
    expect(page.get_by_test_id("fig-overdue").locator(".fs-3")).to_have_text("1")
    expect(page.locator("#chart-trend svg")).to_have_count(1)  # SVG renderer: crisp in print, text a test can read

    # A case reported in March arrives: the beat refresh recomputes the day, the page updates live.
    page.wait_for_selector("body[data-live-state=ready]", state="attached")  # the socket said "ready"
    _case(world, 20, by="officer", region="340402001002", typology="brushing", loss="700", reported=at(2025, 3, 20), age=33)
    refresh_dirty()
    expect(page.get_by_test_id("fig-cases").locator(".fs-3")).to_have_text("5", timeout=15000)

    page.get_by_test_id("drill-340402").click()
    expect(page.get_by_test_id("region-name")).to_have_text("东城区")
    expect(page.get_by_test_id("fig-cases").locator(".fs-3")).to_have_text("4")
    expect(page.get_by_test_id("region-breadcrumb")).to_contain_text("W市")

    page.get_by_test_id("fig-cases").click()
    expect(page).to_have_url(re.compile(r"/cases/\?region=%d&date_from=2025-03-01" % world.regions["340402"].pk))
    expect(page.get_by_test_id("queue-table").locator("tbody tr")).to_have_count(4)
