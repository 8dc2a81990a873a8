"""Bulk import of cases from CSV or XLSX: parse, preview with a per-row error report, then
take the whole file in one transaction or none of it.

The file is kept server-side between the preview and the confirmation (a temp file named by
a random token held in the session), so the officer confirms exactly what was previewed and
never uploads twice.
"""

import csv
import io
import os
import secrets
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from agencies.models import Region

from .choices import Gender, IndicatorKind, PaymentChannel
from .forms import DEFAULT_ROLE
from .models import Typology
from .validation import error_text, normalize_indicator, validate_id_number

MAX_ROWS = 2000
# Bounds on what a file may make the server hold: a case has a dozen columns; an XLSX is a zip
# whose members can inflate a thousandfold (an 808 KB sheet took 320 MB to load), so their
# uncompressed sizes are checked before openpyxl opens it.
MAX_COLUMNS = 40
MAX_CELL_CHARS = 5000
MAX_XLSX_UNCOMPRESSED = 40 * 1024 * 1024
# Case.loss_amount: 14 digits, 2 of them decimals.
MAX_LOSS = Decimal(10) ** 12
SESSION_KEY = "cases_import"
IMPORT_DIR = Path(tempfile.gettempdir()) / "fraudgov-imports"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str
    indicator_kind: str | None = None


COLUMNS = [
    Column("occurred_at", _("发案时间"), True, _("如 2024-05-01 14:30")),
    Column("reported_at", _("报案时间"), False, _("留空为导入时间")),
    Column("region", _("发案地区划代码"), True, _("6 至 12 位区划代码，如 340402001")),
    Column("typology", _("诈骗类型"), True, _("类型代码或中文名称，如 刷单返利")),
    Column("loss_amount", _("损失金额"), True, _("单位元，可带两位小数")),
    Column("payment_channel", _("支付渠道"), False, _("银行转账、支付宝、微信支付、现金、虚拟货币、其他")),
    Column("narrative", _("简要案情"), False, _("自由文本")),
    Column("victim_name", _("受害人姓名"), True, ""),
    Column("victim_id_number", _("受害人身份证号"), False, _("18 位，校验末位")),
    Column("victim_phone", _("受害人手机号"), False, ""),
    Column("victim_age", _("受害人年龄"), False, ""),
    Column("victim_gender", _("受害人性别"), False, _("男、女或留空")),
    Column("phones", _("涉案电话"), False, _("多个用分号隔开"), IndicatorKind.PHONE),
    Column("accounts", _("收款账号"), False, _("银行卡号或账号，多个用分号隔开"), IndicatorKind.ACCOUNT),
    Column("urls", _("涉案网址"), False, _("多个用分号隔开"), IndicatorKind.URL),
    Column("apps", _("涉诈应用"), False, _("应用名或包名，多个用分号隔开"), IndicatorKind.APP),
    Column("socials", _("社交账号"), False, _("如 wechat:abc123，多个用分号隔开"), IndicatorKind.SOCIAL),
    Column("wallets", _("虚拟货币钱包"), False, _("多个用分号隔开"), IndicatorKind.WALLET),
    Column("ips", _("IP 地址"), False, _("多个用分号隔开"), IndicatorKind.IP),
    Column("transactions", _("受害人交易"), False,
           _("每笔：时间|金额|收款账号|收款银行|流水号|付款账号（后三项可省），多笔用分号隔开；填写后损失金额可留空")),
]
EXAMPLE_ROW = [
    "# 示例：2024-05-01 14:30（以 # 开头的行不导入）", "2024-05-01 15:00", "340402001", "刷单返利", "12800.00", "银行转账",
    "受害人在兼职群内被诱导刷单", "张三", "", "13800138000", "45", "女", "+86 171-0000-1234",
    "6222 0212 3456 7890 123", "http://www.example-task.cn/pay", "", "", "", "",
    "2024-05-01 14:20|8000.00|6222021234567890123|工商银行|2024050114200001;"
    "2024-05-01 14:28|4800.00|6228480000111122223|农业银行|2024050114280007",
]


