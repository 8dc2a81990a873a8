"""The ring graph at more than a hundred cases, in a real browser: short labels that appear on
hover, traces clustered by kind, and the paths from one case highlighted."""

import pytest

from .pages_support import build_world, make_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def big_ring(transactional_db):
    w = build_world()
    # A chain of 110 cases: each shares a card with the next, every fifth a phone too.
    cases = []
    for k in range(110):
        indicators = [("account", "62220200%08d" % k, "receiving_account_l1"),
                      ("account", "62220200%08d" % (k + 1), "receiving_account_l2")]
        if k % 5 == 0:
            indicators.append(("phone", "1390000%04d" % (k // 25), "calling_number"))
        cases.append(make_case(w, victim="链%d" % k, victim_id="", victim_phone="", indicators=indicators))
    cases[0].refresh_from_db()
    return cases


def test_ring_graph_is_readable_at_110_cases(big_ring, asgi_server, page, login):
    first, far = big_ring[0], big_ring[60]
    assert first.ring.case_count == 110
    login(page, asgi_server, "analyst")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(asgi_server + "/cases/rings/%d/" % first.ring_id)
    page.wait_for_selector("#ring-graph[data-ready=true]", timeout=30000)
    js = "window.ringGraph"

    def emit(node_id, event):  # in a function: a returned collection would be serialised whole
        page.evaluate("() => { window.ringGraph.getElementById('%s').emit('%s'); }" % (node_id, event))

    assert page.evaluate(js + ".nodes('[type = \"case\"]').length") == 110
    node = "c%d" % far.pk
    # No label until hovered; then the full number.
    assert page.evaluate("%s.getElementById('%s').style('label')" % (js, node)) == ""
    emit(node, "mouseover")
    assert page.evaluate("%s.getElementById('%s').style('label')" % (js, node)) == far.number
    emit(node, "mouseout")

    # Paths from the first case: a tree reaching every other case; hovering one shows its path.
    emit("c%d" % first.pk, "tap")
    assert page.get_attribute("#ring-graph", "data-source") == "c%d" % first.pk
    tree = page.evaluate(js + ".edges('.tree').length")
    assert tree == page.evaluate(js + ".nodes().length") - 1  # a spanning tree of the connected ring
    emit(node, "mouseover")
    path = page.evaluate(js + ".nodes('.path').map(n => n.id())")
    assert {"c%d" % first.pk, node} <= set(path) and len(path) >= 3
    assert "→" in page.inner_text("#ring-selection")

    # Clustered by kind: one compound node per kind of trace (cards and phones), and back.
    page.click("[data-testid=ring-cluster]")
    page.wait_for_selector("#ring-graph[data-clustered=true]")
    clusters = sorted(page.evaluate(js + ".nodes('[type = \"cluster\"]').map(n => n.data('label'))"))
    assert clusters == sorted(["电话号码", "银行卡/账号"])
    assert page.evaluate(js + ".nodes('[type = \"indicator\"]').every(n => n.parent().nonempty())")
    page.click("[data-testid=ring-cluster]")
    page.wait_for_selector("#ring-graph[data-clustered=false]")
    assert page.evaluate(js + ".nodes('[type = \"cluster\"]').length") == 0
