"""Who sees and does what in returns, proven from the outside: the centre's supervisor approves
(an analyst is refused, 403); banks never see proposals; a bank sees only its own return
requests (another bank gets 404) and the victim only masked."""

import pytest
from django.urls import reverse

from .pages_support import login
from .returns_support import approve, bank_returns, instalment_of, trail


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_only_the_centre_supervisor_approves_and_banks_never_see_proposals(w, client, api, media):
    _a, _b, _c, _frozen, proposal = trail(w)
    login(client, w, "analyst")
    page = client.get(reverse("alerts:returns")).content.decode()
    assert "张三丰" in page and 'data-testid="approve"' not in page  # an analyst sees, cannot approve
    assert client.post(reverse("alerts:return_decide", args=[proposal.pk]), {"decision": "approve"}).status_code == 403
    for bank in ("bank_a", "bank_b"):
        login(client, w, bank)
        assert client.get(reverse("alerts:returns")).status_code == 403
        assert api(w.users[bank]).get("/api/v1/return-proposals/").status_code == 403
        assert api(w.users[bank]).post(f"/api/v1/return-proposals/{proposal.pk}/approve/").status_code == 403
    login(client, w, "supervisor")
    assert 'data-testid="approve"' in client.get(reverse("alerts:returns")).content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_a_bank_sees_only_its_own_return_requests_and_the_victim_masked(w, client, api, media):
    a, _b, _c, _frozen, proposal = trail(w)
    approve(w, proposal)
    req = instalment_of(a)
    # bank_a (ICBC) handled A's first layer but does not hold this money: as if it did not exist.
    assert api(w.users["bank_a"]).get(f"/api/v1/requests/{req.pk}/").status_code == 404
    assert api(w.users["bank_a"]).post(f"/api/v1/requests/{req.pk}/acknowledge/").status_code == 404
    assert not api(w.users["bank_a"]).get("/api/v1/requests/", {"kind": "fund_return"}).data["results"]
    login(client, w, "bank_a")
    assert client.get(reverse("alerts:detail", args=[req.pk])).status_code == 404
    # bank_b holds it: the page names the instalment and the victim, masked.
    login(client, w, "bank_b")
    page = client.get(reverse("alerts:detail", args=[req.pk])).content.decode()
    assert "张**" in page and "张三丰" not in page and "6222600011112222333" not in page
    assert req.number in client.get(reverse("alerts:inbox")).content.decode()
    bank_returns(w, req, "4800.00")
    # A grid worker or another station's officer cannot act on it either.
    assert api(w.users["officer_b"]).post(f"/api/v1/requests/{req.pk}/complete/", {"amount_secured": "1"},
                                          format="json").status_code in (403, 404)


def test_page_refusal_keeps_what_was_typed(w, client, media):
    a, _b, _c, _frozen, proposal = trail(w)
    approve(w, proposal)
    req = instalment_of(a)
    login(client, w, "bank_b")
    client.post(reverse("alerts:acknowledge", args=[req.pk]))
    resp = client.post(reverse("alerts:complete", args=[req.pk]), {"amount_secured": "4800.50"})
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "实际返还金额" in page  # the result form asks what was returned
    assert "不能大于本期应返还金额" in page and 'value="4800.50"' in page
    req.refresh_from_db()
    assert req.status == "acknowledged"
    resp = client.post(reverse("alerts:complete", args=[req.pk]), {"amount_secured": "4000.00"})
    assert resp.status_code == 302
    login(client, w, "analyst")
    case_page = client.get(reverse("cases:detail", args=[a.pk])).content.decode()
    assert 'data-testid="recovered-total"' in case_page and "¥4,000.00" in case_page
    returns = client.get(reverse("alerts:returns")).content.decode()
    assert "¥800.00" in returns  # A's outstanding rest
