"""The weekly report for the joint meeting: one context, two renderings (printable page, XLSX).

Default period: the last full week (Monday to Sunday); ``from``/``to``/``region`` as on the
dashboard. The league is this month's (the assessment period that contains the report's end).
"""

from datetime import timedelta
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _, pgettext

from core.choices import AuditAction
from core.services import audit_record

from . import assessment, selectors
from .access import default_region, require_region
from .forms import BadParams as BadRequest
from .forms import StatsParamsForm
from .services import period_for_month


def report_context(request) -> dict:
    params = request.GET.copy()
    if not any(k in params for k in ("from", "to", "period")):
        monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
        params["from"], params["to"] = (monday - timedelta(days=7)).isoformat(), (monday - timedelta(days=1)).isoformat()
    form = StatsParamsForm(params)
    if not form.is_valid():
        raise BadRequest(form.error_text())
    data = form.cleaned_data
    region = require_region(request.user, data["region"] or default_region(request.user))
    start, end = data["start"], data["end"]
    period = period_for_month(end.year, end.month)
    return {
        "region": region, "start": start, "end": end,
        "summary": selectors.summary(region=region, start=start, end=end),
        "ranked": selectors.regions_ranked(region=region, start=start, end=end),
        "region_league": selectors.region_league(region=region, start=start, end=end),
        "typologies": selectors.typology_mix(region=region, start=start, end=end),
        "ages": selectors.age_groups(region=region, start=start, end=end),
        "spots": selectors.hot_spots(region=region, start=start, end=end),
        "rectifications": list(selectors.rectifications(region=region)),
        "assessment_period": period, "league": assessment.league(period),
        "generated_at": timezone.localtime(),
    }


def _figure_rows(ctx) -> list[tuple[str, object]]:
    f, prev, last = ctx["summary"]["figures"], ctx["summary"]["previous"], ctx["summary"]["last_year"]
    return [
        (_("发案数"), f["cases"]), (_("损失金额（元）"), f["loss"]), (_("万人发案率"), f["rate"]),
        (_("较上期发案变化（%）"), prev["cases_change"]), (_("较去年同期发案变化（%）"), last["cases_change"]),
        (_("较上期万人发案率变化（%）"), prev["rate_change"]), (_("较去年同期万人发案率变化（%）"), last["rate_change"]),
        (_("止付金额（元）"), f["stopped"]), (_("冻结金额（元）"), f["frozen"]), (_("返还金额（元）"), f["returned"]),
        (_("发起协查请求"), f["requests_issued"]), (_("已办结"), f["requests_completed"]),
        (_("按时办结率（%）"), f["within_share"]), (_("超时督办"), f["requests_overdue"]),
        (pgettext("count", "预警信息"), f["signals"]), (_("劝阻成功人数"), f["dissuaded"]),
        (_("宣传覆盖人次"), f["publicity_reach"]),
    ]


def report_xlsx(ctx) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.active
    ws.title = _("核心指标")
    ws.append([_("反诈联席会议周报"), ctx["region"].name, "%s ~ %s" % (ctx["start"], ctx["end"])])
    ws["A1"].font = bold
    ws.append([])
    ws.append([_("指标"), _("数值")])
    for label, value in _figure_rows(ctx):
        ws.append([str(label), _cell(value)])
    ws.column_dimensions["A"].width = 30
    sheet = wb.create_sheet(_("区域排名"))
    sheet.append([_("名次"), _("区域"), _("区划代码"), _("发案数"), _("损失金额（元）"), _("常住人口"), _("万人发案率"),
                  _("上期万人发案率"), _("变化（%）")])
    for r in ctx["region_league"]:  # exact yuan here; the pages show 万元
        sheet.append([r["rank"], r["region"].name, r["region"].code, r["cases"], _cell(r["loss"]), r["population"],
                      _cell(r["rate"]), _cell(r["previous_rate"]), _cell(r["rate_change"])])
    sheet = wb.create_sheet(_("重点地区"))
    sheet.append([_("区域"), _("区划代码"), _("发案数"), _("万人发案率"), _("上期万人发案率"), _("变化（%）"), _("挂牌整治")])
    for s in ctx["spots"]:
        sheet.append([s["region"].name, s["region"].code, s["cases"], _cell(s["rate"]), _cell(s["previous_rate"]),
                      _cell(s["trend"]), _("是") if s.get("rectification_id") else ""])
    sheet = wb.create_sheet(_("挂牌整治"))
    sheet.append([_("区域"), _("责任单位"), _("挂牌日期"), _("整治期限"), _("挂牌原因")])
    for rect in ctx["rectifications"]:
        sheet.append([rect.region.name, rect.responsible_agency.name, rect.listed_on, rect.deadline, rect.reason])
    sheet = wb.create_sheet(_("考核排名"))
    sheet.append([_("单位类型"), _("单位"), _("得分"), _("名次"), _("按时办结率")])
    for row in ctx["league"]:
        sheet.append([str(row["agency"].get_kind_display()), row["agency"].name, _cell(row["score"]), row["rank"],
                      row["within_share"]])
    sheet = wb.create_sheet(_("诈骗类型"))
    sheet.append([_("诈骗类型"), _("发案数"), _("损失金额（元）")])
    for t in ctx["typologies"]:
        sheet.append([t["name"], t["cases"], _cell(t["loss"])])
    sheet = wb.create_sheet(_("受害人年龄"))
    sheet.append([_("年龄段"), _("人数")])
    for a in ctx["ages"]:
        sheet.append([a["label"], a["victims"]])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value):
    """Decimals as numbers Excel can sum (two decimals are exact in a double for these sizes)."""
    return float(value) if value is not None and not isinstance(value, int) else value


def audit_export(request, ctx) -> None:
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=ctx["region"],
                 detail={"report": "weekly", "from": ctx["start"].isoformat(), "to": ctx["end"].isoformat()},
                 request=request)
