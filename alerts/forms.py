"""Forms of the request pages: issue (case page), result, reject, dissuasion outcome, manual
routing, deadlines, release.

Forms check shape and turn text into values; the rules (who may move what, loops, deadlines)
live in the services, and a ValidationError raised there is put back on the form.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agencies.choices import AgencyKind
from agencies.models import Agency
from core.datetimes import BoundedDateTimeFormField

from .choices import DISPOSITIONS, BlockOutcome, DissuasionOutcome, RequestKind, TakedownOutcome
from .constants import INDICATOR_TARGET, KIND_TARGETS, ONWARD_FORMS
from .services import MAX_PDF_BYTES, validate_legal_notice

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
MONEY = {"max_digits": 16, "decimal_places": 2, "min_value": Decimal("0")}


def _money_field(label, required=False):
    return forms.DecimalField(
        label=label, required=required, **MONEY,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class IssueRequestForm(forms.Form):
    """One request about one of the case's indicators (the case page's one-click buttons post
    this form with kind and indicator only; a freeze adds its legal notice)."""

    kind = forms.ChoiceField(label=_("请求类型"), choices=[(k.value, k.label) for k in KIND_TARGETS])
    indicator = forms.ChoiceField(label=_("涉案线索"))
    amount = _money_field(_("涉案金额（元）"))
    legal_notice_number = forms.CharField(label=_("法律文书编号"), max_length=64, required=False,
                                          widget=forms.TextInput(attrs={"class": "form-control"}))
    legal_notice_file = forms.FileField(
        label=_("法律文书（PDF，不超过 10 MB）"), required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "application/pdf,.pdf"}),
    )
    term_months = forms.IntegerField(label=_("冻结期限（月）"), required=False, min_value=1, max_value=12,
                                     widget=forms.NumberInput(attrs={"class": "form-control"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=500,
                           widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.links = {
            str(link.indicator_id): link.indicator
            for link in case.indicator_links.select_related("indicator")
            if link.indicator.kind in INDICATOR_TARGET
        }
        self.fields["indicator"].choices = [
            (pk, "%s %s" % (ind.get_kind_display(), ind.value)) for pk, ind in self.links.items()
        ]
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["indicator"].widget.attrs["class"] = "form-select"

    def clean_legal_notice_file(self):
        upload = self.cleaned_data.get("legal_notice_file")
        if upload is not None and upload.size > MAX_PDF_BYTES:
            raise ValidationError(_("法律文书不能超过 10 MB。"))
        return upload

    def clean(self):
        data = super().clean()
        kind, indicator = data.get("kind"), self.links.get(data.get("indicator") or "")
        if not kind or indicator is None:
            return data
        target_kind = INDICATOR_TARGET[indicator.kind]
        if target_kind not in KIND_TARGETS[kind]:
            raise ValidationError(
                _("%(kind)s不适用于%(target)s。")
                % {"kind": RequestKind(kind).label, "target": indicator.get_kind_display()}
            )
        if kind == RequestKind.FREEZE:
            if not (data.get("legal_notice_number") or "").strip():
                self.add_error("legal_notice_number", _("冻结须填写法律文书编号。"))
            if not data.get("term_months"):
                self.add_error("term_months", _("冻结期限须为 1 至 12 个月。"))
            try:
                validate_legal_notice(data.get("legal_notice_file"))
            except ValidationError as exc:
                self.add_error("legal_notice_file", exc)
        data["target_kind"] = target_kind
        data["target_value"] = indicator.value
        return data

    def service_kwargs(self) -> dict:
        """The amount typed, or (left blank) the sum of the case's transactions that reached the
        account, with those transactions (``request_create``): never the case's whole loss."""
        d = self.cleaned_data
        kwargs = {
            "kind": d["kind"], "target_kind": d["target_kind"], "target_value": d["target_value"], "case": self.case,
            "amount": d.get("amount"), "note": d.get("note") or "",
        }
        if d["kind"] == RequestKind.FREEZE:
            kwargs.update(legal_notice_number=d["legal_notice_number"].strip(),
                          legal_notice_file=d["legal_notice_file"], term_months=d["term_months"])
        return kwargs


