"""The list pages on a phone (390 px): no page scrolls sideways, and the wide tables keep each
cell on one line and scroll inside themselves. Squeezed to the screen, their columns broke
Chinese names and labels after every character ("农/业/银/行"), and the publicity filters' inputs,
without Bootstrap's class, kept the browser's width and pushed the page sideways."""

import pytest

from tests.conftest import seed_demo_world
from tests.phone_layout import sideways_scroll, wrapped_cells

pytestmark = pytest.mark.django_db(transaction=True)

# Each page the agency admin of the centre opens, and the tables it must show.
PAGES = {
    "/agencies/": 1,
    "/agencies/console/": 2,
    "/audit/": 1,
    "/requests/board/": 1,
    "/dashboard/hotspots/": 2,
    "/cases/benign/": 2,
    "/cases/rings/{ring}/": 2,
    "/publicity/campaigns/": 0,
    "/publicity/outreach/": 0,
    "/publicity/targeting/": 2,
}


def test_list_pages_fit_a_phone_and_their_tables_keep_each_cell_on_one_line(transactional_db, asgi_server,
                                                                            new_page, login):
    from cases.models import Ring

    seed_demo_world()
    ring = Ring.objects.order_by("pk").first()
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, asgi_server, "centre_admin")
    for path, tables in PAGES.items():
        path = path.format(ring=ring.pk)
        response = page.goto(asgi_server + path)
        assert response.status == 200, path
        assert sideways_scroll(page) <= 0, path
        nowrap = page.locator("table.table-nowrap-sm")
        assert nowrap.count() == tables, path
        for i in range(tables):
            assert wrapped_cells(nowrap.nth(i)) == [], (path, i)
    # The ring's legend row wraps before its button's label does.
    page.goto(asgi_server + "/cases/rings/%d/" % ring.pk)
    assert wrapped_cells(page.locator('[data-testid="ring-cluster"]').locator("xpath=..")) == []
