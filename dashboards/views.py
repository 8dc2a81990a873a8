"""Pages: the leadership dashboard (+ its live partial), hot spots and rectification, the league
table and an agency's own assessment, the weekly report (printable page and XLSX)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from agencies.models import Agency, Region
from alerts.choices import RequestKind

from . import assessment, reports, selectors
from .access import can_see_agency_detail, default_region, require_region, sees_everything
from .api.views import resolve_period
from .cache import cached
from .choices import Grain, PeriodPreset
from .constants import DEFAULT_WEIGHTS
from .forms import BadParams as BadRequest
from .forms import StatsParamsForm
from .links import figure_links
from .models import AssessmentPeriod, Rectification
from .services import (
    can_be_responsible,
    rectification_delist,
    rectification_list,
    responsible_candidates,
    weights_update,
)
from .templatetags.dashboards_money import CENT, TEN_THOUSAND, yuan_text


def _params(request):
    """(region, start, end, grain, form) from the query string; 400 on bad input, 403/404 on scope."""
    form = StatsParamsForm(request.GET)
    if not form.is_valid():
        raise BadRequest(form.error_text())
    data = form.cleaned_data
    region = require_region(request.user, data["region"] or default_region(request.user))
    return region, data["start"], data["end"], data["grain"], data


def _bad_request(request, message):
    return render(request, "dashboards/bad_request.html", {"message": message}, status=400)


def breadcrumbs(user, region: Region) -> list[Region]:
    """The region's ancestors the user may open, top first (a county centre starts at its county)."""
    codes = [c for c in region.path.strip("/").split("/") if c]
    chain = {r.code: r for r in Region.objects.filter(code__in=codes)}
    out = [chain[c] for c in codes if c in chain]
    if sees_everything(user):
        return [r for r in out if r.parent_id is not None] or out  # the province is above every city view
    top = user.agency.region
    return [r for r in out if top.contains(r)]


def _wan(value) -> float:
    """Yuan -> 万元 for the charts (two decimals; the exact yuan is in the tooltip's ``yuan``)."""
    return float((value / TEN_THOUSAND).quantize(CENT))


def typology_label(t: dict) -> tuple[str, str]:
    """(full name, short name) in the user's language; the short one fits a chart label."""
    name = t.get("name_en") if get_language() == "en" and t.get("name_en") else t["name"]
    limit = 24 if get_language() == "en" else 6
    return name, (name if len(name) <= limit else name[: limit - 1] + "…")


def chart_data(summary: dict, ranked: list[dict], grain: str) -> dict:
    """What dashboard.js draws: money in 万元 (with the exact yuan for the tooltip), counts as is."""
    scope = {"region": summary["region"], "start": summary["from"], "end": summary["to"]}
    f = summary["figures"]
    typologies = []
    for t in selectors.typology_mix(**scope):
        full, short = typology_label(t)
        typologies.append({"name": full, "short": short, "value": t["cases"], "loss": _wan(t["loss"])})
    return {
        "series": [{"period": r["period"].isoformat(), "cases": r["cases"], "loss": _wan(r["loss"]),
                    "stopped": _wan(r["stopped"]), "frozen": _wan(r["frozen"]),
                    "yuan": {k: str(r[k]) for k in ("loss", "stopped", "frozen")}}
                   for r in selectors.timeseries(**scope, grain=grain)],
        "typologies": typologies,
        "ages": [{"name": a["label"], "value": a["victims"]} for a in selectors.age_groups(**scope)],
        "ranked": [{"name": r["region"].name, "code": r["region"].code, "rate": float(r["rate"] or 0),
                    "cases": r["cases"]} for r in ranked],
        "money": {k: _wan(f[k]) for k in ("loss", "stopped", "frozen", "returned")},
        "money_yuan": {k: yuan_text(f[k]) for k in ("loss", "stopped", "frozen", "returned")},
    }


def dashboard_context(request, region, start, end, grain, data) -> dict:
    summary = selectors.summary(region=region, start=start, end=end)
    ranked = cached("ranked", region.pk, start, end,
                    compute=lambda: selectors.regions_ranked(region=region, start=start, end=end))
    query = {"region": region.code, "from": start.isoformat(), "to": end.isoformat()}
    return {
        "region": region, "start": start, "end": end, "grain": grain, "period": data["period"],
        "summary": summary, "f": summary["figures"], "links": figure_links(region, start, end),
        "ranked": ranked, "breadcrumbs": breadcrumbs(request.user, region),
        "chart_labels": chart_labels(),
        "query": "&".join("%s=%s" % kv for kv in query.items()), "grains": Grain.choices,
        "charts": cached("charts", region.pk, start, end, grain, get_language(),
                         compute=lambda: chart_data(summary, ranked, grain)),
        "presets": PeriodPreset.choices, **_tiles(ranked, summary["figures"]["rate"]),
    }


