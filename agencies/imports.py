"""The console's CSV import of an agency's routing keys and duty contact.

One file, one line per entry, header ``kind,value,note`` (or the Chinese ``类型,值,备注``):

- ``kind`` a routing key kind (``card_prefix``, ``number_segment``, ``domain``, ``app_id``, or
  its label in either language) with the key as ``value`` and an optional ``note``;
- ``kind`` ``duty`` (``值班``): ``value`` the duty contact's name, ``note`` the duty phone.

Every line is checked before anything is saved; a file with any bad line saves nothing and the
admin sees each line's error in their language. A good file is applied in one transaction
through the same services as the console's forms (authorization, overlap check, audit).
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .choices import RoutingKeyKind
from .models import Agency, User
from .services import agency_duty_update, routing_key_check, routing_key_create

DUTY = "duty"
MAX_LINES = 2000
HEADERS = {"kind": {"kind", "类型"}, "value": {"value", "值"}, "note": {"note", "备注"}}


@dataclass
class ImportLine:
    line: int
    kind: str
    value: str
    note: str = ""


@dataclass
class ImportResult:
    lines: list[ImportLine] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)
    saved: int = 0


def _kind_names() -> dict[str, str]:
    """Every accepted spelling of a kind (value, Chinese label, English label) -> the value."""
    names = {DUTY: DUTY, "值班": DUTY, "duty contact": DUTY, "值班联系人": DUTY}
    for value, label in RoutingKeyKind.choices:
        names[value] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[str(label).strip().lower()] = value
    return names


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves GB18030 unless told otherwise
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("无法识别文件编码，请保存为 UTF-8 编码的 CSV 文件。"))


def console_import_parse(*, agency: Agency, data: bytes, request_approval: bool = False) -> ImportResult:
    """Read and check a file; nothing is saved. ``result.errors`` names each bad line."""
    result = ImportResult()
    reader = csv.reader(io.StringIO(_decode(data)))
    header = [cell.strip().lower() for cell in next(reader, [])]
    columns = {}
    for name, spellings in HEADERS.items():
        found = [i for i, cell in enumerate(header) if cell in spellings]
        if found:
            columns[name] = found[0]
    if "kind" not in columns or "value" not in columns:
        result.errors.append((1, _("第一行应为表头：kind,value,note（或 类型,值,备注）。")))
        return result
    kinds, seen, duty_lines = _kind_names(), set(), 0
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if number > MAX_LINES + 1:
            result.errors.append((number, _("一次最多导入 %(count)d 行。") % {"count": MAX_LINES}))
            break

        def cell(name, row=row):
            i = columns.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        raw_kind, value, note = cell("kind"), cell("value"), cell("note")
        kind = kinds.get(raw_kind.lower())
        if kind is None:
            result.errors.append((number, _("未知的类型“%(kind)s”。") % {"kind": raw_kind}))
            continue
        if kind == DUTY:
            duty_lines += 1
            if not value:
                result.errors.append((number, _("值班行须填写联系人姓名。")))
            elif len(value) > 50 or len(note) > 30:
                result.errors.append((number, _("联系人最多 50 个字，电话最多 30 个字。")))
            elif duty_lines > 1:
                result.errors.append((number, _("文件中只能有一行值班信息。")))
            else:
                result.lines.append(ImportLine(number, DUTY, value, note))
            continue
        if len(note) > 100:
            result.errors.append((number, _("备注最多 100 个字。")))
            continue
        try:
            value, _overlaps = routing_key_check(agency=agency, kind=kind, value=value,
                                                 request_approval=request_approval)
        except ValidationError as exc:
            result.errors.append((number, " ".join(exc.messages)))
            continue
        if (kind, value) in seen:
            result.errors.append((number, _("与文件中前面的行重复。")))
            continue
        seen.add((kind, value))
        result.lines.append(ImportLine(number, kind, value, note))
    if not result.lines and not result.errors:
        result.errors.append((1, _("文件中没有数据行。")))
    return result


def console_import_apply(*, actor: User, data: bytes, request_approval: bool = False, request=None) -> ImportResult:
    """Check the file, then save all of it or nothing."""
    agency = actor.agency
    result = console_import_parse(agency=agency, data=data, request_approval=request_approval)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for line in result.lines:
                if line.kind == DUTY:
                    agency_duty_update(actor=actor, agency=agency, duty_contact=line.value, duty_phone=line.note,
                                       request=request)
                else:
                    routing_key_create(actor=actor, agency=agency, kind=line.kind, value=line.value, note=line.note,
                                       request_approval=request_approval, request=request)
                result.saved += 1
    except ValidationError as exc:  # another admin wrote an overlapping key meanwhile
        result.errors.append((line.line, " ".join(exc.messages)))
        result.saved = 0
    return result
