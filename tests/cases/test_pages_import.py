"""Bulk import: type and size checks, preview with per-row errors, all-or-nothing import."""

import csv
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from cases import imports
from cases.models import Case

from .pages_support import id_number, w  # noqa: F401

HEADERS = ["发案时间", "发案地区划代码", "诈骗类型", "损失金额", "受害人姓名", "受害人身份证号", "涉案电话", "收款账号"]


def _csv(rows, headers=HEADERS) -> SimpleUploadedFile:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile("cases.csv", buf.getvalue().encode("utf-8"), content_type="text/csv")


def _good_rows(n=3):
    return [
        ["2024-05-0%d 10:00" % (i + 1), "340402001", "刷单返利", "%d.00" % (1000 * (i + 1)), "受害人%d" % i,
         id_number("3404021980010100%d" % i), "138-1234-5678", "6222 0212 3456 7890 12%d" % i]
        for i in range(n)
    ]


def test_template_csv_has_every_column_and_a_skipped_example(client, w):
    client.force_login(w.users["officer"])
    response = client.get(reverse("cases:import_template"))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header == [str(c.header) for c in imports.COLUMNS]
    assert "# 示例" in text


def test_upload_rejects_other_file_types(client, w):
    client.force_login(w.users["officer"])
    response = client.post(reverse("cases:import"), {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")})
    assert response.status_code == 400
    assert "只支持 CSV 或 XLSX" in response.content.decode()
    renamed = SimpleUploadedFile("x.xlsx", b"not a zip at all")
    assert "不是有效的 XLSX" in client.post(reverse("cases:import"), {"file": renamed}).content.decode()


def test_preview_reports_errors_row_by_row_and_offers_no_import(client, w):
    client.force_login(w.users["officer"])
    rows = _good_rows(2) + [
        ["2024-05-09 10:00", "999999", "不存在的类型", "abc", "", "340402198001010010", "", ""],
    ]
    response = client.post(reverse("cases:import"), {"file": _csv(rows)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 4 行" in html  # header is line 1, so the third data row is line 4
    for message in ["未知的区划代码", "未知的诈骗类型", "损失金额不是数字", "受害人姓名不能为空"]:
        assert message in html
    assert 'data-testid="import-all"' not in html
    assert not Case.objects.exists()


def test_preview_then_import_all_creates_every_case_from_the_stashed_file(client, w):
    client.force_login(w.users["officer"])
    preview = client.post(reverse("cases:import"), {"file": _csv(_good_rows(3))})
    assert 'data-testid="import-all"' in preview.content.decode()
    token = client.session[imports.SESSION_KEY]["token"]
    response = client.post(reverse("cases:import_confirm"), {"token": token}, follow=True)
    assert response.status_code == 200
    assert Case.objects.count() == 3
    assert "已导入 3 起案件" in response.content.decode()
    # The three share a phone number: they were linked into one ring on the way in.
    assert Case.objects.values("ring").distinct().count() == 1
    assert imports.SESSION_KEY not in client.session


def test_import_is_all_or_nothing_when_a_row_fails_inside_the_transaction(client, w, monkeypatch):
    from cases import services

    real = services.case_create
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValidationError("模拟失败")
        return real(**kwargs)

    monkeypatch.setattr(services, "case_create", flaky)
    client.force_login(w.users["officer"])
    client.post(reverse("cases:import"), {"file": _csv(_good_rows(4))})
    token = client.session[imports.SESSION_KEY]["token"]
    response = client.post(reverse("cases:import_confirm"), {"token": token}, follow=True)
    assert Case.objects.count() == 0
    html = response.content.decode()
    assert "第 4 行导入失败" in html and "整个文件未导入" in html


def test_xlsx_import_reads_typed_cells(client, w):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    from datetime import datetime

    ws.append([datetime(2024, 5, 1, 9, 30), 340402001, "刷单返利", 8800, "钱七", "", "13812345678", ""])
    buf = io.BytesIO()
    wb.save(buf)
    upload = SimpleUploadedFile("cases.xlsx", buf.getvalue())
    client.force_login(w.users["officer"])
    preview = client.post(reverse("cases:import"), {"file": upload})
    html = preview.content.decode()
    assert 'data-testid="preview-ok"' in html, html
    token = client.session[imports.SESSION_KEY]["token"]
    client.post(reverse("cases:import_confirm"), {"token": token})
    case = Case.objects.get()
    assert case.loss_amount == 8800
    assert case.victims.get().name == "钱七"


def test_confirm_with_a_stale_token_imports_nothing(client, w):
    client.force_login(w.users["officer"])
    client.post(reverse("cases:import"), {"file": _csv(_good_rows(1))})
    response = client.post(reverse("cases:import_confirm"), {"token": "0" * 32})
    assert response.status_code == 302
    assert not Case.objects.exists()


def test_losses_that_are_not_amounts_are_refused_row_by_row(client, w):
    rows = _good_rows(3)
    for row, loss in zip(rows, ("1e20", "NaN", "Infinity")):
        row[3] = loss
    client.force_login(w.users["officer"])
    html = client.post(reverse("cases:import"), {"file": _csv(rows)}).content.decode()
    assert 'data-testid="preview-ok"' not in html
    assert "损失金额超出范围：1e20" in html and "损失金额不是数字：NaN" in html and "损失金额不是数字：Infinity" in html


def test_an_xlsx_that_inflates_past_the_bound_is_refused_before_it_is_loaded(client, w, tmp_path):
    import zipfile

    # A valid workbook plus a member of 60 MB of one repeated byte: a few dozen KB zipped.
    wb = Workbook()
    wb.active.append(HEADERS)
    path = tmp_path / "bomb.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"<" * (60 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    client.force_login(w.users["officer"])
    html = client.post(reverse("cases:import"), {"file": SimpleUploadedFile("cases.xlsx", path.read_bytes())}).content.decode()
    assert "文件解压后过大" in html


def test_rows_and_columns_are_bounded(db, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(HEADERS + ["x"] * 5000) + "\n", encoding="utf-8")
    assert all(len(row) <= imports.MAX_COLUMNS for row in imports._read_table(wide, "csv"))
    long = tmp_path / "long.csv"
    long.write_text(",".join(HEADERS) + "\n" + "a\n" * 100_000, encoding="utf-8")
    assert len(imports._read_table(long, "csv")) <= imports.MAX_ROWS + 52
    assert "一次最多导入" in imports.parse_file(long, "csv").file_errors[0]


def test_import_takes_the_victims_transactions_and_refuses_a_bad_one_by_row(client, w):
    headers = [*HEADERS, "受害人交易"]
    good = _good_rows(1)[0]
    good[3] = ""  # the loss: the sum of the transactions
    good.append("2024-05-01 10:05|3000.00|6222020200112233445|工商银行|A1;2024-05-01 10:09|1200.50|6228480000111122223")
    bad = _good_rows(2)[1] + ["2024-05-02 10:05|-5|6222020200112233445"]
    client.force_login(w.users["officer"])
    preview = client.post(reverse("cases:import"), {"file": _csv([good, bad], headers)}).content.decode()
    assert "第 1 笔交易：金额不正确：-5" in preview
    client.post(reverse("cases:import"), {"file": _csv([good], headers)})
    token = client.session[imports.SESSION_KEY]["token"]
    client.post(reverse("cases:import_confirm"), {"token": token})
    case = Case.objects.get()
    assert case.loss_amount == Decimal("4200.50")
    assert list(case.transactions.values_list("reference", flat=True)) == ["A1", ""]


def _import(client, upload, **extra):
    preview = client.post(reverse("cases:import"), {"file": upload})
    token = client.session[imports.SESSION_KEY]["token"]
    response = client.post(reverse("cases:import_confirm"), {"token": token, **extra}, follow=True)
    return preview.content.decode(), response.content.decode()


def test_an_import_run_twice_creates_nothing_the_second_time(client, w):
    client.force_login(w.users["officer"])
    rows = _good_rows(3)
    _preview, _done = _import(client, _csv(rows))
    assert Case.objects.count() == 3
    ring_size = Case.objects.first().ring.case_count
    # The same file again: every row is flagged with the case it repeats, and skipping is the default.
    preview, done = _import(client, _csv(rows), skip_duplicates="1")
    assert preview.count('data-testid="duplicate-row"') == 3
    assert 'data-testid="skip-duplicates"' in preview and "checked" in preview
    for number in Case.objects.values_list("number", flat=True):
        assert number in preview
    assert "都是已有案件，未导入任何案件" in done
    assert Case.objects.count() == 3
    assert Case.objects.first().ring.case_count == ring_size  # the ring did not swell


def test_import_skips_only_the_repeated_rows_and_matches_a_victim_by_payments(client, w):
    client.force_login(w.users["officer"])
    headers = ["发案时间", "发案地区划代码", "诈骗类型", "损失金额", "受害人姓名", "受害人手机号", "受害人交易"]
    paid = "2024-05-01 14:20|8000.00|6222021234567890123|工商银行"
    _import(client, _csv([["2024-05-01 14:00", "340402001", "刷单返利", "", "王五", "13800001111", paid]], headers))
    assert Case.objects.count() == 1
    # The same victim (name and phone, no ID number) and the same payment, reported with another
    # occurrence time: still the same case. A new row in the same file is imported.
    rows = [["2024-05-01 13:30", "340402001", "刷单返利", "", "王五", "138 0000 1111", paid],
            ["2024-05-02 09:00", "340402001", "刷单返利", "500", "赵六", "13800002222", ""]]
    preview, done = _import(client, _csv(rows, headers), skip_duplicates="1")
    assert preview.count('data-testid="duplicate-row"') == 1
    assert Case.objects.count() == 2
    assert "跳过了 1 行已有案件" in done
    # Unticked, the repeated row is imported all the same (the user decides).
    _import(client, _csv(rows[:1], headers))
    assert Case.objects.count() == 3


def test_duplicates_are_looked_for_only_among_cases_the_importer_can_see(client, w):
    client.force_login(w.users["officer_b"])  # another station, another area
    rows = _good_rows(1)
    _import(client, _csv([[*rows[0][:1], "340403001", *rows[0][2:]]]))
    client.force_login(w.users["officer"])
    preview, _done = _import(client, _csv(rows), skip_duplicates="1")
    assert 'data-testid="duplicate-row"' not in preview  # no hint of a case it may not see
    assert Case.objects.count() == 2
