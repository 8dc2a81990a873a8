"""Merging a duplicate case into the surviving one (the case page's merge form)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from core.policy import allowed

from ..forms import MergeForm, TransitionForm
from ..models import Case
from ..validation import error_text
from .access import get_visible_case


def merge_context(case: Case, user) -> dict:
    """What the case page needs for the merge form and the close reason."""
    can_merge = not case.merged_into_id and allowed(user, "case.merge", case)
    return {
        "can_merge": can_merge,
        "merge_form": MergeForm() if can_merge else None,
        "close_form": TransitionForm(),
        "merged_cases": list(case.merged_cases.order_by("merged_at").values_list("number", "merged_at")),
    }


@login_required
@require_POST
def case_merge_view(request, pk):
    """Merge case ``pk`` (the duplicate) into the case numbered in the form; 404 when either is
    not visible, 403 for anyone but a centre's analysts on cases they may change."""
    from ..merging import case_merge

    duplicate = get_visible_case(request.user, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _t("请填写保留的案件编号。"))
        return redirect("cases:detail", pk=duplicate.pk)
    number = form.cleaned_data["survivor"].strip().upper()
    survivor = Case.objects.restrict(request.user).filter(number=number).first()
    if survivor is None:
        messages.error(request, _t("没有找到您可见的案件 %(number)s。") % {"number": number})
        return redirect("cases:detail", pk=duplicate.pk)
    try:
        case_merge(duplicate=duplicate, survivor=survivor, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("cases:detail", pk=duplicate.pk)
    messages.success(request, _t("案件 %(dup)s 已合并至 %(keep)s。") % {"dup": duplicate.number, "keep": survivor.number})
    return redirect("cases:detail", pk=survivor.pk)