def _tiles(ranked, parent_rate) -> dict:
    tiles, bands = selectors.tile_map(ranked, parent_rate)
    return {"tiles": tiles, "tile_bands": bands}


def chart_labels() -> dict[str, str]:
    """The chart texts (source strings are the keys dashboard.js asks for)."""
    return {"发案数": _("发案数"), "损失金额": _("损失金额"), "止付金额": _("止付金额"), "起": _("起"), "元": _("元"),
            "万元": _("万元"), "人": _("人"), "万人发案率": _("万人发案率"),
            "损失": _("损失"), "止付": _("止付"), "冻结": _("冻结"), "返还": _("返还")}


class DashboardView(LoginRequiredMixin, View):
    """The leadership dashboard: a period and a region, drilled down from the city."""

    template_name = "dashboards/dashboard.html"

    def get(self, request):
        try:
            region, start, end, grain, data = _params(request)
        except BadRequest as exc:
            return _bad_request(request, str(exc))
        return render(request, self.template_name, dashboard_context(request, region, start, end, grain, data))


class DashboardFiguresView(DashboardView):
    """The live part of the dashboard (figures and chart data), re-fetched by live.js."""

    template_name = "dashboards/_figures.html"


class HotSpotsView(LoginRequiredMixin, View):
    def get(self, request):
        try:
            region, start, end, _grain, data = _params(request)
        except BadRequest as exc:
            return _bad_request(request, str(exc))
        spots = selectors.hot_spots(region=region, start=start, end=end)
        can_list = sees_everything(request.user)
        if can_list:  # each area's own station and communities only (the service checks it too)
            candidates = responsible_candidates(region)
            for spot in spots:
                spot["candidates"] = [a for a in candidates if can_be_responsible(a, spot["region"])]
        return render(request, "dashboards/hotspots.html", {
            "region": region, "start": start, "end": end, "period": data["period"], "spots": spots,
            "rectifications": selectors.rectifications(region=region, include_delisted=True),
            "can_list": can_list, "today": timezone.localdate(),
        })


@login_required
@require_POST
def rectification_list_view(request):
    region = Region.objects.filter(code=request.POST.get("region", "")).first()
    agency = Agency.objects.filter(pk=request.POST.get("responsible_agency") or 0).first()
    try:
        if region is None or agency is None:
            raise ValidationError(_("请选择整治区域和责任单位。"))
        deadline = _date(request.POST.get("deadline"))
        rect = rectification_list(actor=request.user, region=region, responsible_agency=agency,
                                  reason=request.POST.get("reason", ""), deadline=deadline, request=request)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(request.POST.get("next") or "dashboards:hotspots")
    messages.success(request, _("已将 %(region)s 挂牌整治。") % {"region": rect.region.name})
    return redirect("dashboards:rectification", pk=rect.pk)


def _date(value):
    from datetime import date

    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise ValidationError(_("整治期限格式应为 YYYY-MM-DD。")) from None


def _visible_rectification(user, pk) -> Rectification:
    rect = get_object_or_404(Rectification.objects.select_related("region", "responsible_agency"), pk=pk)
    # The office, the responsible agency and whoever sees the area's figures may follow it.
    if user.agency_id == rect.responsible_agency_id:
        return rect
    try:
        require_region(user, rect.region)
    except PermissionDenied:
        raise Http404 from None
    return rect


class RectificationView(LoginRequiredMixin, View):
    def get(self, request, pk):
        rect = _visible_rectification(request.user, pk)
        weeks = selectors.rectification_tracking(rect, until=timezone.localdate())
        return render(request, "dashboards/rectification.html", {
            "rect": rect, "weeks": weeks, "can_delist": sees_everything(request.user) and rect.status == "listed",
        })


