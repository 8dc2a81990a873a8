"""The dashboard as the office presents it: desktop and a 390 px phone, 万元 figures, every chart
label, the tile map, no sideways scrolling; the printed weekly report on A4."""

import pytest

from .conftest import build_world

MARCH = "from=2025-03-01&to=2025-03-31"
OVERFLOW = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
SHOTS = "/tmp/fraudgov-dashboard-shots"


@pytest.fixture
def world(transactional_db, settings):
    settings.DASHBOARDS_REFRESH_ON_COMMIT = False
    return build_world()


def _svg_texts(page, chart_id):
    return page.locator("#%s svg text" % chart_id).all_text_contents()


@pytest.mark.parametrize("width", [1280, 390])
def test_dashboard_reads_in_wan_yuan_with_every_label_and_no_sideways_scroll(world, asgi_server, new_page, login, width):
    import os

    from playwright.sync_api import expect

    page = new_page(viewport={"width": width, "height": 900})
    login(page, asgi_server, "leader")
    page.goto(asgi_server + "/dashboard/?" + MARCH)
    loss = page.get_by_test_id("fig-loss").locator("[data-money] .money")
    expect(loss).to_have_text("3.60 万元")
    expect(loss).to_have_attribute("title", "36,000.00 元")  # the exact yuan on hover
    expect(page.get_by_test_id("fig-stopped").locator("[data-money] .money")).to_have_text("0.80 万元")
    # One case the month before: no "▲300%" over it, a dash and a note.
    expect(page.get_by_test_id("fig-cases").get_by_test_id("change-none").first).to_have_text("—")
    expect(page.get_by_test_id("fig-cases")).to_contain_text("基数过小")
    # The children table's money column is in 万元 too, exact on hover.
    cell = page.get_by_test_id("children-table").locator("tbody tr", has_text="东城区").locator(".money")
    expect(cell).to_have_text("3.50")
    expect(cell).to_have_attribute("title", "35,000.00 元")
    # The tile map: every county a tile, coloured by its rate.
    expect(page.get_by_test_id("tile-map").locator(".tile")).to_have_count(page.get_by_test_id("children-table")
                                                                          .locator("tbody tr").count())
    expect(page.get_by_test_id("tile-340402")).to_contain_text("东城区")
    # Charts: every age band labelled, typologies in a legend, money axis in 万元.
    expect(page.locator("#chart-ages svg")).to_have_count(1)
    ages = _svg_texts(page, "chart-ages")
    for band in ("18岁以下", "18-34岁", "35-59岁", "60岁及以上", "年龄不详"):
        assert any(band in t or t in band and t for t in ages if t.strip()), (band, ages)
    assert "60岁及以上" in "".join(ages)
    typologies = "".join(_svg_texts(page, "chart-typology"))
    assert "刷单返利" in typologies and "…" not in typologies
    assert "万元" in "".join(_svg_texts(page, "chart-money"))
    assert "万元" in "".join(_svg_texts(page, "chart-trend"))
    scroll, client = page.evaluate(OVERFLOW)
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path="%s/dashboard-%d.png" % (SHOTS, width), full_page=True)
    assert scroll <= client, "the page scrolls sideways at %d px: %d > %d" % (width, scroll, client)


def test_default_period_is_the_last_30_days_with_the_other_presets(world, asgi_server, new_page, login):
    from datetime import timedelta

    from django.utils import timezone
    from playwright.sync_api import expect

    page = new_page(viewport={"width": 1280, "height": 900})
    login(page, asgi_server, "leader")
    page.goto(asgi_server + "/dashboard/")
    expect(page.get_by_test_id("preset-30d")).to_have_class("btn btn-sm btn-outline-primary active")
    today = timezone.localdate()
    expect(page.locator("#dash-from")).to_have_value((today - timedelta(days=29)).isoformat())
    expect(page.locator("#dash-to")).to_have_value(today.isoformat())
    page.get_by_test_id("preset-quarter").click()
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    expect(page.locator("#dash-from")).to_have_value(quarter_start.isoformat())
    page.get_by_test_id("preset-year").click()
    expect(page.locator("#dash-from")).to_have_value(today.replace(month=1, day=1).isoformat())


def test_printed_weekly_report_fits_a4_with_figures_league_and_hot_spots(world, asgi_server, new_page, login):
    import re

    page = new_page(viewport={"width": 1280, "height": 900})
    login(page, asgi_server, "leader")
    page.goto(asgi_server + "/dashboard/report/?" + MARCH)
    page.wait_for_selector("#chart-trend svg")
    page.emulate_media(media="print")
    # A4 at 96 dpi is 794 px wide; less the 2 x 11 mm margins, 711 px of content: nothing wider.
    page.set_viewport_size({"width": 711, "height": 1000})
    page.wait_for_timeout(300)  # the charts resize on the viewport change
    scroll, client = page.evaluate(OVERFLOW)
    wide = page.evaluate("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 712).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)")
    assert scroll <= client, (scroll, client, wide)
    text = page.locator("main").inner_text()
    for expected in ("核心指标", "3.60 万元", "区域排名", "重点地区", "成员单位考核排名", "东城区"):
        assert expected in text, expected
    data = page.pdf(format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?![a-z])", data))
    boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data))
    assert 1 <= pages <= 3, pages  # figures + charts + regions + hot spots, then the league
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes), boxes  # A4 in points
