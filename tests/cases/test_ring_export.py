"""A ring exported as CSV or XLSX: the caller's visible cases only, with their tying traces;
audited; 404 to another area, 403 to a bank; the graph data carries what the page clusters by."""

import csv
import io
import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEntry

from .pages_support import make_case, w  # noqa: F401

PHONE = ("phone", "13812345678", "calling_number")
CARD = ("account", "6222021234567890123", "receiving_account_l1")


def _ring(w):
    a = make_case(w, victim="甲", indicators=[PHONE])
    b = make_case(w, victim="乙", indicators=[PHONE, CARD])
    c = make_case(w, officer="officer_b", region="340403001", victim="丙", indicators=[CARD])
    a.refresh_from_db()
    return a, b, c


def test_ring_exports_visible_cases_with_their_ties_as_csv_and_xlsx(client, w):
    a, b, c = _ring(w)
    client.force_login(w.users["officer"])  # sees a and b (its station's area), not c
    response = client.get(reverse("cases:ring_export", args=[a.ring_id, "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["案件编号", "报案时间", "发案时间"]
    numbers = {r[0] for r in rows[1:]}
    assert numbers == {a.number, b.number}
    row_b = next(r for r in rows if r[0] == b.number)
    assert "电话号码:+8613812345678" in row_b[-1] and "银行卡/账号:6222021234567890123" in row_b[-1]
    assert row_b[6] == "5000.00"
    assert "张三" not in response.content.decode("utf-8-sig")  # no victim data
    assert AuditEntry.objects.filter(action="export", detail__file="ring_cases", detail__cases=2).exists()

    client.force_login(w.users["analyst"])
    xlsx = client.get(reverse("cases:ring_export", args=[a.ring_id, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert {r[0] for r in values[1:]} == {a.number, b.number, c.number}
    assert client.get(reverse("cases:ring_export", args=[a.ring_id, "pdf"])).status_code == 404


def test_ring_export_is_404_to_another_area_and_403_to_a_bank(client, w):
    a = make_case(w, indicators=[PHONE])
    make_case(w, victim="乙", indicators=[PHONE])
    a.refresh_from_db()
    client.force_login(w.users["officer_b"])
    assert client.get(reverse("cases:ring_export", args=[a.ring_id, "csv"])).status_code == 404
    client.force_login(w.users["bank_a"])
    assert client.get(reverse("cases:ring_export", args=[a.ring_id, "csv"])).status_code == 403


def test_ring_export_query_count_does_not_grow_with_cases(client, w):
    a, _b, _c = _ring(w)
    client.force_login(w.users["analyst"])
    url = reverse("cases:ring_export", args=[a.ring_id, "csv"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(8):
        make_case(w, victim="丁%d" % i, indicators=[CARD])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode("utf-8-sig").count("\n") == 12
    assert len(many) == len(few)


def test_ring_graph_data_has_short_labels_and_kind_names(client, w):
    a, _b, _c = _ring(w)
    client.force_login(w.users["analyst"])
    html = client.get(reverse("cases:ring", args=[a.ring_id])).content.decode()
    graph = json.loads(re.search(r'<script id="ring-graph-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    case_node = next(n["data"] for n in graph["nodes"] if n["data"]["id"] == "c%d" % a.pk)
    assert case_node["short"] == a.number[-6:] and case_node["label"] == a.number
    assert graph["kinds"]["phone"] == "电话号码"
    assert 'data-testid="ring-cluster"' in html and 'data-testid="ring-export-xlsx"' in html
