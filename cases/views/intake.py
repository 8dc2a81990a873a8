"""The intake form (case + victims + indicators) and its as-you-type checks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _t
from django.views import View

from ..choices import IndicatorKind
from ..forms import DEFAULT_ROLE, CaseIntakeForm, IndicatorFormSet, TransactionFormSet, VictimFormSet
from ..validation import error_text, normalize_indicator, validate_id_number
from .access import CaseFilerMixin

VICTIMS_PREFIX, INDICATORS_PREFIX, TRANSACTIONS_PREFIX = "victims", "indicators", "transactions"


def _render(request, form, victims, indicators, transactions, status=200):
    return render(
        request,
        "cases/intake.html",
        {
            "form": form,
            "victims": victims,
            "indicators": indicators,
            "transactions": transactions,
            "default_roles": {str(k): str(v) for k, v in DEFAULT_ROLE.items()},
        },
        status=status,
    )


class IntakeView(CaseFilerMixin, View):
    def get(self, request):
        return _render(
            request,
            CaseIntakeForm(user=request.user),
            VictimFormSet(prefix=VICTIMS_PREFIX),
            IndicatorFormSet(prefix=INDICATORS_PREFIX),
            TransactionFormSet(prefix=TRANSACTIONS_PREFIX),
        )

    def post(self, request):
        from ..services import case_create

        form = CaseIntakeForm(request.POST, user=request.user)
        victims = VictimFormSet(request.POST, prefix=VICTIMS_PREFIX)
        indicators = IndicatorFormSet(request.POST, prefix=INDICATORS_PREFIX)
        post = request.POST
        if TRANSACTIONS_PREFIX + "-TOTAL_FORMS" not in post:  # a page opened before transactions existed
            post = post.copy()
            post.update({TRANSACTIONS_PREFIX + "-TOTAL_FORMS": "0", TRANSACTIONS_PREFIX + "-INITIAL_FORMS": "0"})
        transactions = TransactionFormSet(post, prefix=TRANSACTIONS_PREFIX)
        valid = [f.is_valid() for f in (form, victims, indicators, transactions)]  # all, for every error
        if not all(valid):
            # Everything typed goes back into the page: the bound forms re-render their values.
            return _render(request, form, victims, indicators, transactions, status=400)
        data = form.cleaned_data
        victim_rows = [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"} for f in victims.filled_forms()
        ]
        indicator_rows = [
            {"kind": f.cleaned_data["kind"], "value": f.cleaned_data["value"].strip(), "role": f.cleaned_data["role"]}
            for f in indicators.filled_forms()
        ]
        try:
            case = case_create(
                actor=request.user,
                reporting_agency=data["reporting_agency"],
                region=data["region"],
                typology=data["typology"],
                occurred_at=data["occurred_at"],
                reported_at=data.get("reported_at"),
                loss_amount=data.get("loss_amount"),
                payment_channel=data["payment_channel"],
                narrative=data.get("narrative", ""),
                victims=victim_rows,
                indicators=indicator_rows,
                transactions=[f.service_row() for f in transactions.filled_forms()],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    target = field if field in form.fields else None
                    for error in errors:
                        form.add_error(target, error)
            else:
                form.add_error(None, error_text(exc))
            return _render(request, form, victims, indicators, transactions, status=400)
        messages.success(request, _t("案件 %(number)s 已录入。") % {"number": case.number})
        if case.possible_duplicate_of_id:
            messages.warning(
                request,
                _t("该案与 %(other)s 疑似重复报案，请研判人员核实。") % {"other": case.possible_duplicate_of.number},
            )
        if case.ring_id and case.ring.case_count > 1:
            messages.warning(
                request,
                _t("该案与其他案件共用线索，已串并入团伙（共 %(n)s 案）。") % {"n": case.ring.case_count},
            )
        return redirect("cases:detail", pk=case.pk)


class ValidateFieldView(CaseFilerMixin, View):
    """GET ?field=id_number|indicator&kind=..&value=..: the normalised value or the error.

    Answers an HTML fragment for htmx to put under the input as the officer types.
    """

    def get(self, request):
        field = request.GET.get("field", "")
        value, kind = (request.GET.get("value") or "").strip(), request.GET.get("kind", "")
        # htmx sends the row's inputs under their formset-prefixed names.
        for key, val in request.GET.items():
            if not value and key.endswith(("-value", "-id_number")):
                value = val.strip()
            if not kind and key.endswith("-kind"):
                kind = val
        ctx = {"value": value, "ok": False, "normalized": "", "error": ""}
        if value:
            try:
                if field == "id_number":
                    ctx["normalized"] = validate_id_number(value.upper()) or value.upper()
                elif field == "indicator" and kind in IndicatorKind.values:
                    ctx["normalized"] = normalize_indicator(kind, value)
                else:
                    ctx["error"] = _t("无法校验该字段。")
                if not ctx["error"]:
                    ctx["ok"] = True
            except ValidationError as exc:
                ctx["error"] = error_text(exc)
        return render(request, "cases/_validate_result.html", ctx)
