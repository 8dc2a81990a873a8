"""Editing a case: its fields (with the version check), victims, indicators, transactions.

Every write goes through cases.services_edit, which records each change field by field on the
timeline and in the audit log. A refused save re-shows what the person typed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from .. import services_edit
from ..forms import IndicatorForm, TransactionForm, VictimForm
from ..forms_work import CaseEditForm
from ..models import Case, CaseIndicator, Transaction, Victim
from ..validation import error_text
from .access import CaseReaderMixin, get_visible_case


def _changeable_case(user, pk) -> Case:
    """The case if the user may change it: 404 when it is not visible, 403 when only readable."""
    case = get_visible_case(user, pk, related=("region", "typology"))
    from core.policy import allowed

    if not allowed(user, "case.change", case):
        raise PermissionDenied
    return case


def _edit_context(case: Case, *, form=None, conflict=None, victim_form=None, indicator_form=None, txn_form=None):
    return {
        "case": case,
        "form": form or CaseEditForm.for_case(case),
        "conflict": conflict,
        "victims": case.victims.select_related("home_region").order_by("pk"),
        "links": case.indicator_links.select_related("indicator").order_by("indicator__kind", "indicator__value"),
        "transactions": case.transactions.order_by("occurred_at", "id"),
        "victim_form": victim_form or VictimForm(prefix="victim"),
        "indicator_form": indicator_form or IndicatorForm(prefix="indicator"),
        "txn_form": txn_form or TransactionForm(prefix="txn"),
    }


class CaseEditView(CaseReaderMixin, View):
    def get(self, request, pk):
        case = _changeable_case(request.user, pk)
        return render(request, "cases/case_edit.html", _edit_context(case))

    def post(self, request, pk):
        case = _changeable_case(request.user, pk)
        form = CaseEditForm(request.POST)
        if not form.is_valid():
            return render(request, "cases/case_edit.html", _edit_context(case, form=form), status=400)
        try:
            services_edit.case_edit(case=case, actor=request.user, data=form.service_data(),
                                    version=form.cleaned_data["version"], request=request)
        except services_edit.CaseEditConflict as conflict:
            # Their input stays; the version moves to the one saved now, so saving again
            # (after reading what changed) overwrites knowingly.
            data = request.POST.copy()
            data["version"] = conflict.current.version
            form = CaseEditForm(data)
            form.is_valid()
            return render(request, "cases/case_edit.html",
                          _edit_context(conflict.current, form=form, conflict=conflict), status=409)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return render(request, "cases/case_edit.html", _edit_context(case, form=form), status=400)
        messages.success(request, _("案件信息已保存。"))
        return redirect("cases:detail", pk=case.pk)


def _row_action(request, case, fn, success: str):
    try:
        fn()
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect("cases:edit", pk=case.pk)


def _form_errors(form) -> str:
    return "；".join("%s：%s" % (form.fields[f].label if f in form.fields else "", "；".join(e))
                    for f, e in form.errors.items())


@login_required
@require_POST
def victim_add_view(request, pk):
    case = _changeable_case(request.user, pk)
    form = VictimForm(request.POST, prefix="victim")
    if not form.is_valid():
        return render(request, "cases/case_edit.html", _edit_context(case, victim_form=form), status=400)
    return _row_action(request, case, lambda: services_edit.victim_add(
        case=case, actor=request.user, data=form.cleaned_data, request=request), _("已添加受害人。"))


class VictimEditView(CaseReaderMixin, View):
    def _get(self, request, pk):
        victim = get_object_or_404(Victim.objects.select_related("case"), pk=pk,
                                   case__in=Case.objects.restrict(request.user).values("pk"))
        _changeable_case(request.user, victim.case_id)
        return victim

    def get(self, request, pk):
        victim = self._get(request, pk)
        form = VictimForm(initial={f: getattr(victim, f) for f in ("name", "id_number", "phone", "age", "gender", "occupation")})
        return render(request, "cases/victim_edit.html", {"victim": victim, "case": victim.case, "form": form})

    def post(self, request, pk):
        victim = self._get(request, pk)
        form = VictimForm(request.POST)
        if form.is_valid():
            try:
                services_edit.victim_edit(victim=victim, actor=request.user, data=form.cleaned_data, request=request)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("受害人信息已保存。"))
                return redirect("cases:edit", pk=victim.case_id)
        return render(request, "cases/victim_edit.html", {"victim": victim, "case": victim.case, "form": form}, status=400)


@login_required
@require_POST
def victim_remove_view(request, pk):
    victim = get_object_or_404(Victim.objects.select_related("case"), pk=pk,
                               case__in=Case.objects.restrict(request.user).values("pk"))
    case = _changeable_case(request.user, victim.case_id)
    return _row_action(request, case, lambda: services_edit.victim_remove(victim=victim, actor=request.user, request=request),
                       _("已删除受害人。"))


@login_required
@require_POST
def indicator_add_view(request, pk):
    case = _changeable_case(request.user, pk)
    form = IndicatorForm(request.POST, prefix="indicator")
    if not form.is_valid():
        return render(request, "cases/case_edit.html", _edit_context(case, indicator_form=form), status=400)
    data = form.cleaned_data
    return _row_action(request, case, lambda: services_edit.case_indicator_add(
        case=case, actor=request.user, kind=data["kind"], value=data["value"], role=data.get("role") or "",
        request=request), _("已添加线索。"))


@login_required
@require_POST
def indicator_remove_view(request, pk):
    link = get_object_or_404(CaseIndicator.objects.select_related("case"), pk=pk,
                             case__in=Case.objects.restrict(request.user).values("pk"))
    case = _changeable_case(request.user, link.case_id)
    return _row_action(request, case, lambda: services_edit.case_indicator_remove(link=link, actor=request.user, request=request),
                       _("已删除线索，团伙关系已重新计算。"))


@login_required
@require_POST
def transaction_add_view(request, pk):
    case = _changeable_case(request.user, pk)
    form = TransactionForm(request.POST, prefix="txn")
    if not form.is_valid():
        return render(request, "cases/case_edit.html", _edit_context(case, txn_form=form), status=400)
    return _row_action(request, case, lambda: services_edit.transaction_add(
        case=case, actor=request.user, data=form.service_row(), request=request), _("已添加交易。"))


@login_required
@require_POST
def transaction_remove_view(request, pk):
    txn = get_object_or_404(Transaction.objects.select_related("case"), pk=pk,
                            case__in=Case.objects.restrict(request.user).values("pk"))
    case = _changeable_case(request.user, txn.case_id)
    return _row_action(request, case, lambda: services_edit.transaction_remove(txn=txn, actor=request.user, request=request),
                       _("已删除交易。"))