@login_required
@require_POST
def rectification_delist_view(request, pk):
    rect = _visible_rectification(request.user, pk)
    try:
        rectification_delist(actor=request.user, rectification=rect, note=request.POST.get("note", ""), request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已摘牌。"))
    return redirect("dashboards:rectification", pk=rect.pk)


def _period(request) -> AssessmentPeriod:
    try:
        return resolve_period(request.GET.get("period"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


class LeagueView(LoginRequiredMixin, View):
    """The league table by agency kind, visible to every member (regular public ranking)."""

    def get(self, request):
        try:
            period = _period(request)
        except BadRequest as exc:
            return _bad_request(request, str(exc))
        rows = assessment.league(period)
        groups: dict = {}
        for row in rows:
            groups.setdefault(row["agency"].get_kind_display(), []).append(row)
        return render(request, "dashboards/league.html", {
            "period": period, "groups": groups, "periods": AssessmentPeriod.objects.all()[:24],
            "weights": assessment.period_weights(period), "weight_labels": weight_labels(),
            "is_office": sees_everything(request.user), "current_weights": assessment.current_weights(),
            **self.region_league(request.user, period),
        })

    @staticmethod
    def region_league(user, period) -> dict:
        """The core indicator: sub-regions by cases per 10,000 residents, for those who see regions."""
        try:
            region = require_region(user, default_region(user))
        except (PermissionDenied, Http404):
            return {"region_league": None}
        rows = cached("region_league", region.pk, period.start, period.end,
                      compute=lambda: selectors.region_league(region=region, start=period.start, end=period.end))
        return {"region_league": rows, "league_region": region}


def weight_labels() -> dict[str, str]:
    return {
        "ack_in_time": _("按时签收率"), "within_deadline": _("按时办结率"), "money_held": _("止付冻结到位率"),
        "dissuasion_reach": _("劝阻触达率"), "dissuasion_success": _("劝阻成功率"),
        "publicity_coverage": _("宣传覆盖率"), "not_overdue": _("未超期率"),
    }


@login_required
@require_POST
def weights_view(request):
    weights = {k: request.POST.get(k, "") for k in DEFAULT_WEIGHTS}
    period = AssessmentPeriod.objects.filter(pk=request.POST.get("period") or 0).first()
    try:
        weights_update(actor=request.user, weights=weights, period=period, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("考核权重已更新；已结束的考核周期不受影响。"))
    return redirect(reverse("dashboards:league") + ("?period=%d" % period.pk if period else ""))


class AgencyAssessmentView(LoginRequiredMixin, View):
    """One agency's assessment detail: itself and the office only (404 for anyone else)."""

    def get(self, request, code):
        agency = get_object_or_404(Agency, code=code)
        if not can_see_agency_detail(request.user, agency):
            raise Http404
        try:
            period = _period(request)
        except BadRequest as exc:
            return _bad_request(request, str(exc))
        row = assessment.agency_result(period, agency)
        metrics = (row or {}).get("metrics") or {}
        kind_labels = dict(RequestKind.choices)
        labels, weights = weight_labels(), assessment.period_weights(period)
        applied = metrics.get("indicators") or {}
        rows = [{"key": key, "label": labels[key], "weight": weights.get(key, 0), **applied[key]}
                for key in assessment.KIND_INDICATORS.get(agency.kind, ()) if key in applied]
        missing = [labels[key] for key in assessment.KIND_INDICATORS.get(agency.kind, ()) if key not in applied]
        return render(request, "dashboards/agency_assessment.html", {
            "agency": agency, "period": period, "row": row, "m": metrics, "indicators": rows, "missing": missing,
            "kinds": [(kind_labels.get(k, k), v) for k, v in sorted(metrics.get("by_kind", {}).items())],
            "periods": AssessmentPeriod.objects.all()[:24], "weight_labels": labels,
        })


class AssessmentItemsView(LoginRequiredMixin, View):
    """What one score is made of: the requests, tasks or outreach behind one indicator."""

    def get(self, request, code, indicator):
        agency = get_object_or_404(Agency, code=code)
        if not can_see_agency_detail(request.user, agency):
            raise Http404
        if indicator not in assessment.KIND_INDICATORS.get(agency.kind, ()):
            raise Http404
        try:
            period = _period(request)
        except BadRequest as exc:
            return _bad_request(request, str(exc))
        found = assessment.indicator_items(agency=agency, indicator=indicator, start=period.start, end=period.end)
        kind_labels = dict(RequestKind.choices)
        for item in found["items"]:
            item["kind_label"] = kind_labels.get(item.get("kind"), item.get("kind"))
        return render(request, "dashboards/assessment_items.html", {
            "agency": agency, "period": period, "indicator": indicator, "label": weight_labels()[indicator],
            "shown": assessment.ITEMS_SHOWN, **found,
        })


@login_required
def own_assessment(request):
    if not request.user.agency_id:
        raise Http404
    return redirect("dashboards:agency", code=request.user.agency.code)


class ReportView(LoginRequiredMixin, View):
    """The weekly report for the joint meeting: printable page (the browser prints it to PDF)."""

    def get(self, request):
        try:
            context = reports.report_context(request)
        except BadRequest as exc:
            return _bad_request(request, str(exc))
        context["charts"] = chart_data(context["summary"], context["ranked"], "day")
        context["chart_labels"] = chart_labels()
        return render(request, "dashboards/report.html", context)


class ReportXlsxView(LoginRequiredMixin, View):
    def get(self, request):
        try:
            context = reports.report_context(request)
        except BadRequest as exc:
            return HttpResponseBadRequest(str(exc))
        content = reports.report_xlsx(context)
        reports.audit_export(request, context)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="weekly-report-%s.xlsx"' % context["end"].isoformat()
        return response
