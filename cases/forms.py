"""Forms of the cases pages: intake (case + victims + indicators), actions, import upload.

Forms only check shape and turn text into values; the rules that need the database (linking,
duplicates, transitions, who may do what) live in cases.services, and a ValidationError raised
there is put back on the form so the officer sees it beside what they typed.
"""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.choices import POLICE_KINDS, AgencyKind, Role
from agencies.models import Agency, Region, User
from core.datetimes import BoundedDateTimeFormField

from .choices import CaseStatus, CloseReason, Gender, IndicatorKind, IndicatorRole, PayeeKind, PaymentChannel
from .models import Typology

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]

# The role an indicator most often plays, so the form and the import can default it.
DEFAULT_ROLE = {
    IndicatorKind.PHONE: IndicatorRole.CALLING_NUMBER,
    IndicatorKind.ACCOUNT: IndicatorRole.RECEIVING_ACCOUNT_L1,
    IndicatorKind.URL: IndicatorRole.PHISHING_URL,
    IndicatorKind.APP: IndicatorRole.FRAUD_APP,
    IndicatorKind.SOCIAL: IndicatorRole.SOCIAL_ACCOUNT,
    IndicatorKind.WALLET: IndicatorRole.CRYPTO_WALLET,
    IndicatorKind.IP: IndicatorRole.SOURCE_IP,
}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _control(widget: forms.Widget, **attrs) -> forms.Widget:
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    widget.attrs.setdefault("class", css)
    widget.attrs.update(attrs)
    return widget


def _live_check(field: str, include: str | None = None) -> dict:
    """htmx attributes that check a value as it is typed and show the result under it."""
    attrs = {
        "hx-get": "%s?field=%s" % (reverse("cases:validate"), field),
        "hx-trigger": "keyup changed delay:400ms, change",
        "hx-target": "next .live-check",
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
    }
    if include:
        attrs["hx-include"] = include
    return attrs


def case_regions():
    """Where a case can happen: the city and everything under it (counties, streets ...)."""
    return Region.objects.filter(level__gte=2).order_by("path")


