"""Fraud-free communities: each community's status from the data, the office's criteria,
applications and decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from .. import access, services
from ..forms import ApplyForm, CriteriaForm, DecideForm
from ..models import FraudFreeTitle
from ..selectors import community_statuses, criteria_in_force
from .common import MemberMixin


class CommunitiesView(MemberMixin, TemplateView):
    template_name = "propaganda/communities.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        criteria = criteria_in_force()
        statuses = sorted(community_statuses(criteria=criteria),
                          key=lambda s: (not s.meets, s.region.path))
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            criteria=criteria, statuses=statuses, is_office=access.is_office(user),
            criteria_form=CriteriaForm(instance=criteria) if access.is_office(user) else None,
            own=next((s for s in statuses if s.region.pk == user.agency.region_id), None)
            if access.can_apply_title(user) else None,
            apply_form=ApplyForm(),
            history=FraudFreeTitle.objects.restrict(user).select_related("region", "agency")
            .exclude(status__in=["applied", "approved"])[:20],
        )
        return ctx


@login_required
@require_POST
def criteria_view(request):
    if not access.is_office(request.user):
        raise PermissionDenied
    form = CriteriaForm(request.POST)
    if form.is_valid():
        try:
            services.criteria_set(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, gettext("无诈社区标准已更新，各社区状态已按新标准计算。"))
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("propaganda:communities")


@login_required
@require_POST
def apply_view(request):
    form = ApplyForm(request.POST)
    form.is_valid()
    try:
        services.title_apply(actor=request.user, statement=form.cleaned_data.get("statement", ""), request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, gettext("申请已提交，等待联席办审批。"))
    return redirect("propaganda:communities")


@login_required
@require_POST
def decide_view(request, pk, decision):
    if decision not in ("approve", "reject"):
        raise Http404
    if not access.is_office(request.user):
        raise PermissionDenied
    title = get_object_or_404(FraudFreeTitle.objects.restrict(request.user, "change"), pk=pk)
    form = DecideForm(request.POST)
    form.is_valid()
    try:
        services.title_decide(title=title, actor=request.user, approve=decision == "approve",
                              note=form.cleaned_data.get("note", ""), request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, gettext("审批结果已保存。"))
    return redirect("propaganda:communities")
