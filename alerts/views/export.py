"""The inbox as a CSV or XLSX file: the rows the clerk filtered (same FilterSet, same scope),
with what the inbox page shows and never more. A dissuasion task's person (name, phone, ID
number) is masked: a file leaves the platform and is forwarded. Each export is audited."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.masking import mask_id_number, mask_phone
from core.choices import AuditAction
from core.services import audit_record

from ..choices import TargetKind
from ..templatetags.alerts_tags import due_at, is_overdue
from .inbox import inbox_filterset

EXPORT_MAX_ROWS = 5000


def mask_name(value: str) -> str:
    """王** : the family name kept."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_header() -> list[str]:
    return [_("请求编号"), _("类型"), _("状态"), _("案件编号"), _("诈骗类型"), _("金额（元）"), _("目标类型"), _("目标"),
            _("发起单位"), _("送达时间"), _("时限"), _("超时"), _("认领人")]


def export_row(req) -> list:
    if req.target_kind == TargetKind.PERSON:
        target = " ".join(filter(None, [mask_name(req.person_name), mask_phone(req.person_phone),
                                        mask_id_number(req.person_id_number)]))
    else:
        target = req.target_value
    holder = req.claimed_by
    return [
        req.number, req.get_kind_display(), req.get_status_display(), req.case.number if req.case_id else "",
        req.case.typology.name if req.case_id and req.case.typology_id else "", req.amount,
        req.get_target_kind_display(), target, req.issuing_agency.name, _local(req.delivered_at), _local(due_at(req)),
        _("是") if is_overdue(req) else "", (holder.get_full_name() or holder.get_username()) if holder else "",
    ]


@login_required
@require_GET
def inbox_export(request):
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    _filterset, _show_all, qs = inbox_filterset(request)
    rows = [export_row(req) for req in qs[:EXPORT_MAX_ROWS]]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=None, request=request,
                 detail={"export": "inbox", "format": fmt, "rows": len(rows), "filters": request.GET.urlencode()[:500]})
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(export_header())
        writer.writerows([str(v) for v in row] for row in rows)
        # utf-8-sig: Excel opens a CSV with a BOM as UTF-8 (the Chinese headers stay readable).
        response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("收件箱"))
        sheet.append(export_header())
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="inbox-%s.%s"' % (stamp, fmt)
    return response
