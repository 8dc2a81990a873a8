"""The inbox's search, filters and order, and its export (issue 19 §6). The page and the API
list filter through one FilterSet; the export holds the filtered rows and masks a person."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from alerts.choices import RequestKind, RequestStatus, TargetKind
from alerts.models import Request
from alerts.services import request_acknowledge, request_claim
from core.models import AuditEntry

from .pages_support import CMCC_PHONE, id_number, issue, login, make_case

API = "/api/v1/requests/"


@pytest.fixture
def inbox(w):
    """Three stop-payments at bank_a: one overdue, one due soon, one due later (acknowledged)."""
    case = make_case(w)
    reqs = [issue(w, case, target="62220202000000006%02d" % n) for n in range(3)]
    now = timezone.now()
    Request.objects.filter(pk=reqs[0].pk).update(ack_due_at=now - timedelta(minutes=3))
    Request.objects.filter(pk=reqs[1].pk).update(ack_due_at=now + timedelta(minutes=2))
    w.run(request_acknowledge, request_id=reqs[2].pk, actor=w.users["bank_a"])
    Request.objects.filter(pk=reqs[2].pk).update(complete_due_at=now + timedelta(minutes=20))
    return [Request.objects.get(pk=r.pk) for r in reqs]


def numbers(html: str, reqs) -> list[str]:
    found = [(html.index('data-number="%s"' % r.number), r.number) for r in reqs if 'data-number="%s"' % r.number in html]
    return [n for _pos, n in sorted(found)]


def test_inbox_is_sorted_by_the_deadline_that_matters_now(w, client, inbox):
    later = issue(w, make_case(w, account="6222020200000000555", phone="13800000005"), target="6222020200000000555")
    Request.objects.filter(pk=later.pk).update(ack_due_at=timezone.now() + timedelta(hours=1))
    login(client, w, "bank_a")
    html = client.get(reverse("alerts:inbox")).content.decode()
    assert numbers(html, [*inbox, later]) == [inbox[0].number, inbox[1].number, inbox[2].number, later.number]


def test_search_by_account_request_number_and_case_number(w, client, inbox):
    login(client, w, "bank_a")
    by_account = client.get(reverse("alerts:inbox"), {"q": "6222020200000000601"}).content.decode()
    assert numbers(by_account, inbox) == [inbox[1].number]
    by_number = client.get(reverse("alerts:inbox"), {"q": inbox[2].number[-6:]}).content.decode()
    assert numbers(by_number, inbox) == [inbox[2].number]
    by_case = client.get(reverse("alerts:inbox"), {"q": inbox[0].case.number}).content.decode()
    assert numbers(by_case, inbox) == [r.number for r in inbox]


def test_filters_overdue_status_kind_and_claim(w, client, inbox):
    login(client, w, "bank_a")
    overdue = client.get(reverse("alerts:inbox"), {"overdue": "true"}).content.decode()
    assert numbers(overdue, inbox) == [inbox[0].number]
    not_overdue = client.get(reverse("alerts:inbox"), {"overdue": "false"}).content.decode()
    assert numbers(not_overdue, inbox) == [inbox[1].number, inbox[2].number]
    acked = client.get(reverse("alerts:inbox"), {"status": "acknowledged"}).content.decode()
    assert numbers(acked, inbox) == [inbox[2].number]
    freezes = client.get(reverse("alerts:inbox"), {"kind": "freeze"}).content.decode()
    assert numbers(freezes, inbox) == []
    request_claim(request_id=inbox[1].pk, actor=w.users["bank_a"])
    mine = client.get(reverse("alerts:inbox"), {"claim": "mine"}).content.decode()
    assert numbers(mine, inbox) == [inbox[1].number]
    # The live re-render keeps the filter (the rows URL carries the query).
    rows = client.get(reverse("alerts:inbox_rows"), {"overdue": "true"}).content.decode()
    assert numbers(rows, inbox) == [inbox[0].number]


def test_the_api_list_filters_with_the_same_filterset(w, api, inbox):
    client = api(w.users["bank_a"])
    overdue = client.get(API, {"overdue": "true"}).json()
    rows = overdue["results"] if isinstance(overdue, dict) else overdue
    assert [r["number"] for r in rows] == [inbox[0].number]
    found = client.get(API, {"q": "6222020200000000602"}).json()
    rows = found["results"] if isinstance(found, dict) else found
    assert [r["number"] for r in rows] == [inbox[2].number]
    assert client.get(API, {"claim": "everyone"}).status_code == 400  # not a choice: refused, not ignored


def test_inbox_page_query_count_does_not_grow_with_rows(w, client, inbox, django_assert_max_num_queries):
    login(client, w, "bank_a")
    client.get(reverse("alerts:inbox"))  # warm the session and caches
    with django_assert_max_num_queries(9) as few:  # session, user, rows, count, pending ...: measured 9
        client.get(reverse("alerts:inbox"))
    case = inbox[0].case
    for n in range(8):
        issue(w, case, target="62220202000000004%02d" % n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("alerts:inbox")).content.decode()
    assert html.count('data-testid="inbox-row"') == 11


def test_csv_export_holds_the_filtered_rows_and_is_audited(w, client, inbox):
    login(client, w, "bank_a")
    response = client.get(reverse("alerts:inbox_export"), {"overdue": "false", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "请求编号" and [r[0] for r in rows[1:]] == [inbox[1].number, inbox[2].number]
    assert rows[1][7] == "6222020200000000601" and rows[1][5] == "8000.00"
    entry = AuditEntry.objects.get(action="export", detail__export="inbox")
    assert entry.actor_id == w.users["bank_a"].pk and entry.detail["rows"] == 2


def test_xlsx_export_masks_the_person_of_a_dissuasion_task(w, client):
    task = issue(w, None, kind=RequestKind.DISSUASION, target_kind=TargetKind.PERSON, target="",
                 person_name="赵居民", person_phone="13912345678", person_id_number=id_number("34040219800101001"),
                 person_region=w.regions["340402001"], user="analyst")
    assert task.target_agency is not None
    from agencies.models import User

    username = User.objects.filter(agency=task.target_agency, is_active=True).order_by("pk").first().username
    login(client, w, username)
    response = client.get(reverse("alerts:inbox_export"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "请求编号" and values[1][0] == task.number
    flat = " ".join(str(v) for row in values for v in row if v is not None)
    assert "赵**" in flat and "139****5678" in flat
    assert "赵居民" not in flat and "13912345678" not in flat and id_number("34040219800101001") not in flat


def test_export_of_another_bank_shows_none_of_ours(w, client, inbox):
    login(client, w, "bank_b")
    response = client.get(reverse("alerts:inbox_export"), {"format": "csv", "show": "all"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == []


def test_a_number_block_is_searchable_by_its_number(w, client):
    req = issue(w, make_case(w), kind=RequestKind.NUMBER_BLOCK, target_kind=TargetKind.PHONE, target=CMCC_PHONE)
    assert req.status == RequestStatus.DELIVERED
    login(client, w, "carrier_a")
    html = client.get(reverse("alerts:inbox"), {"q": CMCC_PHONE[-4:]}).content.decode()
    assert numbers(html, [req]) == [req.number]


def test_the_inbox_tools_speak_english_after_the_language_switch(w, client, inbox, settings):
    login(client, w, "bank_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("alerts:inbox")).content.decode()
    for text in ("Acknowledge and handle", "Acknowledge selected", "Export CSV", "Claim", "Search",
                 "Account, number, request or case number"):
        assert text in html, text
    assert "签收并办理" not in html


def test_the_board_filters_overdue_with_the_same_filterset(w, client, inbox):
    login(client, w, "analyst")
    html = client.get(reverse("alerts:board"), {"overdue": "true"}).content.decode()
    assert numbers(html, inbox) == [inbox[0].number]
    assert 'name="claim"' not in html  # claims are the receivers' business


def test_the_pending_view_keeps_closed_requests_out_until_all_is_asked_for(w, client, inbox):
    from alerts.services import request_complete

    w.run(request_complete, request_id=inbox[2].pk, actor=w.users["bank_a"], amount_secured="100.00", balance="100.00")
    login(client, w, "bank_a")
    blank_form = {"q": inbox[0].case.number, "kind": "", "status": "", "overdue": "unknown", "claim": ""}
    pending = client.get(reverse("alerts:inbox"), blank_form).content.decode()
    assert numbers(pending, inbox) == [inbox[0].number, inbox[1].number]
    everything = client.get(reverse("alerts:inbox"), {**blank_form, "show": "all"}).content.decode()
    assert numbers(everything, inbox) == [inbox[0].number, inbox[1].number, inbox[2].number]
    done = client.get(reverse("alerts:inbox"), {"status": "completed"}).content.decode()
    assert numbers(done, inbox) == [inbox[2].number]
