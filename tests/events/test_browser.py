"""Two browsers: the analyst issues a stop-payment, the bank's open inbox shows it without reload.

The proof is what live.js does on the inbox page: the toast for the delivered request and the
DOM event, in the same document (no reload); regions with data-live-refresh follow the same path.
"""

import pytest

from tests.hashers import server_password_hashers

pytestmark = pytest.mark.django_db(transaction=True)


def test_bank_inbox_shows_request_issued_in_another_page_without_reload(live_server_url, worker, demo_world,
                                                                         settings, new_page, login):
    from agencies.models import User

    # The server process only knows the real hashers, not the fast test one demo_world set here.
    settings.PASSWORD_HASHERS = server_password_hashers()
    for u in User.objects.filter(username__in=["analyst", "bank_a"]):
        u.set_password(settings.DEMO_PASSWORD)
        u.save()

    bank = new_page()
    logs = []
    bank.on("console", lambda m: logs.append(m.text))
    bank.on("pageerror", lambda e: logs.append(str(e)))
    login(bank, live_server_url, "bank_a")
    bank.goto(live_server_url + "/requests/inbox/")
    bank.evaluate("window.__seen = []; document.body.addEventListener('live:event', e => window.__seen.push(e.detail.kind))")
    try:
        bank.wait_for_selector("body[data-live-state=ready]", state="attached", timeout=15000)
    except Exception:
        raise AssertionError((logs, bank.url, bank.content()[-1500:]))
    loaded_at = bank.evaluate("performance.timeOrigin")

    analyst = new_page()
    login(analyst, live_server_url, "analyst")
    status = analyst.evaluate(
        """async () => {
            const csrf = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
            const r = await fetch('/api/v1/requests/', {method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                body: JSON.stringify({kind: 'stop_payment', target_kind: 'account',
                                      target_value: '6222020200009876543', amount: '8800'})});
            return r.status;
        }"""
    )
    assert status == 201
    toast = bank.wait_for_selector("[data-live-toast='request.delivered']", timeout=30000)
    assert "¥8,800.00" in toast.inner_text()  # written as the inbox row writes it
    assert "request.delivered" in bank.evaluate("window.__seen")
    assert bank.evaluate("performance.timeOrigin") == loaded_at  # same document: no reload
    assert bank.is_hidden("[data-live-status]")
