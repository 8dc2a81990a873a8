"""Forms for editing a case and working it: fields (with the version read), a note with its
mentions, an evidence file, a task. Shape only: the rules live in cases.services_edit and
cases.services_work."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.choices import Role
from agencies.models import Agency, User
from core.datetimes import BoundedDateTimeFormField

from .choices import PaymentChannel
from .forms import DATETIME_INPUT_FORMATS, DateTimeLocalInput, _control, case_regions
from .models import Typology


class CaseEditForm(forms.Form):
    """The case's own fields, and the version they were read at (the conflict check)."""

    version = forms.IntegerField(widget=forms.HiddenInput(), min_value=0)
    occurred_at = BoundedDateTimeFormField(
        label=_("发案时间"), input_formats=DATETIME_INPUT_FORMATS, widget=_control(DateTimeLocalInput())
    )
    region = forms.ModelChoiceField(label=_("发案地"), queryset=None, widget=_control(forms.Select()))
    typology = forms.ModelChoiceField(label=_("诈骗类型"), queryset=None, widget=_control(forms.Select()))
    loss_amount = forms.DecimalField(
        label=_("损失金额（元）"), min_value=Decimal(0), max_digits=14, decimal_places=2,
        widget=_control(forms.NumberInput(), step="0.01", inputmode="decimal"),
    )
    payment_channel = forms.ChoiceField(label=_("支付渠道"), choices=PaymentChannel.choices, widget=_control(forms.Select()))
    narrative = forms.CharField(label=_("简要案情"), required=False, widget=_control(forms.Textarea(), rows=4))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = case_regions()
        self.fields["typology"].queryset = Typology.objects.filter(is_active=True)

    @classmethod
    def for_case(cls, case):
        return cls(initial={
            "version": case.version, "occurred_at": case.occurred_at, "region": case.region_id,
            "typology": case.typology_id, "loss_amount": case.loss_amount,
            "payment_channel": case.payment_channel, "narrative": case.narrative,
        })

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("备注"), max_length=4000,
        widget=_control(forms.Textarea(), rows=3, placeholder=_("写下备注；用 @用户名 或 @单位代码 提及同事或单位"))
    )
    users = forms.ModelMultipleChoiceField(label=_("提及同事"), queryset=User.objects.none(), required=False,
                                           widget=_control(forms.SelectMultiple(), size=3))
    agencies = forms.ModelMultipleChoiceField(label=_("提及单位"), queryset=Agency.objects.none(), required=False,
                                              widget=_control(forms.SelectMultiple(), size=3))

    def __init__(self, *args, audience: set[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = (
            User.objects.filter(agency_id__in=audience, is_active=True, is_service_account=False)
            .exclude(role=Role.VIEWER).select_related("agency").order_by("agency__name", "username"))
        self.fields["users"].label_from_instance = lambda u: "%s（%s）" % (u.get_full_name() or u.username, u.agency.name)
        self.fields["agencies"].queryset = Agency.objects.filter(pk__in=audience, is_active=True).order_by("name")


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("证据文件"), widget=_control(forms.ClearableFileInput(),
                                                               accept=".png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.csv,.json"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False, widget=_control(forms.TextInput()))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=200, widget=_control(forms.TextInput()))
    assignee_user = forms.ModelChoiceField(label=_("负责人"), queryset=User.objects.none(), required=False,
                                           widget=_control(forms.Select()))
    assignee_agency = forms.ModelChoiceField(label=_("或负责单位"), queryset=Agency.objects.none(), required=False,
                                             widget=_control(forms.Select()))
    due_date = forms.DateField(label=_("截止日期"), widget=_control(forms.DateInput(attrs={"type": "date"})))
    description = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=_control(forms.Textarea(), rows=2))

    def __init__(self, *args, audience: set[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_user"].queryset = (
            User.objects.filter(agency_id__in=audience, is_active=True, is_service_account=False)
            .exclude(role=Role.VIEWER).select_related("agency").order_by("agency__name", "username"))
        self.fields["assignee_user"].label_from_instance = lambda u: "%s（%s）" % (u.get_full_name() or u.username, u.agency.name)
        self.fields["assignee_agency"].queryset = Agency.objects.filter(pk__in=audience, is_active=True).order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("assignee_user") and not data.get("assignee_agency"):
            self.add_error("assignee_user", _("请指定负责人或负责单位。"))
        return data