class CaseIntakeForm(forms.Form):
    """The facts of the case as the victim tells them at the station."""

    occurred_at = BoundedDateTimeFormField(
        label=_("发案时间"), input_formats=DATETIME_INPUT_FORMATS, widget=_control(DateTimeLocalInput())
    )
    reported_at = BoundedDateTimeFormField(
        label=_("报案时间"),
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=_control(DateTimeLocalInput()),
        help_text=_("留空则为当前时间。"),
    )
    region = forms.ModelChoiceField(
        label=_("发案地"), queryset=Region.objects.none(), widget=_control(forms.Select())
    )
    typology = forms.ModelChoiceField(
        label=_("诈骗类型"), queryset=Typology.objects.none(), widget=_control(forms.Select())
    )
    loss_amount = forms.DecimalField(
        label=_("损失金额（元）"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        widget=_control(forms.NumberInput(), step="0.01", inputmode="decimal"),
        help_text=_("留空则为下方各笔交易金额之和。"),
    )
    payment_channel = forms.ChoiceField(
        label=_("支付渠道"), choices=PaymentChannel.choices, widget=_control(forms.Select())
    )
    narrative = forms.CharField(
        label=_("简要案情"), required=False, widget=_control(forms.Textarea(), rows=4)
    )
    reporting_agency = forms.ModelChoiceField(
        label=_("受理单位"), queryset=Agency.objects.none(), widget=_control(forms.Select())
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = case_regions()
        self.fields["typology"].queryset = Typology.objects.filter(is_active=True)
        police = Agency.objects.filter(kind__in=POLICE_KINDS, is_active=True)
        if user is not None and not user.is_superuser:
            # A station files its own reports; only the admin files on another unit's behalf.
            police = police.filter(pk=user.agency_id)
        self.fields["reporting_agency"].queryset = police
        if user is not None and user.agency_id and "reporting_agency" not in self.initial:
            self.initial["reporting_agency"] = user.agency_id
            if user.agency:
                self.initial.setdefault("region", user.agency.region_id)

    def clean(self):
        data = super().clean()
        occurred, reported = data.get("occurred_at"), data.get("reported_at")
        now = timezone.now()
        if occurred and occurred > now + timedelta(minutes=5):
            self.add_error("occurred_at", _("发案时间不能晚于当前时间。"))
        if occurred and reported and reported < occurred:
            self.add_error("reported_at", _("报案时间不能早于发案时间。"))
        return data


class VictimForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, widget=_control(forms.TextInput()))
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        required=False,
        widget=_control(forms.TextInput(), autocomplete="off", maxlength="18"),
    )
    phone = forms.CharField(
        label=_("手机号"), max_length=20, required=False, widget=_control(forms.TextInput(), inputmode="tel")
    )
    age = forms.IntegerField(
        label=_("年龄"), required=False, min_value=0, max_value=120, widget=_control(forms.NumberInput())
    )
    gender = forms.ChoiceField(
        label=_("性别"), choices=Gender.choices, initial=Gender.UNKNOWN, widget=_control(forms.Select())
    )
    occupation = forms.CharField(
        label=_("职业"), max_length=50, required=False, widget=_control(forms.TextInput())
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(_live_check("id_number"))

    def clean_id_number(self):
        from .validation import validate_id_number

        value = self.cleaned_data["id_number"].strip().upper()
        if value:
            validate_id_number(value)
        return value

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if value and not any(ch.isdigit() for ch in value):
            raise ValidationError(_("请输入有效的手机号。"))
        return value


class IndicatorForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=IndicatorKind.choices, widget=_control(forms.Select()))
    value = forms.CharField(
        label=_("线索值"), max_length=255, widget=_control(forms.TextInput(), autocomplete="off")
    )
    role = forms.ChoiceField(
        label=_("角色"), choices=IndicatorRole.choices, required=False, widget=_control(forms.Select())
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs.update(_live_check("indicator", include="closest .formset-row"))

    def has_changed(self):
        # The kind select always posts a value: a row counts as filled only when a value was
        # typed, so a blank row never blocks a case with one indicator or none.
        return bool((self.data.get(self.add_prefix("value")) or "").strip()) if self.is_bound else False

    def clean(self):
        from .validation import normalize_indicator

        data = super().clean()
        kind, value = data.get("kind"), (data.get("value") or "").strip()
        if kind and value:
            try:
                data["normalized"] = normalize_indicator(kind, value)
            except ValidationError as exc:
                self.add_error("value", exc)
        if kind and not data.get("role"):
            data["role"] = DEFAULT_ROLE.get(kind, IndicatorRole.OTHER)
        return data


class _AtLeastOneFormSet(forms.BaseFormSet):
    """A formset whose blank extra rows are ignored but which needs ``min_filled`` real rows."""

    min_filled = 0
    empty_message = ""

    def filled_forms(self):
        return [f for f in self.forms if f.has_changed() and f not in self.deleted_forms]

    def clean(self):
        if any(self.errors):
            return
        if len(self.filled_forms()) < self.min_filled:
            raise ValidationError(self.empty_message)


class VictimBaseFormSet(_AtLeastOneFormSet):
    min_filled = 1
    empty_message = _("请至少填写一名受害人。")


class IndicatorBaseFormSet(_AtLeastOneFormSet):
    min_filled = 0

    def clean(self):
        super().clean()
        seen = set()
        for form in self.filled_forms():
            key = (form.cleaned_data.get("kind"), form.cleaned_data.get("normalized"), form.cleaned_data.get("role"))
            if key in seen:
                form.add_error("value", _("同一线索以相同角色重复填写。"))
            seen.add(key)


class TransactionForm(forms.Form):
    """One payment the victim made (a row of the intake form's transaction list)."""

    occurred_at = BoundedDateTimeFormField(
        label=_("交易时间"), input_formats=DATETIME_INPUT_FORMATS, widget=_control(DateTimeLocalInput())
    )
    amount = forms.DecimalField(
        label=_("金额（元）"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2,
        widget=_control(forms.NumberInput(), step="0.01", inputmode="decimal"),
    )
    channel = forms.ChoiceField(
        label=_("支付渠道"), choices=PaymentChannel.choices, initial=PaymentChannel.BANK_TRANSFER,
        widget=_control(forms.Select()),
    )
    payer_account = forms.CharField(
        label=_("受害人付款账号"), max_length=64, required=False,
        widget=_control(forms.TextInput(), autocomplete="off", inputmode="numeric"),
    )
    payee_kind = forms.ChoiceField(
        label=_("收款方类型"), choices=PayeeKind.choices, initial=PayeeKind.ACCOUNT, widget=_control(forms.Select())
    )
    payee_account = forms.CharField(
        label=_("收款账号/钱包/商户"), max_length=128, widget=_control(forms.TextInput(), autocomplete="off")
    )
    payee_institution = forms.CharField(
        label=_("收款银行/机构"), max_length=100, required=False, widget=_control(forms.TextInput())
    )
    reference = forms.CharField(
        label=_("交易流水号"), max_length=64, required=False, widget=_control(forms.TextInput(), autocomplete="off")
    )

    FILLED = ("occurred_at", "amount", "payer_account", "payee_account", "payee_institution", "reference")

    def has_changed(self):
        # The selects always post a value: a row is filled when something was typed into it.
        if not self.is_bound:
            return False
        return any((self.data.get(self.add_prefix(name)) or "").strip() for name in self.FILLED)

    def clean(self):
        data = super().clean()
        kind, payee = data.get("payee_kind"), (data.get("payee_account") or "").strip()
        if payee and kind in (PayeeKind.ACCOUNT, PayeeKind.WALLET):
            from .validation import normalize_indicator

            try:
                normalize_indicator(IndicatorKind.ACCOUNT if kind == PayeeKind.ACCOUNT else IndicatorKind.WALLET, payee)
            except ValidationError as exc:
                self.add_error("payee_account", exc)
        occurred = data.get("occurred_at")
        if occurred and occurred > timezone.now() + timedelta(minutes=5):
            self.add_error("occurred_at", _("交易时间不能晚于当前时间。"))
        return data

    def service_row(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "DELETE"}


class TransactionBaseFormSet(_AtLeastOneFormSet):
    min_filled = 0


VictimFormSet = forms.formset_factory(VictimForm, formset=VictimBaseFormSet, extra=1, max_num=50, absolute_max=50)
IndicatorFormSet = forms.formset_factory(
    IndicatorForm, formset=IndicatorBaseFormSet, extra=1, max_num=100, absolute_max=100
)
TransactionFormSet = forms.formset_factory(
    TransactionForm, formset=TransactionBaseFormSet, extra=1, max_num=200, absolute_max=200
)


# --- actions on the case page ------------------------------------------------------------
class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("指派给"), queryset=User.objects.none(), widget=_control(forms.Select(), **{"aria-label": _("指派给")})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = User.objects.filter(is_active=True, is_service_account=False)
        qs = qs.filter(role__in=[Role.ANALYST, Role.SUPERVISOR, Role.OFFICER])
        if user is not None and not user.is_superuser:
            qs = qs.filter(agency_id=user.agency_id)
        self.fields["assignee"].queryset = qs.order_by("username")
        self.fields["assignee"].label_from_instance = lambda u: "%s (%s)" % (u.get_full_name() or u.username, u.username)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("变更为"), choices=CaseStatus.choices)
    close_reason = forms.ChoiceField(
        label=_("结案原因"), choices=[("", _("结案原因…"))] + list(CloseReason.choices), required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm", "data-testid": "close-reason"}),
    )


class MergeForm(forms.Form):
    """Merge the case shown into the case numbered here (the survivor)."""

    survivor = forms.CharField(
        label=_("合并到案件编号"), max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm mono", "data-testid": "merge-survivor",
                                      "placeholder": _("保留的案件编号")}),
    )


