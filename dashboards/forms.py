"""The query parameters of every dashboard page and stats API, validated once."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Region

from .choices import Grain, PeriodPreset
from .constants import LAST_DAYS, MAX_RANGE_DAYS


class BadParams(Exception):
    """Query parameters that do not validate; the message is ready for the user."""


def today() -> date:
    return timezone.localdate()


def preset_range(preset: str, day: date | None = None) -> tuple[date, date]:
    """The dates of a preset period, ending today (or ``day``)."""
    day = day or today()
    if preset == PeriodPreset.WEEK:
        return day - timedelta(days=day.weekday()), day
    if preset == PeriodPreset.MONTH:
        return day.replace(day=1), day
    if preset == PeriodPreset.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1), day
    if preset == PeriodPreset.YEAR:
        return day.replace(month=1, day=1), day
    return day - timedelta(days=LAST_DAYS - 1), day


class StatsParamsForm(forms.Form):
    """region (code), from/to (dates, inclusive) or period (30d/week/month/quarter/year; default the
    last 30 days), grain (day/week/month)."""

    region = forms.CharField(label=_("区域"), required=False, max_length=12)
    period = forms.ChoiceField(label=_("期间"), choices=PeriodPreset.choices, required=False)
    from_ = forms.DateField(label=_("开始日期"), required=False,
                            error_messages={"invalid": _("开始日期格式应为 YYYY-MM-DD。")})
    to = forms.DateField(label=_("结束日期"), required=False, error_messages={"invalid": _("结束日期格式应为 YYYY-MM-DD。")})
    grain = forms.ChoiceField(label=_("粒度"), choices=Grain.choices, required=False,
                              error_messages={"invalid_choice": _("粒度只能是 day、week 或 month。")})

    def __init__(self, data=None, *args, **kwargs):
        # "from" is a Python keyword: the form field is from_, the query parameter "from".
        if data is not None:
            data = data.copy()
            if "from" in data:
                data["from_"] = data.get("from")
        super().__init__(data, *args, **kwargs)
        self.fields["period"].error_messages["invalid_choice"] = _("期间只能是 30d、week、month、quarter、year 或 custom。")

    def clean_region(self):
        code = (self.cleaned_data.get("region") or "").strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("未知的区划代码：%(code)s。"), params={"code": code})
        return region

    def clean(self):
        data = super().clean()
        start, end = data.get("from_"), data.get("to")
        if self.errors:
            return data
        preset = data.get("period") or (PeriodPreset.CUSTOM if start or end else PeriodPreset.LAST_30)
        if preset != PeriodPreset.CUSTOM:
            start, end = preset_range(preset)
        else:
            end = end or today()
            start = start or end - timedelta(days=LAST_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        if (end - start).days > MAX_RANGE_DAYS:
            raise forms.ValidationError(_("查询区间不能超过三年。"))
        data["period"], data["start"], data["end"] = preset, start, end
        data["grain"] = data.get("grain") or (Grain.DAY if (end - start).days <= 62 else Grain.MONTH)
        return data

    def error_text(self) -> str:
        return " ".join(str(m) for errors in self.errors.values() for m in errors)
