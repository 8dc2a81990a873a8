"""The cases pages through the Django test client: queue, case page, intake, ring, lookup."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from core.models import AuditEntry

from .pages_support import id_number, make_case, w  # noqa: F401  (w is a fixture)

PHONE = ("phone", "13812345678", "calling_number")


def _rows(response) -> list[str]:
    return re.findall(r'data-case-id="(\d+)"', response.content.decode())


# --- the queue ---------------------------------------------------------------------------
def test_queue_lists_open_cases_and_filters_by_typology(client, w):
    brushing = make_case(w, typology="brushing")
    impersonation = make_case(w, typology="impersonation", victim="李四")
    client.force_login(w.users["analyst"])
    page = client.get(reverse("cases:queue"))
    assert page.status_code == 200
    assert set(_rows(page)) >= {str(brushing.pk), str(impersonation.pk)}
    filtered = client.get(reverse("cases:queue"), {"typology": w.typologies["impersonation"].pk})
    assert _rows(filtered) == [str(impersonation.pk)]


def test_queue_orders_by_effective_priority_with_override_first(client, w):
    from cases.services import case_override_priority

    low = make_case(w, loss="100.00")
    high = make_case(w, loss="900000.00", victim="李四")
    case_override_priority(case=low, actor=w.users["supervisor"], priority=100, reason="领导交办")
    client.force_login(w.users["analyst"])
    rows = _rows(client.get(reverse("cases:queue")))
    assert rows.index(str(low.pk)) < rows.index(str(high.pk))


def test_queue_search_finds_case_by_indicator_written_another_way(client, w):
    case = make_case(w, indicators=[PHONE])
    make_case(w, victim="王五", indicators=[("phone", "13700000000", "calling_number")])
    client.force_login(w.users["analyst"])
    page = client.get(reverse("cases:queue"), {"q": "+86 138-1234-5678"})
    assert _rows(page) == [str(case.pk)]


def test_queue_search_by_case_number_and_victim_name(client, w):
    case = make_case(w, victim="欧阳娜娜")
    other = make_case(w, victim="李四")
    client.force_login(w.users["analyst"])
    assert _rows(client.get(reverse("cases:queue"), {"q": "欧阳娜娜"})) == [str(case.pk)]
    assert _rows(client.get(reverse("cases:queue"), {"q": other.number})) == [str(other.pk)]


def test_queue_shows_ring_size_badge(client, w):
    make_case(w, indicators=[PHONE])
    make_case(w, victim="李四", indicators=[PHONE])
    client.force_login(w.users["analyst"])
    assert "团伙 2 案" in client.get(reverse("cases:queue")).content.decode()


def test_queue_query_count_does_not_grow_with_rows(client, w):
    client.force_login(w.users["analyst"])
    make_case(w, indicators=[PHONE])
    client.get(reverse("cases:queue"))  # warm the session and the content-type caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:queue"))
    for i in range(12):
        make_case(w, victim="受害人%d" % i, loss="%d.00" % (1000 + i), indicators=[PHONE])
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("cases:queue"))
    assert len(_rows(page)) == 13
    assert len(many) == len(few)
    # session, user with its agency and region, counts, the page count, the rows, the suspect badge, the
    # filter form's choices, the saved filters, the bulk bar's colleagues and agencies ...
    assert len(many) == 14, [q["sql"] for q in many.captured_queries]


def test_queue_total_and_badges_are_capped_not_counted_to_the_end(client, w, monkeypatch):
    from cases.views import queue

    monkeypatch.setattr(queue, "PAGE_COUNT_CAP", 2)
    monkeypatch.setattr(queue, "BADGE_CAP", 1)
    for i in range(3):
        make_case(w, victim="受害人%d" % i)
    client.force_login(w.users["analyst"])
    html = client.get(reverse("cases:queue")).content.decode()
    assert "超过 2 起案件" in html
    assert 'data-count="new">1+<' in html
    assert len(_rows(client.get(reverse("cases:queue")))) == 3  # the rows themselves are all there


def test_queue_partials_render_rows_and_counts(client, w):
    case = make_case(w)
    client.force_login(w.users["analyst"])
    rows = client.get(reverse("cases:queue_rows"))
    assert _rows(rows) == [str(case.pk)]
    counts = client.get(reverse("cases:queue_counts")).content.decode()
    assert 'data-count="new">1<' in counts


@pytest.mark.parametrize("username", ["bank_a", "carrier_a", "platform_a", "grid_a", "publicity"])
def test_non_police_agencies_cannot_open_case_pages(client, w, username):
    case = make_case(w)
    client.force_login(w.users[username])
    for url in [
        reverse("cases:queue"),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:new"),
        reverse("cases:import"),
        reverse("cases:lookup") + "?q=13812345678",
    ]:
        assert client.get(url).status_code in (403, 404), url


def test_other_station_officer_gets_404_on_case_and_ring(client, w):
    case = make_case(w, indicators=[PHONE])
    make_case(w, victim="李四", indicators=[PHONE])
    case.refresh_from_db()
    client.force_login(w.users["officer_b"])  # 湖滨派出所, another county
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:ring", args=[case.ring_id])).status_code == 404
    assert client.get(reverse("cases:timeline", args=[case.pk])).status_code == 404
    assert str(case.pk) not in _rows(client.get(reverse("cases:queue")))


# --- the case page -----------------------------------------------------------------------
def test_case_page_masks_victim_id_number_and_phone(client, w):
    idn = id_number("34040219800101002")
    case = make_case(w, victim_id=idn, victim_phone="13955556666", indicators=[PHONE])
    client.force_login(w.users["analyst"])
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert case.number in html
    assert idn not in html
    assert "13955556666" not in html
    assert "13812345678" in html or "+8613812345678" in html  # indicators are not personal data


def test_reveal_shows_the_value_and_is_audited(client, w):
    idn = id_number("34040219800101003")
    case = make_case(w, victim_id=idn)
    victim = case.victims.get()
    client.force_login(w.users["analyst"])
    before = AuditEntry.objects.filter(action="view_personal").count()
    response = client.post(reverse("cases:victim_reveal", args=[victim.pk, "id_number"]))
    assert response.status_code == 200
    assert idn in response.content.decode()
    assert AuditEntry.objects.filter(action="view_personal", actor=w.users["analyst"]).count() == before + 1


def test_reveal_of_invisible_victim_is_404_and_not_audited(client, w):
    case = make_case(w)
    victim = case.victims.get()
    client.force_login(w.users["officer_b"])
    response = client.post(reverse("cases:victim_reveal", args=[victim.pk, "phone"]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="view_personal").exists()


def test_case_page_lists_linked_cases_and_ring(client, w):
    first = make_case(w, indicators=[PHONE])
    second = make_case(w, victim="李四", indicators=[("phone", "138 1234 5678", "contact_number")])
    client.force_login(w.users["analyst"])
    html = client.get(reverse("cases:detail", args=[second.pk])).content.decode()
    assert first.number in html
    second.refresh_from_db()
    assert reverse("cases:ring", args=[second.ring_id]) in html


def test_assign_to_me_and_timeline_partial(client, w):
    case = make_case(w)
    client.force_login(w.users["analyst"])
    response = client.post(reverse("cases:assign", args=[case.pk]), {"to_me": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == w.users["analyst"]
    timeline = client.get(reverse("cases:timeline", args=[case.pk]))
    assert timeline.status_code == 200
    assert "data-event-kind" in timeline.content.decode()


def test_prosecutor_sees_shared_case_read_only(client, w):
    case = make_case(w)
    client.force_login(w.users["prosecutor"])
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    client.force_login(w.users["analyst"])
    client.post(reverse("cases:share", args=[case.pk]), {"agency": w.agencies["w-procuratorate"].pk})
    client.force_login(w.users["prosecutor"])
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    assert reverse("cases:assign", args=[case.pk]) not in page.content.decode()
    assert client.post(reverse("cases:assign", args=[case.pk]), {"to_me": "1"}).status_code == 403


# --- intake ------------------------------------------------------------------------------
def _intake_post(w, **over):
    data = {
        "occurred_at": "2024-05-01T14:30",
        "reported_at": "2024-05-01T16:00",
        "region": w.regions["340402001"].pk,
        "typology": w.typologies["brushing"].pk,
        "loss_amount": "12800.50",
        "payment_channel": "bank_transfer",
        "narrative": "兼职刷单被骗",
        "reporting_agency": w.agencies["ps-renmin"].pk,
        "victims-TOTAL_FORMS": "1",
        "victims-INITIAL_FORMS": "0",
        "victims-0-name": "赵六",
        "victims-0-id_number": id_number("34040219750505001"),
        "victims-0-phone": "13600001234",
        "victims-0-age": "49",
        "victims-0-gender": "F",
        "victims-0-occupation": "会计",
        "indicators-TOTAL_FORMS": "2",
        "indicators-INITIAL_FORMS": "0",
        "indicators-0-kind": "phone",
        "indicators-0-value": "+86 138 1234 5678",
        "indicators-0-role": "calling_number",
        "indicators-1-kind": "url",
        "indicators-1-value": "HTTP://Pay.Example-Task.cn/a",
        "indicators-1-role": "phishing_url",
    }
    data.update(over)
    return data


def test_intake_form_creates_case_and_warns_it_joined_a_ring(client, w):
    make_case(w, indicators=[PHONE])
    client.force_login(w.users["officer"])
    response = client.post(reverse("cases:new"), _intake_post(w), follow=True)
    assert response.status_code == 200
    case = Case.objects.get(victims__name="赵六")
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[case.pk])
    html = response.content.decode()
    assert case.number in html
    assert "团伙" in html  # the warning that it was linked
    assert case.indicator_links.count() == 2


def test_intake_form_error_keeps_everything_typed(client, w):
    client.force_login(w.users["officer"])
    bad = _intake_post(w, **{"victims-0-id_number": "340402197505050010", "loss_amount": "-5"})
    response = client.post(reverse("cases:new"), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert not Case.objects.exists()
    assert "赵六" in html and "340402197505050010" in html and "兼职刷单被骗" in html
    assert "HTTP://Pay.Example-Task.cn/a" in html
    assert "invalid-feedback" in html


def test_intake_requires_a_victim(client, w):
    client.force_login(w.users["officer"])
    data = _intake_post(w, **{"victims-0-name": "", "victims-0-id_number": "", "victims-0-phone": "",
                              "victims-0-age": "", "victims-0-occupation": "", "victims-0-gender": "U"})
    response = client.post(reverse("cases:new"), data)
    assert response.status_code == 400
    assert "请至少填写一名受害人" in response.content.decode()


def test_validate_endpoint_shows_normalised_indicator_and_id_errors(client, w):
    client.force_login(w.users["officer"])
    ok = client.get(reverse("cases:validate"), {"field": "indicator", "kind": "phone", "value": "138-1234-5678"})
    assert "+8613812345678" in ok.content.decode()
    bad = client.get(reverse("cases:validate"), {"field": "id_number", "value": "340402197505050010"})
    assert 'data-check="error"' in bad.content.decode()


# --- ring and lookup ---------------------------------------------------------------------
def test_ring_page_renders_graph_and_totals(client, w):
    a = make_case(w, indicators=[PHONE], loss="1000.00")
    make_case(w, victim="李四", region="340403001", loss="2000.00",
              indicators=[PHONE, ("account", "6222021234567890123", "receiving_account_l1")])
    a.refresh_from_db()
    client.force_login(w.users["analyst"])
    response = client.get(reverse("cases:ring", args=[a.ring_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ring-graph"' in html and "cytoscape.min.js" in html
    graph = json.loads(re.search(r'id="ring-graph-data"[^>]*>(.*?)</script>', html, re.DOTALL).group(1))
    types = [n["data"]["type"] for n in graph["nodes"]]
    assert types.count("case") == 2
    assert any(n["data"].get("shared") for n in graph["nodes"])
    assert len(graph["edges"]) >= 2
    assert response.context["totals"]["n"] == 2
    assert response.context["totals"]["regions"] == 2
    assert response.context["totals"]["loss"] == Decimal("3000.00")
    assert 'data-node="c%d"' % a.pk in html and a.number in html and "1,000.00" in html
    assert [t["indicator__value"] for t in response.context["ties"]] == ["+8613812345678"]


def test_ring_figures_from_rows_and_from_sql_agree(client, w, monkeypatch):
    """A ring too big to fetch whole gets its figures from SQL: the two paths must agree."""
    from cases.views import rings

    a = make_case(w, indicators=[PHONE], loss="1000.00")
    make_case(w, victim="李四", region="340403001", loss="2000.00", indicators=[PHONE])
    make_case(w, victim="王五", loss="500.00", indicators=[PHONE])
    a.refresh_from_db()
    client.force_login(w.users["analyst"])
    url = reverse("cases:ring", args=[a.ring_id])
    from_rows = client.get(url).context
    monkeypatch.setattr(rings, "FETCH_LIMIT", 2)
    from_sql = client.get(url).context
    for ctx in (from_rows, from_sql):
        assert ctx["totals"]["n"] == 3 and ctx["totals"]["loss"] == Decimal("3500.00") and ctx["totals"]["regions"] == 2
        assert [(t["indicator__value"], t["n"]) for t in ctx["ties"]] == [("+8613812345678", 3)]
        assert ctx["regions"][0]["n"] == 2
    assert from_rows["totals"]["first"] == from_sql["totals"]["first"]


def test_ring_graph_is_capped():
    from cases.views.rings import RingCase, RingLink, ring_graph

    cases = [RingCase(pk=i, number="N%d" % i, occurred_at=None, loss_amount=1, region_id=1, region_name="r",
                      typology_name="t", url="/cases/%d/" % i) for i in range(1, 101)]
    links = [RingLink(pk=i, case_id=i, indicator_id=1, role="calling_number", kind="phone", value="x")
             for i in range(1, 101)]
    graph = ring_graph(cases, links, max_nodes=30)
    assert len(graph["nodes"]) <= 30
    assert graph["truncated"]


def test_lookup_page_answers_any_format(client, w):
    case = make_case(w, indicators=[PHONE])
    client.force_login(w.users["analyst"])
    html = client.get(reverse("cases:lookup"), {"q": "0086 138 1234 5678"}).content.decode()
    assert case.number in html


def test_optional_include_renders_nothing_for_a_missing_template_and_the_template_otherwise():
    from django.template import Context, Template

    tpl = Template('{% load cases_tags %}[{% optional_include "alerts/_no_such_panel.html" %}]'
                   '{% optional_include "cases/_revealed.html" value="X-1" %}')
    out = tpl.render(Context({}))
    assert out.startswith("[]")
    assert "X-1" in out


def test_intake_takes_one_indicator_and_the_victims_transactions(client, w):
    """A case with one phone number (a blank second row with its default kind is no row) and
    two payments: the loss left blank is their sum, the receiving account becomes an indicator
    and the victim's paying account is masked on the case page."""
    client.force_login(w.users["officer"])
    data = _intake_post(w, **{
        "loss_amount": "", "indicators-1-kind": "phone", "indicators-1-value": "", "indicators-1-role": "",
        "transactions-TOTAL_FORMS": "3", "transactions-INITIAL_FORMS": "0",
        "transactions-0-occurred_at": "2024-05-01T14:35", "transactions-0-amount": "3000.00",
        "transactions-0-channel": "bank_transfer", "transactions-0-payer_account": "6222600011112222333",
        "transactions-0-payee_kind": "account", "transactions-0-payee_account": "6222 0202 0011 2233 445",
        "transactions-0-payee_institution": "工商银行", "transactions-0-reference": "F001",
        # row 1 was removed in the browser (nothing posted for it); row 2 is the blank new row
        "transactions-2-channel": "bank_transfer", "transactions-2-payee_kind": "account",
        "transactions-3-occurred_at": "2024-05-01T14:40",
    })
    data["transactions-TOTAL_FORMS"] = "4"
    data.update({"transactions-3-amount": "1500.50", "transactions-3-channel": "alipay",
                 "transactions-3-payee_kind": "account", "transactions-3-payee_account": "6228480000111122223"})
    response = client.post(reverse("cases:new"), data, follow=True)
    assert response.status_code == 200, response.content.decode()[:3000]
    case = Case.objects.get(victims__name="赵六")
    assert case.loss_amount == Decimal("4500.50")
    assert sorted(case.transactions.values_list("payee_account", flat=True)) == ["6222020200112233445", "6228480000111122223"]
    kinds = sorted(case.indicator_links.values_list("indicator__kind", flat=True))
    assert kinds == ["account", "account", "phone"]
    html = response.content.decode()
    assert 'data-testid="transactions"' in html and "6222600011112222333" not in html and "6222*" in html


def test_intake_refuses_a_bad_transaction_keeping_what_was_typed(client, w):
    client.force_login(w.users["officer"])
    data = _intake_post(w, **{
        "transactions-TOTAL_FORMS": "1", "transactions-INITIAL_FORMS": "0",
        "transactions-0-occurred_at": "2024-05-01T14:35", "transactions-0-amount": "0",
        "transactions-0-channel": "bank_transfer", "transactions-0-payee_kind": "account",
        "transactions-0-payee_account": "12", "transactions-0-reference": "KEEP-ME",
    })
    response = client.post(reverse("cases:new"), data)
    html = response.content.decode()
    assert response.status_code == 400 and 'value="KEEP-ME"' in html
    assert "银行卡号/账号应为 10 到 30 位数字" in html
    assert not Case.objects.filter(victims__name="赵六").exists()
