"""The queue from the keyboard, in a real browser against the ASGI server: j/k move, x ticks
a case for a bulk action, a assigns the selected case to me, Enter opens it; chips narrow and
widen the list; a duplicate merged from its page redirects from its old address."""

import re

import pytest

from cases.models import Case

from .pages_support import build_world, make_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    return build_world()  # real password hashes: the server process logs these users in


@pytest.fixture
def cases(world):
    return [make_case(world, victim="键盘%d" % i, loss="%d.00" % (90000 - i * 1000)) for i in range(3)]


def test_analyst_works_the_queue_from_the_keyboard(cases, asgi_server, page, login):
    login(page, asgi_server, "analyst")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(asgi_server + "/cases/")
    page.wait_for_selector("#queue-rows tr[data-case-id]")
    ids = page.eval_on_selector_all("#queue-rows tr[data-case-id]", "rows => rows.map(r => r.dataset.caseId)")
    assert len(ids) == 3

    def selected():
        return page.locator("#queue-rows tr.table-active").get_attribute("data-case-id")

    page.keyboard.press("j")
    assert selected() == ids[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert selected() == ids[2]
    page.keyboard.press("k")
    assert selected() == ids[1]

    # x ticks the selected row for the bulk bar.
    page.keyboard.press("x")
    assert page.inner_text("[data-testid=bulk-count]") == "1"
    assert page.locator('#queue-rows tr[data-case-id="%s"] input.bulk-pick' % ids[1]).is_checked()

    # a assigns it to me; the rows are re-fetched and the tick and the selection survive.
    page.keyboard.press("a")
    row = '#queue-rows tr[data-case-id="%s"]' % ids[1]
    page.wait_for_function("sel => document.querySelector(sel) && document.querySelector(sel).textContent.includes('李研判')", arg=row)
    assert Case.objects.get(pk=ids[1]).assigned_to.username == "analyst"
    assert Case.objects.get(pk=ids[0]).assigned_to_id is None
    assert page.locator(row + " input.bulk-pick").is_checked()
    assert selected() == ids[1]

    # The bulk bar shares the ticked case with the procuratorate.
    page.select_option("#bulk_agency", label="W市人民检察院")
    page.click("[data-testid=bulk-share]")
    page.wait_for_selector(".alert-success")
    assert "已将 1 起案件共享给 W市人民检察院" in page.inner_text("main")

    # Enter opens the selected case.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/%s/$" % ids[0]))

    # Chips: a status filter shows one chip; removing it widens the list again.
    page.goto(asgi_server + "/cases/?status=triaged")
    assert page.locator("#queue-rows tr[data-case-id]").count() == 0
    page.click("[data-testid=filter-chip]")
    page.wait_for_selector("#queue-rows tr[data-case-id]")
    assert page.locator("#queue-rows tr[data-case-id]").count() == 3


def test_analyst_merges_a_duplicate_and_its_address_leads_to_the_survivor(cases, asgi_server, page, login):
    keep, dup = cases[0], cases[1]
    login(page, asgi_server, "analyst")
    page.goto(asgi_server + "/cases/%d/" % dup.pk)
    page.fill("[data-testid=merge-survivor]", keep.number)
    page.click("[data-testid=merge-submit]")
    page.wait_for_url(re.compile(r"/cases/%d/$" % keep.pk))
    assert dup.number in page.inner_text("[data-testid=merged-cases]")
    page.goto(asgi_server + "/cases/%d/" % dup.pk)
    page.wait_for_url(re.compile(r"/cases/%d/$" % keep.pk))
    assert page.locator("[data-testid=victims] tbody tr").count() == 2
