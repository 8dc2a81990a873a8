"""GET /api/v1/stats/summary/, /stats/timeseries/, /stats/assessment/ (read-only).

Bad parameters answer 400 with ``detail`` (one sentence) and ``errors`` (per parameter), in the
caller's language. Scope: see ``dashboards.access`` (403 for agencies without region figures,
404 for a region outside the caller's scope).
"""

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import assessment, selectors
from ..access import can_see_agency_detail, default_region, require_region, sees_everything
from ..cache import cached
from ..choices import Grain
from ..forms import StatsParamsForm
from ..models import AssessmentPeriod
from ..services import period_for_month
from .serializers import AssessmentSerializer, SummarySerializer, TimeseriesSerializer

REGION = OpenApiParameter("region", str, description="region code (default: the caller's region)")
FROM = OpenApiParameter("from", str, description="first day, YYYY-MM-DD (default: 29 days before `to`)")
TO = OpenApiParameter("to", str, description="last day, YYYY-MM-DD, inclusive (default: today)")
PERIOD = OpenApiParameter("period", str, enum=["30d", "week", "month", "quarter", "year", "custom"],
                          description="last 30 days (the default) / this week / month / quarter / year, instead of from/to")
GRAIN = OpenApiParameter("grain", str, enum=list(Grain.values), description="bucket size")


def _params(request):
    form = StatsParamsForm(request.query_params)
    if not form.is_valid():  # 400 {"detail", "code", "errors"} from the API's exception handler
        raise ValidationError({("from" if k == "from_" else k): [str(m) for m in v] for k, v in form.errors.items()})
    data = form.cleaned_data
    user = request.user
    try:
        region = require_region(user, data["region"] or default_region(user))
    except DjangoPermissionDenied:
        raise PermissionDenied(_("您所在单位无权查看区域统计数据。")) from None
    except Http404:
        raise NotFound(_("该区域不在您的查看范围内。")) from None
    return region, data


class StatsView(APIView):
    def get(self, request):
        region, data = _params(request)
        return Response(self.payload(region, data))


class SummaryView(StatsView):
    """Headline figures of a region and period, with the previous period and last year."""

    @extend_schema(parameters=[REGION, FROM, TO, PERIOD], responses={200: SummarySerializer})
    def get(self, request):
        return super().get(request)

    def payload(self, region, data):
        return SummarySerializer(selectors.summary(region=region, start=data["start"], end=data["end"])).data


class TimeseriesView(StatsView):
    """Cases, loss and money stopped/frozen per day/week/month; typology mix; victims by age."""

    @extend_schema(parameters=[REGION, FROM, TO, PERIOD, GRAIN], responses={200: TimeseriesSerializer})
    def get(self, request):
        return super().get(request)

    def payload(self, region, data):
        scope = {"region": region, "start": data["start"], "end": data["end"]}

        def compute():
            return TimeseriesSerializer({
                "region": region, "from": data["start"], "to": data["end"], "grain": data["grain"],
                "series": selectors.timeseries(**scope, grain=data["grain"]),
                "typologies": selectors.typology_mix(**scope), "age_groups": selectors.age_groups(**scope),
            }).data

        return cached("timeseries", region.pk, data["start"], data["end"], data["grain"], compute=compute)


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def resolve_period(value: str | None) -> AssessmentPeriod:
    """A period id, or YYYY-MM for that month (created on first use); default this month.

    Raises ValueError with a translated message for anything else.
    """
    value = (value or "").strip()
    if not value:
        today = timezone.localdate()
        return period_for_month(today.year, today.month)
    if value.isdigit():
        period = AssessmentPeriod.objects.filter(pk=int(value)).first()
        if period is None:
            raise ValueError(_("考核周期 %(value)s 不存在。") % {"value": value})
        return period
    match = MONTH.match(value)
    if match and 1 <= int(match.group(2)) <= 12 and 2000 <= int(match.group(1)) <= 2100:
        return period_for_month(int(match.group(1)), int(match.group(2)))
    raise ValueError(_("考核周期应为周期编号或 YYYY-MM 格式的月份。"))


def assessment_payload(user, period: AssessmentPeriod) -> dict:
    rows = assessment.results(period)
    return {
        "period": period,
        "league": [{"agency": r["agency"], "score": r["score"], "rank": r["rank"],
                    "within_share": (r["metrics"] or {}).get("within_share")} for r in rows],
        "detail": [r for r in rows if can_see_agency_detail(user, r["agency"])] if not sees_everything(user)
        else rows,
    }


class AssessmentView(APIView):
    """The league table of every member agency (visible to all) and the detail the caller may see."""

    @extend_schema(parameters=[OpenApiParameter("period", str, description="period id or YYYY-MM (default: this month)")],
                   responses={200: AssessmentSerializer})
    def get(self, request):
        try:
            period = resolve_period(request.query_params.get("period"))
        except ValueError as exc:
            raise ValidationError({"period": [str(exc)]}) from None
        return Response(AssessmentSerializer(assessment_payload(request.user, period)).data)
