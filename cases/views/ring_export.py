"""A ring's cases as a CSV or XLSX file: the visible cases only, with the traces that tie each
one into the ring; no victim's personal data. Every export is audited."""

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.views import View

from core.choices import AuditAction
from core.services import audit_record

from ..choices import CaseStatus, CloseReason, IndicatorKind
from ..models import Ring
from ..selectors import _ring_ties
from .access import CaseReaderMixin, visible_cases

EXPORT_LIMIT = 20000
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def ring_export_rows(user, ring: Ring) -> tuple[list[str], list[list]]:
    """The header and one row per visible case of the ring (newest first); 404 if none."""
    cases = list(
        visible_cases(user).filter(ring=ring).order_by("-reported_at", "-pk").values_list(
            "pk", "number", "reported_at", "occurred_at", "typology__name", "region__name", "reporting_agency__name",
            "loss_amount", "status", "close_reason")[:EXPORT_LIMIT]
    )
    if not cases:
        raise Http404
    kinds = dict(IndicatorKind.choices)
    ties: dict[int, list[str]] = {}
    for case_id, _ind, _role, kind, value, _n in _ring_ties(ring.pk, [c[0] for c in cases]):
        ties.setdefault(case_id, []).append("%s:%s" % (kinds.get(kind, kind), value))
    statuses, reasons = dict(CaseStatus.choices), dict(CloseReason.choices)
    tz = timezone.get_current_timezone()

    def when(value):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    header = [_t("案件编号"), _t("报案时间"), _t("发案时间"), _t("诈骗类型"), _t("发案地"), _t("受理单位"),
              _t("损失金额（元）"), _t("状态"), _t("结案原因"), _t("串联线索")]
    rows = [
        [number, when(reported), when(occurred), typology, region, agency, loss, str(statuses.get(status, status)),
         str(reasons.get(reason, "")) if reason else "", "；".join(sorted(set(ties.get(pk, []))))]
        for pk, number, reported, occurred, typology, region, agency, loss, status, reason in cases
    ]
    return [str(h) for h in header], rows


def _csv(header, rows) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows([[("%.2f" % v) if i == 6 else v for i, v in enumerate(row)] for row in rows])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # a BOM: Excel opens the Chinese intact


def _xlsx(header, rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_t("团伙案件"))
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class RingExportView(CaseReaderMixin, View):
    def get(self, request, pk, fmt):
        if fmt not in FORMATS:
            raise Http404
        ring = get_object_or_404(Ring, pk=pk)
        header, rows = ring_export_rows(request.user, ring)
        body = _csv(header, rows) if fmt == "csv" else _xlsx(header, rows)
        audit_record(actor=request.user, action=AuditAction.EXPORT, obj=ring, request=request,
                     detail={"file": "ring_cases", "format": fmt, "cases": len(rows)})
        response = HttpResponse(body, content_type=FORMATS[fmt])
        response["Content-Disposition"] = 'attachment; filename="ring-R%d.%s"' % (ring.pk, fmt)
        return response
