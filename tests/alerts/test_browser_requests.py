"""One journey through a real browser, ASGI server and Celery worker: the analyst issues a
stop-payment from the case page, bank_a's inbox (opened before) shows it without reload, the
bank acknowledges and completes it with an onward transfer, and the analyst's case page shows
the completed state and the follow-on stop-payment at the next bank, also without reload."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.masking import mask_account

from .pages_support import ABC_ACCOUNT, ICBC_ACCOUNT, VICTIM_NAME, id_number

pytestmark = pytest.mark.real_worker


def _case():
    from agencies.models import User
    from cases.models import Typology
    from cases.services import case_create

    officer = User.objects.select_related("agency__region").get(username="officer")
    typology, _ = Typology.objects.get_or_create(code="brushing", defaults={"name": "刷单返利"})
    occurred = timezone.now() - timedelta(hours=1)
    return case_create(
        actor=officer, reporting_agency=officer.agency, region=officer.agency.region, typology=typology,
        occurred_at=occurred, reported_at=occurred, loss_amount=Decimal("8000.00"), payment_channel="bank_transfer",
        victims=[{"name": VICTIM_NAME, "id_number": id_number("34040219800101001"), "phone": "13900001111"}],
        indicators=[{"kind": "account", "value": ICBC_ACCOUNT}],
    )


def _live(page):
    """Wait until live.js has its socket up (it stores the last event id on 'ready')."""
    page.wait_for_selector("body[data-live-state=ready]", state="attached")
    page.evaluate("window.__noReload = true")


def test_stop_payment_reaches_bank_inbox_and_money_trail_comes_back_live(asgi_server, celery_worker, new_page, login):
    from agencies.demo import seed_agencies
    from alerts.models import Request

    seed_agencies()
    case = _case()
    base = asgi_server

    bank = new_page()
    login(bank, base, "bank_a")
    bank.goto(base + "/requests/inbox/")
    _live(bank)

    analyst = new_page()
    login(analyst, base, "analyst")
    analyst.goto(base + "/cases/%d/" % case.pk)
    # The case lists no transaction: the analyst types what reached the account.
    analyst.fill('[data-indicator="%s"] [data-testid="issue-amount"]' % ICBC_ACCOUNT, "8000.00")
    analyst.click('[data-indicator="%s"] [data-testid="issue-stop_payment"]' % ICBC_ACCOUNT)
    analyst.wait_for_selector(".alert-success")
    _live(analyst)
    number = Request.objects.get(case=case, parent__isnull=True).number

    row = bank.locator('[data-testid="inbox-row"][data-number="%s"]' % number)
    row.wait_for()
    assert bank.evaluate("window.__noReload === true")  # arrived live, the page was not reloaded
    assert case.number in row.inner_text() and VICTIM_NAME not in bank.content()
    bank.wait_for_selector('tr.row-new[data-number="%s"]' % number)  # highlighted as new
    row.locator('[data-testid="ack"]').click()  # acknowledge and handle: straight to the result form
    bank.wait_for_selector('[data-testid="complete-form"]')
    bank.fill("#id_amount_secured", "3000.00")
    bank.fill("#id_balance", "3000.00")
    bank.fill("#id_onward-0-amount", "5000.00")
    bank.fill("#id_onward-0-transferred_at", "2025-03-01T10:15")
    bank.fill("#id_onward-0-destination_account", ABC_ACCOUNT)
    bank.fill("#id_onward-0-destination_bank", "农业银行")
    bank.click('[data-testid="complete"]')
    bank.wait_for_selector('[data-testid="request-status"]:has-text("已办结")')

    panel = analyst.locator("#case-requests")
    panel.locator('[data-number="%s"] [data-testid="case-request-status"]:has-text("已办结")' % number).wait_for()
    follow = panel.locator('[data-testid="case-request-row"]:has-text("%s")' % ABC_ACCOUNT)
    follow.locator(':text("农业银行W市分行")').wait_for()  # routed by the worker to the next bank
    assert "已送达" in follow.inner_text() and "续查" in follow.inner_text()
    trail = analyst.locator('[data-testid="money-tree"]')
    assert mask_account(ICBC_ACCOUNT) in trail.inner_text() and mask_account(ABC_ACCOUNT) in trail.inner_text()
    assert analyst.evaluate("window.__noReload === true")
