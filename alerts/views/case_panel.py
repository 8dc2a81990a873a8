"""The case page's requests panel: "stop all" (alerts.views.money), issue a request about one of
the case's indicators, the list of the case's requests with their states, and the money tree."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.views.access import can_file_cases, get_visible_case
from core.policy import allowed

from ..constants import INDICATOR_TARGET, KIND_TARGETS
from ..forms import IssueRequestForm
from ..models import Request
from ..selectors import LIST_RELATED
from ..selectors_money import money_tree
from ..services import RequestError, request_create
from .access import error_text


def panel_context(user, case) -> dict:
    requests = list(Request.objects.restrict(user).filter(case=case).select_related(*LIST_RELATED)
                    .order_by("created_at", "pk"))
    can_issue = can_file_cases(user)
    indicators = []
    if can_issue:
        for link in case.indicator_links.select_related("indicator").order_by("indicator__kind", "indicator__value"):
            target = INDICATOR_TARGET.get(link.indicator.kind)
            if target is None:
                continue
            kinds = [(k.value, k.label) for k in KIND_TARGETS if target in KIND_TARGETS[k]]
            indicators.append({"indicator": link.indicator, "kinds": kinds})
    from ..selectors_returns import case_recovered

    return {"case": case, "case_requests": requests, "tree": money_tree(user=user, case=case, view="full"),
            "recovered": case_recovered(case_id=case.pk), "can_view_returns": allowed(user, "return.view"),
            "can_issue": can_issue, "issue_indicators": indicators,
            "has_transactions": can_issue and case.transactions.exists()}


@login_required
@require_GET
def panel(request, case_pk):
    """The requests list and the money trail alone, re-fetched live on request events."""
    case = get_visible_case(request.user, case_pk)
    return render(request, "alerts/case/_requests.html", panel_context(request.user, case))


@login_required
@require_POST
def issue(request, case_pk):
    case = get_visible_case(request.user, case_pk)
    back = reverse("cases:detail", args=[case.pk])  # who may issue: the policy, at the door and in request_create
    form = IssueRequestForm(request.POST, request.FILES, case=case)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, "%s：%s" % (label, error) if label else error)
        return redirect(back + "#case-requests-panel")
    try:
        req = request_create(issuer=request.user, http_request=request, **form.service_kwargs())
    except (ValidationError, RequestError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已发起%(kind)s请求 %(number)s，正在路由。")
                         % {"kind": req.get_kind_display(), "number": req.number})
    return redirect(back + "#case-requests-panel")