def template_csv() -> bytes:
    """The downloadable template: the headers and one example row the parser skips."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([str(c.header) for c in COLUMNS])
    writer.writerow(EXAMPLE_ROW)
    # A BOM so that Excel opens the UTF-8 file with the Chinese headers intact.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@dataclass
class ParsedRow:
    line: int
    raw: dict
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # An existing case this row reports again (``flag_duplicates``): (case id, number, why).
    duplicate_of: tuple | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParseResult:
    rows: list[ParsedRow]
    file_errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(r.ok for r in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if not r.ok)

    @property
    def duplicate_count(self) -> int:
        return sum(1 for r in self.rows if r.duplicate_of)

    @property
    def new_count(self) -> int:
        return len(self.rows) - self.duplicate_count


# --- reading ---------------------------------------------------------------------------
def _header_map(headers: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index -> key, accepting the Chinese header or the key itself."""
    names = {}
    for col in COLUMNS:
        names[str(col.header)] = col.key
        names[col.key] = col.key
    mapping, unknown = {}, []
    for idx, header in enumerate(headers):
        header = (header or "").strip()
        if not header:
            continue
        if header in names:
            mapping[idx] = names[header]
        else:
            unknown.append(header)
    return mapping, unknown


def _check_xlsx_size(path: Path) -> None:
    """Refuse a workbook whose parts would inflate past ``MAX_XLSX_UNCOMPRESSED``, judged from
    the zip directory (declared sizes) before anything is decompressed."""
    with zipfile.ZipFile(path) as archive:
        total = sum(member.file_size for member in archive.infolist())
    if total > MAX_XLSX_UNCOMPRESSED:
        raise ValidationError(_("文件解压后过大（超过 %(mb)s MB），请只保留需要导入的数据。")
                              % {"mb": MAX_XLSX_UNCOMPRESSED // (1024 * 1024)})


def _bounded_rows(rows):
    """At most ``MAX_ROWS`` + a margin of rows (the caller reports the excess), each cut to
    ``MAX_COLUMNS`` cells; a cell longer than ``MAX_CELL_CHARS`` is refused."""
    for count, row in enumerate(rows):
        if count > MAX_ROWS + 50:
            return
        row = list(row[:MAX_COLUMNS])
        if any(isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in row):
            raise ValidationError(_("第 %(line)s 行有超过 %(n)s 个字符的单元格。") % {"line": count + 1, "n": MAX_CELL_CHARS})
        yield row


def _read_table(path: Path, fmt: str) -> list[list]:
    if fmt == "xlsx":
        from openpyxl import load_workbook

        _check_xlsx_size(path)
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            return list(_bounded_rows(ws.iter_rows(values_only=True, max_row=MAX_ROWS + 51, max_col=MAX_COLUMNS)))
        finally:
            wb.close()
    raw = path.read_bytes()
    # Excel on Chinese Windows saves CSV as GB18030 unless asked for UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("无法识别文件编码，请另存为 CSV（UTF-8）。"))
    try:
        return list(_bounded_rows(csv.reader(io.StringIO(text))))
    except csv.Error:  # a field past csv's own limit, a NUL byte
        raise ValidationError(_("无法读取 CSV 文件，请检查格式。")) from None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- validating one row ------------------------------------------------------------------
def _parse_dt(value, label) -> datetime:
    if isinstance(value, datetime):
        dt = value
    else:
        text = _cell(value).replace("/", "-").replace("T", " ")
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                dt = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValidationError(_t("%(label)s格式不正确：%(value)s") % {"label": label, "value": text})
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


class _Lookups:
    """Reference data loaded once per file, not once per row."""

    def __init__(self):
        self.regions = {r.code: r for r in Region.objects.filter(level__gte=2)}
        self.typologies = {}
        for t in Typology.objects.filter(is_active=True):
            self.typologies[t.code.lower()] = t
            self.typologies[t.name] = t
        self.channels = {}
        for value, label in PaymentChannel.choices:
            self.channels[value] = value
            self.channels[str(label)] = value
        self.genders = {"男": Gender.MALE, "女": Gender.FEMALE, "M": Gender.MALE, "F": Gender.FEMALE, "": Gender.UNKNOWN}


def _validate_row(row: ParsedRow, lk: _Lookups, seen: dict) -> None:
    raw, data, errors = row.raw, row.data, row.errors
    labels = {c.key: str(c.header) for c in COLUMNS}

    def need(key):
        value = raw.get(key, "")
        if value in ("", None):
            errors.append(_t("%(label)s不能为空") % {"label": labels[key]})
        return value

    for key in ("occurred_at", "reported_at"):
        value = need(key) if key == "occurred_at" else raw.get(key)
        if value not in ("", None):
            try:
                data[key] = _parse_dt(value, labels[key])
            except ValidationError as exc:
                errors.append(error_text(exc))
    if data.get("occurred_at") and data.get("occurred_at") > timezone.now():
        errors.append(_t("发案时间不能晚于当前时间"))
    if data.get("occurred_at") and data.get("reported_at") and data["reported_at"] < data["occurred_at"]:
        errors.append(_t("报案时间不能早于发案时间"))

    code = _cell(need("region"))
    if code:
        data["region"] = lk.regions.get(code)
        if data["region"] is None:
            errors.append(_t("未知的区划代码：%(code)s") % {"code": code})
    typ = _cell(need("typology"))
    if typ:
        data["typology"] = lk.typologies.get(typ) or lk.typologies.get(typ.lower())
        if data["typology"] is None:
            errors.append(_t("未知的诈骗类型：%(name)s") % {"name": typ})
    data["transactions"] = _transactions(_cell(raw.get("transactions")), errors)
    loss_cell = raw.get("loss_amount") if data["transactions"] else need("loss_amount")
    amount = _cell(loss_cell).replace(",", "").replace("，", "").replace("元", "")
    if not amount and data["transactions"]:
        data["loss_amount"] = sum((t["amount"] for t in data["transactions"]), Decimal("0"))
    if amount:
        try:
            loss = Decimal(amount)
            if not loss.is_finite():  # NaN, Infinity: Decimal takes them, no amount is one
                raise InvalidOperation
            if loss < 0:
                errors.append(_t("损失金额不能为负数"))
            elif loss >= MAX_LOSS:
                errors.append(_t("损失金额超出范围：%(value)s") % {"value": amount})
            else:
                data["loss_amount"] = loss.quantize(Decimal("0.01"))
        except InvalidOperation:
            errors.append(_t("损失金额不是数字：%(value)s") % {"value": amount})
    channel = _cell(raw.get("payment_channel")) or PaymentChannel.BANK_TRANSFER
    data["payment_channel"] = lk.channels.get(channel)
    if data["payment_channel"] is None:
        errors.append(_t("未知的支付渠道：%(value)s") % {"value": channel})
    data["narrative"] = _cell(raw.get("narrative"))

    victim = {"name": _cell(need("victim_name"))[:50]}
    id_number = _cell(raw.get("victim_id_number")).upper()
    if id_number:
        try:
            validate_id_number(id_number)
        except ValidationError as exc:
            errors.append(error_text(exc))
    victim["id_number"] = id_number
    victim["phone"] = _cell(raw.get("victim_phone"))
    age = _cell(raw.get("victim_age"))
    if age:
        if age.isdigit() and int(age) <= 120:
            victim["age"] = int(age)
        else:
            errors.append(_t("年龄不正确：%(value)s") % {"value": age})
    gender = _cell(raw.get("victim_gender"))
    victim["gender"] = lk.genders.get(gender.upper() if len(gender) == 1 and gender.isascii() else gender)
    if victim["gender"] is None:
        errors.append(_t("性别只能填 男、女 或留空"))
    data["victims"] = [victim]

    indicators, keys = [], set()
    for col in COLUMNS:
        if not col.indicator_kind:
            continue
        for part in _cell(raw.get(col.key)).replace("；", ";").split(";"):
            part = part.strip()
            if not part:
                continue
            try:
                normalized = normalize_indicator(col.indicator_kind, part)
            except ValidationError as exc:
                errors.append("%s：%s" % (col.header, error_text(exc)))
                continue
            key = (col.indicator_kind, normalized)
            if key not in keys:
                keys.add(key)
                indicators.append(
                    {"kind": col.indicator_kind, "value": part, "role": DEFAULT_ROLE[col.indicator_kind]}
                )
    data["indicators"] = indicators

    # The same report twice in one file is almost always a copy-paste slip: say so here
    # rather than leaving it to the duplicate flag after the import.
    if data.get("occurred_at") and data.get("loss_amount") is not None:
        fingerprint = (victim["name"], id_number, data["occurred_at"], data["loss_amount"])
        if fingerprint in seen:
            errors.append(_t("与第 %(line)s 行重复") % {"line": seen[fingerprint]})
        else:
            seen[fingerprint] = row.line


def _transactions(text: str, errors: list) -> list[dict]:
    """The victim's payments of one row: ``time|amount|receiving account|bank|reference|paying
    account`` entries separated by semicolons (the last three may be left out)."""
    found = []
    for n, entry in enumerate([e for e in text.replace("；", ";").split(";") if e.strip()], start=1):
        parts = [p.strip() for p in entry.replace("｜", "|").split("|")]
        parts += [""] * (6 - len(parts))
        at, amount, payee, bank, reference, payer = parts[:6]
        label = _t("第 %(n)s 笔交易") % {"n": n}
        try:
            when = _parse_dt(at, _t("第 %(n)s 笔交易的时间") % {"n": n})
            value = Decimal(amount.replace(",", "").replace("元", ""))
            if not value.is_finite() or value <= 0 or value >= MAX_LOSS:
                raise InvalidOperation
            payee = normalize_indicator(IndicatorKind.ACCOUNT, payee)
        except ValidationError as exc:
            errors.append("%s：%s" % (label, error_text(exc)))
            continue
        except InvalidOperation:
            errors.append(_t("%(label)s：金额不正确：%(value)s") % {"label": label, "value": amount})
            continue
        found.append({"occurred_at": when, "amount": value.quantize(Decimal("0.01")), "payee_account": payee,
                      "payee_institution": bank[:100], "reference": reference[:64], "payer_account": payer[:64]})
    return found


def parse_file(path: Path, fmt: str) -> ParseResult:
    try:
        table = _read_table(path, fmt)
    except ValidationError as exc:
        return ParseResult([], [error_text(exc)])
    except Exception:  # a corrupt XLSX raises zipfile/openpyxl errors of many kinds
        return ParseResult([], [_t("无法读取文件，请确认是有效的 CSV 或 XLSX。")])
    # Leading blank lines are common in hand-made sheets.
    while table and not any(_cell(c) for c in table[0]):
        table.pop(0)
    if not table:
        return ParseResult([], [_t("文件是空的。")])
    mapping, unknown = _header_map([_cell(c) for c in table[0]])
    file_errors = []
    if unknown:
        file_errors.append(_t("无法识别的列：%(cols)s") % {"cols": "、".join(unknown)})
    missing = [str(c.header) for c in COLUMNS if c.required and c.key not in mapping.values()]
    if missing:
        file_errors.append(_t("缺少必填列：%(cols)s") % {"cols": "、".join(missing)})
    if file_errors:
        return ParseResult([], file_errors)
    rows, lk, seen = [], _Lookups(), {}
    for offset, cells in enumerate(table[1:], start=2):
        values = [_cell(c) for c in cells]
        if not any(values) or values[0].startswith("#"):
            continue
        # Cells stay typed (an XLSX date is a datetime, an amount a number) for validation.
        raw = {key: (cells[idx] if idx < len(cells) else "") for idx, key in mapping.items()}
        rows.append(ParsedRow(line=offset, raw=raw))
        if len(rows) > MAX_ROWS:
            return ParseResult([], [_t("一次最多导入 %(n)s 行，请拆分文件。") % {"n": MAX_ROWS}])
    if not rows:
        return ParseResult([], [_t("文件中没有数据行。")])
    for row in rows:
        _validate_row(row, lk, seen)
    return ParseResult(rows, [])


# --- rows that report an existing case again ---------------------------------------------
DUPLICATE_SAME_TIME = _("同一受害人身份证号、同一发案时间")
DUPLICATE_SAME_PAYMENTS = _("同一受害人、相同的交易")


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _payments(rows) -> frozenset:
    """A victim's payments as comparable values: (minute, amount, receiving account)."""
    return frozenset((_minute(at), Decimal(amount).quantize(Decimal("0.01")), str(payee)) for at, amount, payee in rows)


def _victim_phone(raw: str) -> str:
    try:
        return normalize_indicator(IndicatorKind.PHONE, raw) if raw else ""
    except ValidationError:
        return raw


def flag_duplicates(result: ParseResult, user) -> None:
    """Mark the rows that report a case the user can already see again: the same victim ID
    number and occurrence time, or the same victim (ID number, or name and phone) with the
    same payments. A handful of queries for the whole file, not one per row."""
    from .models import Case, Transaction, Victim

    rows = [r for r in result.rows if r.ok]
    if not rows:
        return
    ids = {r.data["victims"][0]["id_number"] for r in rows if r.data["victims"][0]["id_number"]}
    named = {(r.data["victims"][0]["name"], _victim_phone(r.data["victims"][0]["phone"])) for r in rows
             if not r.data["victims"][0]["id_number"] and r.data["victims"][0]["phone"]}
    visible = Case.objects.restrict(user).values("pk")
    found = []  # (id number, name, phone, case id, number, occurred_at)
    columns = ("id_number", "name", "phone", "case_id", "case__number", "case__occurred_at")
    if ids:
        found += Victim.objects.filter(id_number__in=ids, case__in=visible).values_list(*columns)
    if named:
        found += Victim.objects.filter(name__in={n for n, _p in named}, phone__in={p for _n, p in named},
                                       case__in=visible).values_list(*columns)
    if not found:
        return
    payments: dict[int, list] = {}
    for case_id, at, amount, payee in Transaction.objects.filter(case_id__in={f[3] for f in found}).values_list(
            "case_id", "occurred_at", "amount", "payee_account"):
        payments.setdefault(case_id, []).append((at, amount, payee))
    by_id: dict[str, list] = {}
    by_name: dict[tuple, list] = {}
    for id_number, name, phone, case_id, number, occurred in found:
        if id_number:
            by_id.setdefault(id_number, []).append((case_id, number, occurred))
        by_name.setdefault((name, phone), []).append((case_id, number, occurred))
    for row in rows:
        victim = row.data["victims"][0]
        candidates = by_id.get(victim["id_number"], []) if victim["id_number"] else by_name.get(
            (victim["name"], _victim_phone(victim["phone"])), [])
        txns = _payments((t["occurred_at"], t["amount"], t["payee_account"]) for t in row.data.get("transactions") or [])
        for case_id, number, occurred in sorted(candidates, key=lambda c: c[0]):
            if victim["id_number"] and _minute(occurred) == _minute(row.data["occurred_at"]):
                row.duplicate_of = (case_id, number, DUPLICATE_SAME_TIME)
                break
            if txns and txns == _payments(payments.get(case_id, [])):
                row.duplicate_of = (case_id, number, DUPLICATE_SAME_PAYMENTS)
                break


# --- the file between preview and confirm ------------------------------------------------
def stash_upload(request, upload, fmt: str) -> dict:
    """Store the uploaded file under a random token; the session remembers which one."""
    discard_upload(request)
    IMPORT_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    path = IMPORT_DIR / ("%s.%s" % (token, fmt))
    with open(path, "wb") as fh:
        fh.writelines(upload.chunks())
    info = {"token": token, "format": fmt, "name": upload.name[:200]}
    request.session[SESSION_KEY] = info
    return info


def stashed_upload(request) -> tuple[dict, Path] | None:
    info = request.session.get(SESSION_KEY)
    if not info:
        return None
    token, fmt = info.get("token", ""), info.get("format", "")
    if not (token.isalnum() and fmt in ("csv", "xlsx")):
        return None
    path = IMPORT_DIR / ("%s.%s" % (token, fmt))
    return (info, path) if path.exists() else None


def discard_upload(request) -> None:
    found = stashed_upload(request)
    if found:
        try:
            os.unlink(found[1])
        except FileNotFoundError:
            pass
    request.session.pop(SESSION_KEY, None)


class ImportFailed(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def import_rows(*, rows: list[ParsedRow], actor, reporting_agency, skip_duplicates: bool = False) -> list:
    """Create every row through case_create in one transaction: all of them or none.

    ``skip_duplicates``: leave out the rows ``flag_duplicates`` marked (an existing case)."""
    from core.policy import authorize

    from .services import case_create

    authorize(actor, "case.import")
    created = []
    with transaction.atomic():
        for row in rows:
            if skip_duplicates and row.duplicate_of:
                continue
            data = row.data
            try:
                created.append(
                    case_create(
                        actor=actor,
                        reporting_agency=reporting_agency,
                        region=data["region"],
                        typology=data["typology"],
                        occurred_at=data["occurred_at"],
                        reported_at=data.get("reported_at"),
                        loss_amount=data["loss_amount"],
                        payment_channel=data["payment_channel"],
                        narrative=data["narrative"],
                        victims=data["victims"],
                        indicators=data["indicators"],
                        transactions=data.get("transactions") or [],
                    )
                )
            except ValidationError as exc:
                raise ImportFailed(row.line, error_text(exc)) from exc
    return created
