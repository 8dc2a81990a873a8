"""Returns in a real browser, ASGI server and Celery worker: a frozen account holds a victim's
money; the centre's supervisor approves the split on the returns page; the holding bank finds the
return request in its inbox, acknowledges it, is refused (in its language, keeping what it
typed) when it reports more than the instalment, then reports a partial return; the returns page
shows the outstanding rest and the case page the victim's recovered total."""

from contextlib import nullcontext
from decimal import Decimal

import pytest

from .pages_support import ABC_ACCOUNT

pytestmark = pytest.mark.real_worker


class _World:
    """What the data helpers need (users, regions, a commit capture): here every statement
    commits, and the real worker delivers."""

    def __init__(self):
        from agencies.models import Region, User

        self.users = {u.username: u for u in User.objects.select_related("agency")}
        self.regions = {r.code: r for r in Region.objects.all()}

    @staticmethod
    def run(fn, **kwargs):
        return fn(**kwargs)

    @staticmethod
    def capture(execute=True):
        return nullcontext()


def _live(page):
    page.wait_for_selector("body[data-live-state=ready]", state="attached")
    page.evaluate("window.__noReload = true")


def _delivered(req):
    from alerts.delivery import request_deliver

    return request_deliver(request_id=req.pk)


def test_centre_approves_bank_returns_an_instalment_case_shows_recovered(asgi_server, celery_worker, new_page,
                                                                         login, settings, tmp_path):
    from agencies.demo import seed_agencies
    from alerts.models import Request, ReturnProposal
    from alerts.services import requests_stop_all

    from .pages_support import make_case
    from .returns_support import freeze

    settings.MEDIA_ROOT = tmp_path
    seed_agencies()
    w = _World()
    case = make_case(w, account=ABC_ACCOUNT, phone="13800000041", loss="6000.00", paid=("6000.00",), victim="孙返还")
    for req in requests_stop_all(actor=w.users["analyst"], case=case):
        _delivered(req)
    frozen = freeze(w.run, w.users, case, held="6000.00")
    proposal = ReturnProposal.objects.get(request=frozen)
    base = asgi_server
    bank = new_page()
    login(bank, base, "bank_b")
    bank.goto(base + "/requests/inbox/")
    _live(bank)

    # --- the centre's supervisor approves the split
    supervisor = new_page()
    login(supervisor, base, "supervisor")
    supervisor.goto(base + "/requests/returns/")
    card = supervisor.locator('[data-proposal="%d"]' % proposal.pk)
    assert "孙返还" in card.inner_text() and "¥6,000.00" in card.inner_text()
    card.locator('[data-testid="approve"]').click()
    supervisor.wait_for_selector(".alert-success")
    assert "已批准" in supervisor.locator('[data-proposal="%d"] [data-testid="proposal-status"]' % proposal.pk).inner_text()
    ret = Request.objects.get(kind="fund_return", case=case)

    # --- the holding bank: the return request arrives in its inbox live (delivered by the worker)
    row = bank.locator('[data-testid="inbox-row"][data-number="%s"]' % ret.number)
    row.wait_for()
    assert bank.evaluate("window.__noReload === true")
    assert "¥6,000.00" in row.inner_text() and "资金返还" in row.inner_text()
    row.locator('[data-testid="ack"]').click()  # acknowledge and handle: straight to the result form
    bank.wait_for_selector('[data-testid="complete-form"]')
    assert "孙**" in bank.locator('[data-testid="return-victim"]').inner_text()
    assert "孙返还" not in bank.content()
    bank.fill("#id_amount_secured", "6500.00")
    bank.click('[data-testid="complete"]')
    bank.wait_for_selector('[data-testid="complete-errors"]')
    assert "不能大于本期应返还金额" in bank.content()
    assert bank.input_value("#id_amount_secured") == "6500.00"  # what was typed is kept
    bank.fill("#id_amount_secured", "4000.00")
    bank.click('[data-testid="complete"]')
    bank.wait_for_selector('[data-testid="request-status"]:has-text("已办结")')
    ret.refresh_from_db()
    assert ret.amount_secured == Decimal("4000.00")

    # --- the centre sees the rest outstanding, the case page the victim's recovered total
    supervisor.goto(base + "/requests/returns/")
    share = supervisor.locator('[data-proposal="%d"] [data-testid="share"]' % proposal.pk)
    assert "¥4,000.00" in share.locator('[data-testid="share-returned"]').inner_text()
    assert "¥2,000.00" in share.locator('[data-testid="share-outstanding"]').inner_text()
    assert share.locator('[data-testid="issue-rest"]').count() == 1
    supervisor.goto(base + "/cases/%d/" % case.pk)
    recovered = supervisor.locator('[data-testid="recovered-total"]')
    recovered.wait_for()
    assert "¥4,000.00" in recovered.inner_text()
    assert "¥2,000.00" in supervisor.locator('[data-testid="recovered-outstanding"]').inner_text()
    supervisor.set_viewport_size({"width": 390, "height": 844})
    supervisor.screenshot(path=str(tmp_path / "case-recovered-390.png"), full_page=True)
