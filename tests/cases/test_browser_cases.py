"""In a real browser against the ASGI server: an officer files a case through the form, an
analyst finds it at the top of the queue and opens its ring's graph."""

import re

import pytest

from .pages_support import build_world, make_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    return build_world()  # real password hashes: the server process logs these users in


@pytest.fixture
def earlier_case(world):
    # Built before the browser starts (the shared ``browser`` fixture runs Playwright's loop).
    return make_case(world, victim="先前受害人", indicators=[("phone", "13812345678", "calling_number")])


def test_officer_files_case_and_analyst_opens_its_ring_graph(earlier_case, asgi_server, page, login):
    earlier = earlier_case

    # The station officer files the report with two indicators.
    login(page, asgi_server, "officer")
    page.goto(asgi_server + "/cases/new/")
    page.fill("#id_occurred_at", "2024-05-01T14:30")
    page.select_option("#id_region", label="人民路街道")
    page.select_option("#id_typology", label="刷单返利")
    page.fill("#id_loss_amount", "23800")
    page.fill("#id_narrative", "兼职刷单，被要求垫付")
    page.fill("#id_victims-0-name", "浏览器受害人")
    page.fill("#id_victims-0-phone", "13600009999")
    page.select_option("#id_indicators-0-kind", "phone")
    page.fill("#id_indicators-0-value", "+86 138-1234-5678")  # the earlier case's number, written differently
    page.click('[data-testid="add-indicator"]')  # the form starts with one row
    page.select_option("#id_indicators-1-kind", "url")
    page.fill("#id_indicators-1-value", "http://pay.example-task.cn/x")
    page.select_option("#id_indicators-1-role", "phishing_url")
    page.click("[data-testid=submit-case]")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert page.locator("[data-testid=ring-link]").count() == 1  # it joined the earlier case's ring
    case_id = re.search(r"/cases/(\d+)/$", page.url).group(1)
    number = page.inner_text("[data-testid=page-title]").strip()

    # The analyst sees it in the queue and opens its ring.
    page.context.clear_cookies()
    login(page, asgi_server, "analyst")
    page.goto(asgi_server + "/cases/")
    row = page.locator('#queue-rows tr[data-case-id="%s"]' % case_id)
    row.wait_for()
    assert number in row.inner_text()
    assert "2" in row.locator("[data-testid=ring-badge]").inner_text()
    row.locator("[data-testid=ring-badge]").click()
    page.wait_for_url(re.compile(r"/cases/rings/\d+/$"))
    page.wait_for_selector("#ring-graph[data-ready=true]")
    nodes = page.evaluate("window.ringGraph.nodes().map(n => n.data('label'))")
    assert number in nodes and earlier.number in nodes
    assert page.evaluate("window.ringGraph.edges().length") >= 3

    # On the case page the victim's phone is masked until revealed (htmx, audited).
    page.goto(asgi_server + "/cases/%s/" % case_id)
    assert "13600009999" not in page.inner_text("main")
    page.click("[data-testid=reveal-phone]")
    page.wait_for_selector("[data-revealed]")
    assert "13600009999" in page.inner_text("[data-testid=victims]")

    # The queue works from the keyboard: / focuses the search, j selects, Enter opens.
    page.goto(asgi_server + "/cases/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "queue-search"
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    first = page.locator("#queue-rows tr.table-active").get_attribute("data-case-id")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/%s/$" % first))
