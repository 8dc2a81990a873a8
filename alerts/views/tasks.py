"""The grid worker's (and station's) dissuasion tasks, built for a phone: call or visit, then
record the outcome in one form (the task is acknowledged on the way if it was not yet)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from ..choices import OPEN_STATUSES, DissuasionOutcome, RequestKind, RequestStatus
from ..forms import OutcomeForm
from ..models import Signal
from ..selectors import request_tasks
from ..services import RequestError, request_acknowledge, request_complete
from .access import error_text, get_request

DONE_SHOWN_HOURS = 24


def task_lists(user):
    signals = Prefetch("signals", queryset=Signal.objects.select_related("source_agency").order_by("received_at"))
    base = request_tasks(user=user).prefetch_related(signals)
    open_tasks = base.filter(status__in=OPEN_STATUSES).order_by("ack_due_at", "created_at")
    done = base.filter(status=RequestStatus.COMPLETED,
                       completed_at__gte=timezone.now() - timedelta(hours=DONE_SHOWN_HOURS)).order_by("-completed_at")
    return list(open_tasks[:100]), list(done[:30])


def task_context(user) -> dict:
    open_tasks, done = task_lists(user)
    form = OutcomeForm()
    return {"open_tasks": open_tasks, "done": done, "form": form,
            "typologies": list(form.fields["typology"].queryset) if open_tasks else []}


class TaskListView(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "alerts/tasks.html", {**task_context(request.user), "nav_current": "alerts:tasks"})


class TaskRowsView(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "alerts/_task_cards.html", task_context(request.user))


@login_required
@require_POST
def record_outcome(request, pk):
    req = get_request(request.user, pk, action="act")
    back = reverse("alerts:tasks")
    if req.kind != RequestKind.DISSUASION:
        messages.error(request, _("只有劝阻任务可以登记劝阻结果。"))
        return redirect(back)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择劝阻结果。"))
        return redirect(back)
    outcome = form.cleaned_data["outcome"]
    try:
        with transaction.atomic():  # both moves or neither: a refused outcome leaves it as it was
            if req.status == RequestStatus.DELIVERED:
                request_acknowledge(request_id=req.pk, actor=request.user, http_request=request)
            done = request_complete(request_id=req.pk, actor=request.user, outcome=outcome,
                                    case_details=form.case_details(), http_request=request)
    except (ValidationError, RequestError) as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    if outcome == DissuasionOutcome.ALREADY_PAID and done.case_id:
        messages.warning(request, _("已登记为已被骗，并已立案 %(case)s。") % {"case": done.case.number})
    elif outcome == DissuasionOutcome.UNREACHABLE:
        messages.warning(request, _("联系不上：已转派出所上门走访。"))
    else:
        messages.success(request, _("已登记劝阻结果。"))
    return redirect(back)
