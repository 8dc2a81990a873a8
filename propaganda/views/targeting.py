from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from agencies.choices import RegionLevel
from agencies.models import Region

from .. import access
from ..forms import DateInput, _style
from ..selectors import region_ranking, typology_group_table
from .common import MemberMixin


class TargetingForm(forms.Form):
    date_from = forms.DateField(label=_("日期起"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("日期止"), required=False, widget=DateInput())
    level = forms.TypedChoiceField(label=_("区域层级"), coerce=int, required=False,
                                   choices=[(RegionLevel.COUNTY, _("区县")), (RegionLevel.TOWN, _("乡镇/街道")),
                                            (RegionLevel.COMMUNITY, _("社区/村"))])
    within = forms.ModelChoiceField(label=_("范围"), required=False,
                                    queryset=Region.objects.filter(level__in=[2, 3]).order_by("path"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class TargetingView(MemberMixin, TemplateView):
    """Where cases happen against where publicity went, and who is being hit by what."""

    template_name = "propaganda/targeting.html"
    allowed = access.sees_targeting

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        form = TargetingForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        until = data.get("date_to") or today
        since = data.get("date_from") or until - timedelta(days=90)
        level = data.get("level") or RegionLevel.TOWN
        within = data.get("within")
        ctx = super().get_context_data(**kwargs)
        ctx.update(form=form, since=since, until=until,
                   ranking=region_ranking(since=since, until=until, level=level, within=within),
                   table=typology_group_table(since=since, until=until, within=within))
        return ctx