class CompleteForm(forms.Form):
    """The result of a request. Money kinds: held, balance, outcome, the onward transfers (in
    the formset) and, when they add up to more than was requested, a confirmed reason. Number
    blocks and takedowns: a structured outcome with its time. The sums are the service's rule
    (``alerts.services.money_result_check``); its errors come back onto these fields."""

    disposition = forms.ChoiceField(label=_("办理结论"), required=False,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    amount_secured = _money_field(_("实际止付/冻结金额（元）"))
    balance = _money_field(_("账户余额（元）"))
    disposition_at = BoundedDateTimeFormField(
        label=_("生效时间"), required=False, input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"class": "form-control", "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("留空为当前时间。"),
    )
    ported_to = forms.CharField(label=_("转入运营商（已携号转网时）"), max_length=100, required=False,
                                widget=forms.TextInput(attrs={"class": "form-control"}))
    refusal_reason = forms.CharField(label=_("拒绝理由（拒绝处置时）"), max_length=300, required=False,
                                     widget=forms.TextInput(attrs={"class": "form-control"}))
    confirm_over = forms.BooleanField(label=_("确认：该账户另有其他受害人资金，合计可超过请求金额"), required=False,
                                      widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    over_amount_reason = forms.CharField(label=_("超出请求金额的理由"), max_length=300, required=False,
                                         widget=forms.TextInput(attrs={"class": "form-control"}))
    answer = forms.CharField(label=_("办理结果说明"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))

    MONEY_FIELDS = ("amount_secured", "balance", "confirm_over", "over_amount_reason")

    def __init__(self, *args, money: bool, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.money = money
        outcomes = DISPOSITIONS.get(kind)
        if outcomes is None:
            del self.fields["disposition"]
        else:
            self.fields["disposition"].choices = [("", "---------"), *outcomes.choices]
            self.fields["disposition"].required = not money  # a bank's is derived from its amounts
        if money:
            self.fields["amount_secured"].required = True
        elif kind == RequestKind.FUND_RETURN:  # the bank reports what it returned, nothing else
            self.fields["amount_secured"].required = True
            self.fields["amount_secured"].label = _("实际返还金额（元）")
            for name in ("balance", "confirm_over", "over_amount_reason"):
                del self.fields[name]
        else:
            for name in self.MONEY_FIELDS:
                del self.fields[name]
        if kind != RequestKind.NUMBER_BLOCK:
            del self.fields["ported_to"]
        if kind != RequestKind.TAKEDOWN:
            del self.fields["refusal_reason"]
        if kind not in (RequestKind.NUMBER_BLOCK, RequestKind.TAKEDOWN):
            del self.fields["disposition_at"]

    def clean(self):
        data = super().clean()
        if self.money:
            reason = (data.get("over_amount_reason") or "").strip()
            if data.get("confirm_over") and not reason:
                self.add_error("over_amount_reason", _("确认超出请求金额时须填写理由。"))
            # A reason counts only when the clerk ticked the confirmation.
            data["over_amount_reason"] = reason if data.get("confirm_over") else ""
        disposition = data.get("disposition")
        if disposition == BlockOutcome.PORTED and not (data.get("ported_to") or "").strip():
            self.add_error("ported_to", _("请填写号码转入的运营商。"))
        if disposition == TakedownOutcome.REFUSED and not (data.get("refusal_reason") or "").strip():
            self.add_error("refusal_reason", _("拒绝处置须填写理由。"))
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        keys = ("amount_secured", "balance", "answer", "disposition", "disposition_at", "over_amount_reason",
                "ported_to", "refusal_reason")
        return {k: d[k] for k in keys if k in d and d[k] not in (None, "")}


class OnwardTransferForm(forms.Form):
    """Money that had already left the account: each row becomes the next layer's stop-payment."""

    amount = _money_field(_("转出金额（元）"))
    transferred_at = BoundedDateTimeFormField(
        label=_("转出时间"), required=False, input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"class": "form-control", "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    destination_account = forms.CharField(label=_("转入账号"), max_length=64, required=False,
                                          widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}))
    destination_bank = forms.CharField(label=_("转入银行/机构"), max_length=100, required=False,
                                       widget=forms.TextInput(attrs={"class": "form-control"}))
    reference = forms.CharField(label=_("交易流水号"), max_length=64, required=False,
                                widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean(self):
        data = super().clean()
        filled = [data.get(f) not in (None, "") for f in ("amount", "transferred_at", "destination_account")]
        if any(filled) and not all(filled):
            raise ValidationError(_("资金转出须填写金额、时间和转入账号。"))
        data["empty"] = not any(filled) and not data.get("destination_bank") and not data.get("reference")
        return data

    def service_row(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("amount", "transferred_at", "destination_account",
                                                       "destination_bank", "reference")}


OnwardTransferFormSet = forms.formset_factory(OnwardTransferForm, extra=ONWARD_FORMS, max_num=50, absolute_max=50)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=300,
                             widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("退回理由")}))


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("解冻理由"), max_length=300, required=False,
                             widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("解冻理由")}))


