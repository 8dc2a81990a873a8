"""Forms of the publicity pages. They check shape; the rules live in services (their
ValidationErrors are put back on the form beside what was typed)."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Region
from cases.models import Typology
from core.forms import bootstrap_widgets

from .choices import Channel, ContentKind, TargetGroup
from .models import Campaign, ContentItem, FraudFreeCriteria


def _style(form: forms.BaseForm) -> None:
    bootstrap_widgets(form, skip=tuple(name for name, field in form.fields.items()
                                       if isinstance(field.widget, forms.CheckboxInput)))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def put_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError, shown on the matching fields (the rest above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def outreach_regions(agency: Agency):
    """Where an agency can log outreach: its own area and everything below it."""
    return Region.objects.filter(path__startswith=agency.region.path).order_by("path")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class _OutreachContextForm(forms.Form):
    """Where and under which campaign a user may log outreach: shared by one entry and a round."""

    date = forms.DateField(label=_("日期"), widget=DateInput())
    region = forms.ModelChoiceField(label=_("所在区域"), queryset=Region.objects.none())
    campaign = forms.ModelChoiceField(label=_("所属活动"), queryset=Campaign.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["region"].queryset = outreach_regions(user.agency)
        self.fields["region"].initial = user.agency.region_id
        self.fields["date"].initial = today
        self.fields["campaign"].queryset = Campaign.objects.restrict(user).filter(
            starts_on__lte=today, ends_on__gte=today - timedelta(days=30))


class OutreachForm(_OutreachContextForm):
    """One activity, sized for a phone: the fields a grid worker fills standing in a stairwell."""

    field_order = ["date", "place", "region", "channel", "target_group", "people_reached", "campaign"]
    place = forms.CharField(label=_("地点"), max_length=120)
    channel = forms.ChoiceField(label=_("方式"), choices=Channel.choices)
    target_group = forms.ChoiceField(label=_("对象人群"), choices=TargetGroup.choices)
    people_reached = forms.IntegerField(label=_("覆盖人数"), min_value=1, max_value=100_000,
                                        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    materials = forms.ModelMultipleChoiceField(label=_("使用素材"), queryset=ContentItem.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    materials_note = forms.CharField(label=_("其他材料"), max_length=200, required=False,
                                     help_text=_("如：折页 50 份、海报 2 张"))
    note = forms.CharField(label=_("备注"), max_length=300, required=False)
    photos = MultipleFileField(label=_("照片（JPEG/PNG，每张不超过 5 MB）"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["materials"].queryset = ContentItem.objects.restrict(user).usable().order_by("title")
        _style(self)


class RoundForm(_OutreachContextForm):
    """A day's door-to-door round: what is common to every stop."""

    field_order = ["date", "region", "channel", "campaign"]
    channel = forms.ChoiceField(label=_("方式"), choices=Channel.choices, initial=Channel.DOOR_TO_DOOR)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        _style(self)


class StopForm(forms.Form):
    """One stop of the round: a building, a household, a shop."""

    place = forms.CharField(label=_("地点"), max_length=120, required=False,
                            widget=forms.TextInput(attrs={"placeholder": _("如：3栋2单元")}))
    target_group = forms.ChoiceField(label=_("对象人群"), choices=TargetGroup.choices, initial=TargetGroup.ELDERLY)
    people_reached = forms.IntegerField(label=_("人数"), min_value=1, max_value=100_000, required=False,
                                        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("place") and not data.get("people_reached"):
            self.add_error("people_reached", _("请填写覆盖人数。"))
        if data.get("people_reached") and not data.get("place"):
            self.add_error("place", _("请填写地点。"))
        return data


class BaseStopFormSet(forms.BaseFormSet):
    def filled(self) -> list[forms.Form]:
        return [f for f in self.forms if f.cleaned_data.get("place")]

    def clean(self):
        super().clean()
        if not any(self.errors) and not self.filled():
            raise ValidationError(_("请至少填写一户/一处走访记录。"))


StopFormSet = forms.formset_factory(StopForm, formset=BaseStopFormSet, extra=5, max_num=40, validate_max=True)


class CampaignForm(forms.ModelForm):
    typologies = forms.ModelMultipleChoiceField(label=_("针对诈骗类型"), queryset=Typology.objects.filter(is_active=True),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    target_groups = forms.MultipleChoiceField(label=_("目标人群"), choices=TargetGroup.choices, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    channels = forms.MultipleChoiceField(label=_("宣传渠道"), choices=Channel.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    target_regions = forms.ModelMultipleChoiceField(label=_("目标区域"),
                                                    queryset=Region.objects.filter(level__gte=3).order_by("path"),
                                                    widget=forms.SelectMultiple(attrs={"size": 8}))
    agencies = forms.ModelMultipleChoiceField(label=_("参与单位"), queryset=Agency.objects.filter(is_active=True),
                                              required=False, widget=forms.SelectMultiple(attrs={"size": 8}))

    class Meta:
        model = Campaign
        fields = ["title", "message", "typologies", "target_groups", "target_regions", "channels", "starts_on",
                  "ends_on", "agencies"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def _post_clean(self):
        pass  # the service validates and saves (a ModelForm would write the instance itself)


class ContentForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ContentKind.choices)
    title = forms.CharField(label=_("标题"), max_length=120)
    typology = forms.ModelChoiceField(label=_("诈骗类型"), queryset=Typology.objects.filter(is_active=True),
                                      required=False)
    body = forms.CharField(label=_("正文/脚本"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    link = forms.URLField(label=_("素材链接"), required=False, assume_scheme="https")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


class BulletinForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=150)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 16}))
    advice = forms.CharField(label=_("防范提示"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class DraftForm(forms.Form):
    week_start = forms.DateField(label=_("通报周（该周任意一天）"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class CriteriaForm(forms.ModelForm):
    class Meta:
        model = FraudFreeCriteria
        fields = ["months_without_case", "coverage_per_10k", "dissuaded_share"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ApplyForm(forms.Form):
    statement = forms.CharField(label=_("申请说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class DecideForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)
