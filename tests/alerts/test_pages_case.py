"""The issuing side's pages: the case page's requests panel (one-click issue, freeze with its
legal notice, money trail), the centre's board with its dispatch queue, and release/extend."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alerts.choices import FreezeAction, RequestKind, RequestStatus
from alerts.models import Request
from alerts.services import request_acknowledge, request_complete
from cases.masking import mask_account

from .pages_support import ABC_ACCOUNT, ICBC_ACCOUNT, PDF, issue, login, make_case


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _ind(case, value):
    return case.indicator_links.get(indicator__value=value).indicator_id


def test_case_page_offers_one_click_requests_for_its_indicators(w, client):
    case = make_case(w)
    login(client, w, "analyst")
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-requests-panel"' in html
    assert 'data-testid="issue-stop_payment"' in html and 'data-testid="issue-number_block"' in html
    assert 'data-live-refresh="%s"' % reverse("alerts:case_panel", args=[case.pk]) in html


def test_one_click_stop_payment_is_routed_to_the_bank(w, client):
    case = make_case(w)
    login(client, w, "analyst")
    with w.capture(execute=True):
        response = client.post(reverse("alerts:case_issue", args=[case.pk]),
                               {"kind": "stop_payment", "indicator": _ind(case, ICBC_ACCOUNT)}, follow=True)
    assert "已发起紧急止付请求" in response.content.decode()
    req = Request.objects.get(case=case)
    assert req.kind == RequestKind.STOP_PAYMENT and req.target_value == ICBC_ACCOUNT
    # What reached the account (two payments), never the case's whole loss.
    assert req.amount == Decimal("7500.00") != case.loss_amount and req.issued_by == w.users["analyst"]
    assert sorted(t.reference for t in req.transactions.all()) == ["TX000", "TX001"]
    assert req.target_agency == w.agencies["bank-icbc"] and req.status == RequestStatus.DELIVERED
    panel = client.get(reverse("alerts:case_panel", args=[case.pk])).content.decode()
    assert req.number in panel and "已送达" in panel


def test_a_second_open_stop_payment_on_the_same_account_is_refused_until_the_first_is_done(w, client):
    case = make_case(w)
    login(client, w, "analyst")
    url = reverse("alerts:case_issue", args=[case.pk])
    data = {"kind": "stop_payment", "indicator": _ind(case, ICBC_ACCOUNT)}
    with w.capture(execute=True):
        client.post(url, data)
    first = Request.objects.get(case=case)
    html = client.post(url, data, follow=True).content.decode()
    assert "已有进行中的紧急止付请求 %s" % first.number in html
    assert Request.objects.filter(case=case).count() == 1
    # Another kind on the same account, or the same kind once the first is done, goes through.
    with w.capture(execute=True):
        client.post(url, {"kind": "info_query", "indicator": _ind(case, ICBC_ACCOUNT)})
        request_acknowledge(request_id=first.pk, actor=w.users["bank_a"])
        request_complete(request_id=first.pk, actor=w.users["bank_a"], amount_secured="100")
        client.post(url, data)
    assert Request.objects.filter(case=case, kind=RequestKind.STOP_PAYMENT).count() == 2
    assert Request.objects.filter(case=case).count() == 3


def test_issue_refuses_a_kind_that_does_not_fit_the_indicator(w, client):
    case = make_case(w)
    login(client, w, "analyst")
    response = client.post(reverse("alerts:case_issue", args=[case.pk]),
                           {"kind": "number_block", "indicator": _ind(case, ICBC_ACCOUNT)}, follow=True)
    assert "号码阻断不适用于银行卡/账号" in response.content.decode()
    assert not Request.objects.exists()


def test_freeze_needs_a_real_pdf_legal_notice(w, client):
    case = make_case(w)
    login(client, w, "analyst")
    url = reverse("alerts:case_issue", args=[case.pk])
    data = {"kind": "freeze", "indicator": _ind(case, ICBC_ACCOUNT), "legal_notice_number": "W公(刑)冻字[2025]001号",
            "term_months": "6"}
    fake = SimpleUploadedFile("notice.pdf", b"MZ not a pdf", content_type="application/pdf")
    html = client.post(url, {**data, "legal_notice_file": fake}, follow=True).content.decode()
    assert "法律文书必须是 PDF 文件" in html
    assert not Request.objects.exists()
    real = SimpleUploadedFile("notice.pdf", PDF, content_type="application/pdf")
    with w.capture(execute=True):
        client.post(url, {**data, "legal_notice_file": real})
    req = Request.objects.get(kind=RequestKind.FREEZE)
    assert req.term_months == 6 and req.legal_notice_file.read().startswith(b"%PDF")
    # The bank the freeze went to may download the notice; another bank may not.
    login(client, w, "bank_a")
    assert client.get(reverse("alerts:legal_notice", args=[req.pk])).status_code == 200
    login(client, w, "bank_b")
    assert client.get(reverse("alerts:legal_notice", args=[req.pk])).status_code == 404


def test_money_tree_draws_the_follow_on_one_layer_down(w, client):
    case = make_case(w)
    first = issue(w, case)
    w.run(request_acknowledge, request_id=first.pk, actor=w.users["bank_a"])
    w.run(request_complete, request_id=first.pk, actor=w.users["bank_a"], amount_secured="3000", balance="3000",
          onward_transfers=[{"amount": "5000", "transferred_at": "2025-03-01T10:00:00+08:00",
                             "destination_account": ABC_ACCOUNT, "destination_bank": "农业银行"}])
    login(client, w, "analyst")
    html = client.get(reverse("alerts:case_panel", args=[case.pk])).content.decode()
    tree = html[html.index('data-testid="money-tree"'):]
    layer1, layer2 = tree.index('data-layer="1"'), tree.index('data-layer="2"')
    assert layer1 < tree.index(mask_account(ICBC_ACCOUNT)) < layer2
    assert mask_account(ABC_ACCOUNT) in tree[layer2:]  # its own node (layer 1 shows it as an edge too)
    assert ICBC_ACCOUNT not in tree and ABC_ACCOUNT not in tree  # accounts masked
    assert w.agencies["bank-abc"].name in tree and "¥5,000.00" in tree[layer2:]


def test_board_filters_highlights_overdue_and_is_closed_to_banks(w, client):
    from django.utils import timezone

    case = make_case(w)
    sp = issue(w, case)
    block = issue(w, case, kind="number_block", target_kind="phone", target="13812345678")
    Request.objects.filter(pk=sp.pk).update(ack_due_at=timezone.now() - timezone.timedelta(minutes=1))
    login(client, w, "analyst")
    html = client.get(reverse("alerts:board")).content.decode()
    assert sp.number in html and block.number in html
    row = html[html.index('data-number="%s"' % sp.number) - 80:html.index('data-number="%s"' % sp.number)]
    assert "table-danger" in row
    only_blocks = client.get(reverse("alerts:board") + "?kind=number_block").content.decode()
    assert block.number in only_blocks and sp.number not in only_blocks
    by_agency = client.get(reverse("alerts:board") + "?agency=%s" % w.agencies["bank-icbc"].pk).content.decode()
    assert sp.number in by_agency and block.number not in by_agency
    by_status = client.get(reverse("alerts:board") + "?status=completed").content.decode()
    assert sp.number not in by_status
    login(client, w, "bank_a")
    assert client.get(reverse("alerts:board")).status_code == 403


def test_unroutable_request_waits_in_dispatch_queue_and_is_routed_by_hand(w, client):
    case = make_case(w, account="9999000011112222")
    req = issue(w, case, target="9999000011112222")
    assert req.needs_manual_routing and req.target_agency is None
    login(client, w, "analyst")
    html = client.get(reverse("alerts:board")).content.decode()
    assert 'data-testid="dispatch-row"' in html and req.number in html
    with w.capture(execute=True):
        client.post(reverse("alerts:route", args=[req.pk]), {"target_agency": w.agencies["bank-ccb"].pk, "reason": "电话确认"})
    req.refresh_from_db()
    assert req.target_agency == w.agencies["bank-ccb"] and req.status == RequestStatus.DELIVERED
    assert "人工分派" in req.routing_reason
    login(client, w, "bank_c")
    assert req.number in client.get(reverse("alerts:inbox")).content.decode()


def test_freeze_release_and_stop_payment_extension_from_the_request_page(w, client):
    case = make_case(w)
    freeze = issue(w, case, kind="freeze", legal_notice_number="N-1", term_months=3,
                   legal_notice_file=SimpleUploadedFile("n.pdf", PDF, content_type="application/pdf"))
    w.run(request_acknowledge, request_id=freeze.pk, actor=w.users["bank_a"])
    w.run(request_complete, request_id=freeze.pk, actor=w.users["bank_a"], amount_secured="8000")
    login(client, w, "analyst")
    page = client.get(reverse("alerts:detail", args=[freeze.pk])).content.decode()
    assert 'data-testid="release"' in page and 'data-testid="extend"' in page
    with w.capture(execute=True):
        client.post(reverse("alerts:release", args=[freeze.pk]), {"reason": "已返还受害人"})
    freeze.refresh_from_db()
    assert freeze.freeze_action == FreezeAction.RELEASE
    again = client.post(reverse("alerts:release", args=[freeze.pk]), follow=True).content.decode()
    assert "该冻结已解除" in again
    # The bank is not the issuer: the policy refuses the move (a 403 page that says why).
    login(client, w, "bank_a")
    refused = client.post(reverse("alerts:extend", args=[freeze.pk]), follow=True).content.decode()
    assert "无权" in refused


def test_release_through_the_api(w, api):
    case = make_case(w)
    freeze = issue(w, case, kind="freeze", legal_notice_number="N-2", term_months=1,
                   legal_notice_file=SimpleUploadedFile("n.pdf", PDF, content_type="application/pdf"))
    w.run(request_acknowledge, request_id=freeze.pk, actor=w.users["bank_a"])
    w.run(request_complete, request_id=freeze.pk, actor=w.users["bank_a"], amount_secured="8000")
    assert api(w.users["bank_b"]).post(f"/api/v1/requests/{freeze.pk}/release/").status_code == 403  # a bank never releases
    assert api(w.users["bank_a"]).post(f"/api/v1/requests/{freeze.pk}/release/").status_code == 403
    with w.capture(execute=True):
        ok = api(w.users["analyst"]).post(f"/api/v1/requests/{freeze.pk}/release/", {"reason": "结案"}, format="json")
    assert ok.status_code == 200, ok.content
    assert api(w.users["analyst"]).post(f"/api/v1/requests/{freeze.pk}/release/").status_code == 409


def test_stop_payment_extension_only_once(w, client):
    sp = issue(w, make_case(w))
    w.run(request_acknowledge, request_id=sp.pk, actor=w.users["bank_a"])
    login(client, w, "analyst")
    with w.capture(execute=True):
        client.post(reverse("alerts:extend", args=[sp.pk]))
    assert "只能延期一次" in client.post(reverse("alerts:extend", args=[sp.pk]), follow=True).content.decode()


def test_issue_from_case_page_is_not_for_banks(w, client):
    case = make_case(w)
    login(client, w, "bank_a")
    assert client.post(reverse("alerts:case_issue", args=[case.pk]), {"kind": "stop_payment"}).status_code == 403
    assert not Request.objects.exists()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_board_rows_and_case_panel_query_counts_do_not_grow(w, client):
    case = make_case(w)
    issue(w, case, target="6222020200000000800")
    login(client, w, "analyst")
    rows_url, panel_url = reverse("alerts:board_rows"), reverse("alerts:case_panel", args=[case.pk])
    one = (_queries(client, rows_url), _queries(client, panel_url))
    for n in range(1, 5):
        issue(w, case, target="62220202000000008%02d" % n)
    assert (_queries(client, rows_url), _queries(client, panel_url)) == one
    assert client.get(rows_url).content.decode().count('data-testid="board-row"') == 5