class PriorityOverrideForm(forms.Form):
    priority = forms.IntegerField(
        label=_("优先级"), min_value=0, max_value=100, widget=_control(forms.NumberInput())
    )
    reason = forms.CharField(
        label=_("调整理由"), max_length=200, widget=_control(forms.TextInput(), placeholder=_("必填"))
    )


class ShareForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("共享给"),
        queryset=Agency.objects.filter(
            kind__in=[AgencyKind.PROCURATORATE, AgencyKind.COURT, AgencyKind.POLICE_STATION, AgencyKind.ANTI_FRAUD_CENTRE],
            is_active=True,
        ),
        widget=_control(forms.Select()),
    )


class ImportUploadForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024
    ALLOWED = {".csv": "csv", ".xlsx": "xlsx"}

    file = forms.FileField(
        label=_("导入文件"),
        help_text=_("CSV（UTF-8）或 XLSX，不超过 5 MB。"),
        widget=_control(forms.ClearableFileInput(), accept=".csv,.xlsx"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        ext = next((e for e in self.ALLOWED if name.endswith(e)), None)
        if ext is None:
            raise ValidationError(_("只支持 CSV 或 XLSX 文件。"))
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("文件超过 5 MB，请拆分后再导入。"))
        head = upload.read(4)
        upload.seek(0)
        # An XLSX is a zip archive; a CSV must not be one (a renamed spreadsheet, say).
        if ext == ".xlsx" and head[:2] != b"PK":
            raise ValidationError(_("文件内容不是有效的 XLSX。"))
        if ext == ".csv" and head[:2] == b"PK":
            raise ValidationError(_("文件内容不是文本 CSV，请另存为 CSV（UTF-8）或上传 XLSX。"))
        upload.import_format = self.ALLOWED[ext]
        return upload
