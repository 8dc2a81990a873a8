"""The centre's warning list of benign values, and the suspect values waiting for a person.

Police (centre and stations) may read it: an officer wondering why a hotline did not link two
cases finds the answer here. Only the anti-fraud centre's analysts, supervisors and admins edit
it. Everyone else gets a 404: the page is not theirs to know about.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from core.policy import allowed

from ..choices import IndicatorKind
from ..models import BenignIndicator, Indicator
from ..validation import error_text

SUSPECT_LIMIT = 200


def can_view_benign(user) -> bool:
    return allowed(user, "benign.view")


def can_edit_benign(user) -> bool:
    return allowed(user, "benign.change")


class BenignForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=IndicatorKind.choices,
                             widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    value = forms.CharField(label=_("值"), max_length=255, widget=forms.TextInput(
        attrs={"class": "form-control form-control-sm", "placeholder": _("如 95588、taobao.com")}))
    note = forms.CharField(label=_("说明"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))


class BenignMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_view_benign(request.user):
            raise Http404
        if request.method == "POST" and request.user.is_authenticated and not can_edit_benign(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _render(request, form=None, status=200):
    user = request.user
    entries = BenignIndicator.objects.select_related("created_by").order_by("kind", "value")
    suspects = Indicator.objects.filter(needs_review=True).order_by("-case_count", "pk")[:SUSPECT_LIMIT]
    editable = can_edit_benign(user)
    return render(
        request,
        "cases/benign_list.html",
        {
            "entries": entries,
            "suspects": suspects,
            "can_edit": editable,
            "form": (form or BenignForm()) if editable else None,
        },
        status=status,
    )


class BenignListView(BenignMixin, View):
    def get(self, request):
        return _render(request)

    def post(self, request):
        from ..services import benign_add

        form = BenignForm(request.POST)
        if form.is_valid():
            try:
                entry = benign_add(actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        for error in errors:
                            form.add_error(field if field in form.fields else None, error)
                else:
                    form.add_error("value", error_text(exc))
            else:
                messages.success(request, _t("已加入白名单：%(value)s") % {"value": entry.value})
                return redirect("cases:benign")
        return _render(request, form, status=400)


class BenignRemoveView(BenignMixin, View):
    def post(self, request, pk):
        from ..services import benign_remove

        entry = get_object_or_404(BenignIndicator, pk=pk)
        value = entry.value
        benign_remove(entry=entry, actor=request.user, request=request)
        messages.success(request, _t("已从白名单移除：%(value)s") % {"value": value})
        return redirect("cases:benign")


class SuspectActionView(BenignMixin, View):
    """A person's decision on a flagged value: list it as benign, or keep it unlinked."""

    def post(self, request, pk):
        from ..services import benign_add, indicator_review_dismiss

        indicator = get_object_or_404(Indicator, pk=pk, needs_review=True)
        try:
            if request.POST.get("action") == "benign":
                benign_add(kind=indicator.kind, value=indicator.value, note=request.POST.get("note", ""),
                           actor=request.user, request=request)
                messages.success(request, _t("已加入白名单：%(value)s") % {"value": indicator.value})
            else:
                indicator_review_dismiss(indicator=indicator, actor=request.user, request=request)
                messages.success(request, _t("已复核：%(value)s 保持不串并") % {"value": indicator.value})
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect("cases:benign")