class OutcomeForm(forms.Form):
    """What the grid worker or officer found: dissuaded, already paid (opens a case), unreachable."""

    outcome = forms.ChoiceField(label=_("劝阻结果"), choices=DissuasionOutcome.choices, widget=forms.RadioSelect)
    typology = forms.ModelChoiceField(label=_("诈骗类型（已被骗时）"), queryset=None, required=False,
                                      widget=forms.Select(attrs={"class": "form-select"}))
    loss_amount = _money_field(_("损失金额（元，已被骗时）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cases.models import Typology

        self.fields["typology"].queryset = Typology.objects.filter(is_active=True).order_by("sort_order", "code")

    def case_details(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("typology", "loss_amount") if d.get(k) is not None}


class RouteForm(forms.Form):
    """Route a request from the dispatch queue by hand."""

    target_agency = forms.ModelChoiceField(label=_("接收单位"), queryset=None,
                                           widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    secondary_agency = forms.ModelChoiceField(label=_("协办社区"), queryset=None, required=False,
                                              widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    reason = forms.CharField(label=_("分派理由"), max_length=200, required=False,
                             widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def __init__(self, *args, target_kind: str | None = None, agencies: list | None = None, **kwargs):
        """``target_kind``: offer only the agency kinds that can take that target (the policy's
        ``TARGET_AGENCY_KINDS``: an account to a bank, a number to a carrier ...), and the
        assisting community only for a person. ``agencies``: the active agencies, read once for
        a page of forms (the dispatch queue), so that each form adds no query."""
        from core.policy import TARGET_AGENCY_KINDS

        super().__init__(*args, **kwargs)
        active = Agency.objects.filter(is_active=True).order_by("kind", "code")
        kinds = TARGET_AGENCY_KINDS.get(target_kind) if target_kind else None
        if kinds is None:
            kinds = set(AgencyKind.values) - {AgencyKind.LEADERSHIP_OFFICE, AgencyKind.PUBLICITY_DEPARTMENT,
                                              AgencyKind.COURT, AgencyKind.PROCURATORATE, AgencyKind.ANTI_FRAUD_CENTRE}
        self.fields["target_agency"].queryset = active.filter(kind__in=sorted(kinds))
        self.fields["secondary_agency"].queryset = active.filter(kind=AgencyKind.COMMUNITY)
        if target_kind and target_kind != "person":
            del self.fields["secondary_agency"]
        if agencies is not None:  # the same choices, from the list read once
            self.fields["target_agency"].choices = [("", "---------")] + [
                (a.pk, str(a)) for a in agencies if a.kind in kinds]
            if "secondary_agency" in self.fields:
                self.fields["secondary_agency"].choices = [("", "---------")] + [
                    (a.pk, str(a)) for a in agencies if a.kind == AgencyKind.COMMUNITY]


class DeadlineForm(forms.Form):
    """One kind's deadlines in minutes; empty means no deadline for that step."""

    kind = forms.ChoiceField(choices=RequestKind.choices, widget=forms.HiddenInput)
    ack_minutes = forms.IntegerField(label=_("签收时限（分钟）"), required=False, min_value=1, max_value=60 * 24 * 30,
                                     widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))
    complete_minutes = forms.IntegerField(label=_("办结时限（分钟）"), required=False, min_value=1,
                                          max_value=60 * 24 * 90,
                                          widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))

    def clean(self):
        data = super().clean()
        ack, complete = data.get("ack_minutes"), data.get("complete_minutes")
        if ack and complete and complete < ack:
            raise ValidationError(_("办结时限不能短于签收时限。"))
        return data


DeadlineFormSet = forms.formset_factory(DeadlineForm, extra=0)
