"""The clerk's working day in a real browser (issue 19 §6), at desktop and at 390 px phone
width: acknowledging and completing a stop-payment takes at most 3 clicks plus typing the
amounts (counted: every trusted click on every page of the journey), and the other clerk of
the bank sees who holds it without reloading, then can only take it over explicitly."""

from decimal import Decimal

import pytest
from django.conf import settings

from .pages_support import id_number

# Every trusted click on any page of the context, kept across navigations.
COUNT_CLICKS = """
document.addEventListener("click", function (ev) {
  if (ev.isTrusted) sessionStorage.setItem("clicks", String(Number(sessionStorage.getItem("clicks") || 0) + 1));
}, true);
"""

ACCOUNT = "6222020200112233445"  # routes to bank-icbc (bank_a)


def _stop_payment():
    from datetime import timedelta

    from django.utils import timezone

    from agencies.models import User
    from alerts.services import request_create
    from cases.models import Typology
    from cases.services import case_create

    officer = User.objects.select_related("agency__region").get(username="officer")
    typology, _ = Typology.objects.get_or_create(code="brushing", defaults={"name": "刷单返利"})
    occurred = timezone.now() - timedelta(hours=1)
    case = case_create(
        actor=officer, reporting_agency=officer.agency, region=officer.agency.region, typology=typology,
        occurred_at=occurred, reported_at=occurred, loss_amount=Decimal("8000.00"), payment_channel="bank_transfer",
        victims=[{"name": "王受害", "id_number": id_number("34040219800101001"), "phone": "13900001111"}],
        indicators=[{"kind": "account", "value": ACCOUNT}],
    )
    req = request_create(issuer=User.objects.get(username="analyst"), kind="stop_payment", target_kind="account",
                         target_value=ACCOUNT, case=case, amount=Decimal("8000.00"))
    req.refresh_from_db()
    assert req.status == "delivered", req.routing_reason
    return req


def _live(page):
    page.wait_for_selector("body[data-live-state=ready]", state="attached")
    page.evaluate("window.__noReload = true")


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_acknowledge_and_complete_a_stop_payment_in_at_most_3_clicks(asgi_server, new_page, login, width, height):
    from agencies.choices import Role
    from agencies.demo import seed_agencies
    from agencies.models import Agency, User
    from alerts.models import Request

    seed_agencies()
    User.objects.create_user(username="bank_a2", password=settings.DEMO_PASSWORD, first_name="李柜员",
                             agency=Agency.objects.get(code="bank-icbc"), role=Role.OFFICER)
    req = _stop_payment()
    base = asgi_server

    other = new_page()
    login(other, base, "bank_a2")
    other.set_viewport_size({"width": width, "height": height})
    other.goto(base + "/requests/inbox/")
    _live(other)
    other.locator('[data-testid="inbox-row"][data-number="%s"]' % req.number).wait_for()

    clerk = new_page()
    clerk.add_init_script(COUNT_CLICKS)
    login(clerk, base, "bank_a")
    clerk.set_viewport_size({"width": width, "height": height})
    clerk.goto(base + "/requests/inbox/?q=" + req.number)  # the search box, as typed + Enter
    clerk.evaluate("sessionStorage.setItem('clicks', '0')")  # the login form's click is not the work
    # The page fits the phone: only the table scrolls sideways, never the page.
    assert clerk.evaluate("document.documentElement.scrollWidth") <= width + 1

    row = clerk.locator('[data-testid="inbox-row"][data-number="%s"]' % req.number)
    row.locator('[data-testid="ack"]').click()  # 1: acknowledge and handle (claims it)
    clerk.wait_for_selector('[data-testid="complete-form"]')
    assert clerk.evaluate("document.activeElement.id") == "id_amount_secured"  # ready to type
    clerk.keyboard.type("3000.00")
    clerk.keyboard.press("Tab")
    assert clerk.evaluate("document.activeElement.id") == "id_balance"
    clerk.keyboard.type("3000.00")
    clerk.click('[data-testid="complete"]')  # 2: complete
    clerk.wait_for_selector('[data-testid="request-status"]:has-text("已办结")')
    clicks = int(clerk.evaluate("sessionStorage.getItem('clicks')"))
    assert clicks <= 3, clicks
    done = Request.objects.get(pk=req.pk)
    assert done.status == "completed" and done.amount_secured == Decimal("3000.00")
    assert done.claimed_by.username == "bank_a" and done.acknowledged_by.username == "bank_a"

    # The other clerk's pending list drops the completed request live, without a reload.
    other.locator('[data-testid="inbox-row"][data-number="%s"]' % req.number).wait_for(state="detached")
    assert other.evaluate("window.__noReload === true")


def test_the_other_clerk_sees_the_holder_live_and_must_take_over(asgi_server, new_page, login):
    from agencies.choices import Role
    from agencies.demo import seed_agencies
    from agencies.models import Agency, User
    from alerts.models import Request
    from alerts.services import request_claim

    seed_agencies()
    clerk2 = User.objects.create_user(username="bank_a2", password=settings.DEMO_PASSWORD, first_name="李柜员",
                                      agency=Agency.objects.get(code="bank-icbc"), role=Role.OFFICER)
    req = _stop_payment()
    base = asgi_server

    other = new_page()
    login(other, base, "bank_a2")
    other.set_viewport_size({"width": 390, "height": 844})
    other.goto(base + "/requests/inbox/")
    _live(other)
    row = other.locator('[data-testid="inbox-row"][data-number="%s"]' % req.number)
    row.locator('[data-testid="ack"]').wait_for()

    request_claim(request_id=req.pk, actor=User.objects.get(username="bank_a"))  # the first clerk claims it
    row.locator('[data-testid="inbox-claim"]:has-text("张柜员 办理中")').wait_for()  # live, no reload
    assert other.evaluate("window.__noReload === true")
    assert row.locator('[data-testid="ack"]').count() == 0
    row.locator('[data-testid="take-over"]').click()
    other.wait_for_selector('[data-testid="claim-holder"]:has-text("由我办理")')
    assert Request.objects.get(pk=req.pk).claimed_by_id == clerk2.pk


def test_rows_ticked_for_bulk_acknowledge_stay_ticked_when_a_request_arrives_live(asgi_server, page, login):
    from agencies.demo import seed_agencies
    from alerts.models import Request

    seed_agencies()
    first = _stop_payment()
    login(page, asgi_server, "bank_a")
    page.goto(asgi_server + "/requests/inbox/")
    _live(page)
    box = page.locator('[data-testid="inbox-row"][data-number="%s"] [data-testid="bulk-check"]' % first.number)
    box.check()

    second = _stop_payment()  # arrives while the clerk is choosing: the rows are re-rendered live
    page.locator('[data-testid="inbox-row"][data-number="%s"]' % second.number).wait_for()
    assert page.evaluate("window.__noReload === true")
    assert box.is_checked()
    page.get_by_test_id("bulk-ack").click()
    page.wait_for_load_state()
    first.refresh_from_db()
    assert first.status == "acknowledged"
    assert Request.objects.get(pk=second.pk).status == "delivered"  # only what was ticked
