"""The money trail in a real browser, ASGI server and Celery worker: the analyst enters a case
with 3 transactions to accounts at 2 banks and stops all; bank_a holds part and reports 2
onward transfers (one to a bank_b account); bank_b's inbox (open all along) shows the layer-2
request for exactly that amount and holds it; the analyst's money tree shows every total live,
without a reload. Screenshots at 1280 px and 390 px go to the pytest tmp dir."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.phone_layout import sideways_scroll, wrapped_cells

from .pages_support import ABC_ACCOUNT, ICBC_ACCOUNT

pytestmark = pytest.mark.real_worker

ABC_LAYER2 = "6228450000777766665"  # bank-abc (prefix 622845): where bank_a says money went
CCB_LAYER2 = "6217000000123412345"  # bank-ccb


def _live(page):
    page.wait_for_selector("body[data-live-state=ready]", state="attached")
    page.evaluate("window.__noReload = true")


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _transaction(page, i, at, amount, account, bank, ref):
    page.fill("#id_transactions-%d-occurred_at" % i, at)
    page.fill("#id_transactions-%d-amount" % i, amount)
    page.fill("#id_transactions-%d-payer_account" % i, "6222600011112222333")
    page.fill("#id_transactions-%d-payee_account" % i, account)
    page.fill("#id_transactions-%d-payee_institution" % i, bank)
    page.fill("#id_transactions-%d-reference" % i, ref)


def _handle(bank, number):
    row = bank.locator('[data-testid="inbox-row"][data-number="%s"]' % number)
    row.wait_for()
    row.locator('[data-testid="ack"]').click()  # acknowledge and handle: straight to the result form
    bank.wait_for_selector('[data-testid="complete-form"]')


def test_stop_all_follows_the_money_to_layer_two_live(asgi_server, celery_worker, new_page, login, tmp_path):
    from agencies.demo import seed_agencies
    from alerts.models import Request
    from cases.models import Case, Typology

    seed_agencies()
    Typology.objects.get_or_create(code="brushing", defaults={"name": "刷单返利"})
    base = asgi_server
    now = timezone.now()

    banks = {}
    for user in ("bank_a", "bank_b"):
        banks[user] = new_page()
        login(banks[user], base, user)
        banks[user].goto(base + "/requests/inbox/")
        _live(banks[user])

    # --- the analyst enters the case: one victim, no indicator, three payments
    analyst = new_page()
    login(analyst, base, "analyst")
    analyst.goto(base + "/cases/new/")
    analyst.fill("#id_occurred_at", _local(now - timedelta(hours=1)))
    analyst.select_option("#id_typology", label="刷单返利")
    analyst.fill("#id_victims-0-name", "钱受害")
    analyst.click('[data-testid="remove-indicator"]')  # a case may have no indicator at all
    analyst.click('[data-testid="add-transaction"]')
    analyst.click('[data-testid="add-transaction"]')
    _transaction(analyst, 0, _local(now - timedelta(minutes=50)), "3000.00", ICBC_ACCOUNT, "工商银行", "T-1")
    _transaction(analyst, 1, _local(now - timedelta(minutes=45)), "2000.00", ICBC_ACCOUNT, "工商银行", "T-2")
    _transaction(analyst, 2, _local(now - timedelta(minutes=40)), "4000.00", ABC_ACCOUNT, "农业银行", "T-3")
    analyst.set_viewport_size({"width": 1280, "height": 900})
    analyst.screenshot(path=str(tmp_path / "intake-1280.png"), full_page=True)
    analyst.click('[data-testid="submit-case"]')
    analyst.wait_for_selector('[data-testid="transactions"]')
    case = Case.objects.get(victims__name="钱受害")
    assert case.loss_amount == Decimal("9000.00") and case.transactions.count() == 3

    # --- stop all: one confirmation, one request per account for what reached it
    analyst.click('[data-testid="stop-all"]')
    table = analyst.locator('[data-testid="stop-all-table"]')
    icbc_row = table.locator('[data-account="%s"]' % ICBC_ACCOUNT)
    assert "¥5,000.00" in icbc_row.inner_text() and "工商银行" in icbc_row.inner_text()
    assert "¥4,000.00" in table.locator('[data-account="%s"]' % ABC_ACCOUNT).inner_text()
    analyst.screenshot(path=str(tmp_path / "stop-all-1280.png"), full_page=True)
    analyst.click('[data-testid="stop-all-confirm"]')
    analyst.wait_for_selector(".alert-success")
    _live(analyst)
    first = {r.target_value: r for r in Request.objects.filter(case=case)}
    assert (first[ICBC_ACCOUNT].amount, first[ABC_ACCOUNT].amount) == (Decimal("5000.00"), Decimal("4000.00"))

    # --- bank_a: holds 1000 and reports 2 onward transfers, one to bank_b's prefix
    bank_a = banks["bank_a"]
    _handle(bank_a, first[ICBC_ACCOUNT].number)
    assert "T-1" in bank_a.locator('[data-testid="covered-transactions"]').inner_text()
    bank_a.select_option("#id_disposition", "partly_held")
    bank_a.fill("#id_amount_secured", "1000.00")
    bank_a.fill("#id_balance", "1000.00")
    bank_a.fill("#id_onward-0-amount", "2500.00")
    bank_a.fill("#id_onward-0-transferred_at", _local(now - timedelta(minutes=30)))
    bank_a.fill("#id_onward-0-destination_account", ABC_LAYER2)
    bank_a.fill("#id_onward-0-destination_bank", "农业银行")
    bank_a.click('[data-testid="add-onward"]')
    bank_a.fill("#id_onward-1-amount", "1500.00")
    bank_a.fill("#id_onward-1-transferred_at", _local(now - timedelta(minutes=29)))
    bank_a.fill("#id_onward-1-destination_account", CCB_LAYER2)
    bank_a.fill("#id_onward-1-reference", "OUT-2")
    bank_a.set_viewport_size({"width": 390, "height": 844})
    bank_a.screenshot(path=str(tmp_path / "result-form-390.png"), full_page=True)
    bank_a.click('[data-testid="complete"]')
    bank_a.wait_for_selector('[data-testid="request-status"]:has-text("已办结")')

    # --- bank_b: the layer-2 request arrives live, for exactly what moved to its account
    bank_b = banks["bank_b"]
    layer2 = Request.objects.filter(case=case, target_value=ABC_LAYER2)
    row = bank_b.locator('[data-testid="inbox-row"]:has-text("%s")' % ABC_LAYER2)
    row.wait_for()
    assert "¥2,500.00" in row.inner_text()
    assert bank_b.evaluate("window.__noReload === true")
    req2 = layer2.get()
    assert req2.layer == 2 and req2.amount == Decimal("2500.00") and req2.target_agency.code == "bank-abc"
    _handle(bank_b, req2.number)
    assert "¥2,500.00" in bank_b.locator('[data-testid="request-amount"]').inner_text()
    bank_b.select_option("#id_disposition", "held")
    bank_b.fill("#id_amount_secured", "2500.00")
    bank_b.fill("#id_balance", "2600.00")
    bank_b.click('[data-testid="complete"]')
    bank_b.wait_for_selector('[data-testid="request-status"]:has-text("已办结")')
    assert "钱受害" not in bank_b.content()

    # --- the analyst's tree, live: layer 1 in 9000 / held 1000 / moved 4000; layer 2 held 2500
    tree = analyst.locator("#case-requests")
    tree.locator('[data-layer="2"] [data-testid="layer-held"]:has-text("¥2,500.00")').wait_for()
    tree.locator('[data-testid="total-held"]:has-text("¥3,500.00")').wait_for()
    one = tree.locator('[data-layer="1"] [data-testid="layer-totals"]').inner_text()
    assert "¥9,000.00" in one and "¥1,000.00" in one and "¥4,000.00" in one
    two = tree.locator('[data-layer="2"] [data-testid="layer-totals"]').inner_text()
    assert "¥4,000.00" in two  # 2500 + 1500 came into layer 2
    assert tree.locator('[data-testid="still-moving"]').count() >= 1  # the CCB account has not answered
    assert analyst.evaluate("window.__noReload === true")
    analyst.set_viewport_size({"width": 390, "height": 844})
    analyst.screenshot(path=str(tmp_path / "case-390.png"), full_page=True)
    # On a phone the case page never scrolls sideways (its wide tables scroll inside themselves).
    assert sideways_scroll(analyst) <= 0
    # ... and their cells keep to one line: a squeezed column broke Chinese text after every character.
    for table in ("victims", "transactions", "indicators", "case-requests"):
        wrapped = wrapped_cells(analyst.locator('[data-testid="%s"]' % table))
        assert wrapped == [], (table, wrapped)
    analyst.set_viewport_size({"width": 1280, "height": 900})
    analyst.goto(base + "/requests/case/%d/money/" % case.pk)
    analyst.screenshot(path=str(tmp_path / "tree-1280.png"), full_page=True)
    # bank_b's own tree: its two nodes, never bank_a's, never the victim
    bank_b.goto(base + "/requests/case/%d/money/" % case.pk)
    numbers = bank_b.locator('[data-testid="tree-node"]').evaluate_all("rows => rows.map(r => r.dataset.number)")
    assert sorted(numbers) == sorted([first[ABC_ACCOUNT].number, req2.number])
    assert "钱受害" not in bank_b.content()
    bank_b.set_viewport_size({"width": 390, "height": 844})
    bank_b.screenshot(path=str(tmp_path / "bank-tree-390.png"), full_page=True)
    print("screenshots in", tmp_path)
