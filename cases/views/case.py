"""The case page and its actions: reveal, assign, transition, priority override, share."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.views import View
from django.views.decorators.http import require_POST

from ..choices import CaseStatus
from ..forms import AssignForm, PriorityOverrideForm, ShareForm, TransitionForm
from ..models import Case, CaseIndicator, Victim
from ..validation import error_text
from .merge import merge_context
from .access import (
    CaseReaderMixin,
    can_file_cases,
    get_visible_case,
    is_supervisor,
    require_reader,
    visible_cases,
)

LINKED_LIMIT = 50
REVEALABLE = ("id_number", "phone")


def allowed_statuses(case: Case, user) -> list[tuple[str, str]]:
    """The statuses this user may move the case to (the services' transition table decides)."""
    from .. import services

    table = getattr(services, "allowed_transitions", None)
    if table is None:
        return []
    allowed = set(table(case=case, user=user))
    return [(value, label) for value, label in CaseStatus.choices if value in allowed]


def linked_cases(case: Case, user):
    """Visible cases that share at least one linkable indicator with this one."""
    shared = CaseIndicator.objects.filter(case=case, indicator__is_linkable=True).values("indicator_id")
    ids = (
        CaseIndicator.objects.filter(indicator_id__in=shared)
        .exclude(case_id=case.pk)
        .values("case_id")
    )
    return (
        visible_cases(user)
        .filter(pk__in=ids)
        .select_related("typology", "region")
        .order_by("-reported_at")[:LINKED_LIMIT]
    )


def victim_rows(case: Case) -> list[dict]:
    from ..masking import mask_id_number, mask_phone

    masks = {"id_number": mask_id_number, "phone": mask_phone}
    rows = []
    for victim in case.victims.select_related("home_region").order_by("pk"):
        rows.append(
            {
                "victim": victim,
                "masked": {field: mask(getattr(victim, field)) for field, mask in masks.items()},
            }
        )
    return rows


def timeline_entries(case: Case):
    return case.timeline.select_related("actor", "agency").order_by("-at", "-id")[:200]


class CaseDetailView(CaseReaderMixin, View):
    def get(self, request, pk):
        case = get_visible_case(
            request.user,
            pk,
            related=("typology", "region", "reporting_agency", "assigned_to", "ring", "possible_duplicate_of"),
        )
        if case.merged_into_id:  # merged away: its address leads to the surviving case
            return redirect("cases:detail", pk=case.merged_into_id)
        user = request.user
        links = (
            case.indicator_links.select_related("indicator").order_by("indicator__kind", "indicator__value")
        )
        can_write = can_file_cases(user)
        ctx = {
            "case": case,
            "victims": victim_rows(case),
            "links": links,
            "linked": linked_cases(case, user),
            "timeline": timeline_entries(case),
            "can_write": can_write,
            "is_supervisor": is_supervisor(user),
            "transitions": allowed_statuses(case, user) if can_write else [],
            "assign_form": AssignForm(user=user, initial={"assignee": case.assigned_to_id}) if can_write else None,
            "override_form": PriorityOverrideForm(
                initial={"priority": case.priority_override if case.priority_override is not None else case.priority}
            )
            if is_supervisor(user)
            else None,
            "share_form": ShareForm() if can_write else None,
            "effective_priority": case.priority_override if case.priority_override is not None else case.priority,
            "duplicates": case.possible_duplicates.order_by("-reported_at")[:10],
            **merge_context(case, user),
        }
        from core.policy import allowed

        from .work import work_context

        ctx["can_edit"] = can_write and allowed(user, "case.change", case)
        ctx.update(work_context(case, user))
        if case.ring_id:
            ctx["ring_regions"] = (
                visible_cases(user).filter(ring_id=case.ring_id).values("region__name").annotate(n=Count("pk")).order_by("-n")[:8]
            )
        return render(request, "cases/case_detail.html", ctx)


class TimelineView(CaseReaderMixin, View):
    """The timeline alone: the live-updates helper re-fetches it when the case changes."""

    def get(self, request, pk):
        case = get_visible_case(request.user, pk)
        return render(request, "cases/_timeline.html", {"case": case, "timeline": timeline_entries(case)})


@login_required
@require_POST
def victim_reveal_view(request, pk, field):
    """Show one personal field of a victim in full; the service writes the audit line."""
    require_reader(request.user)
    if field not in REVEALABLE:
        raise Http404
    victim = get_object_or_404(
        Victim.objects.select_related("case"), pk=pk, case__in=visible_cases(request.user)
    )
    from ..services import victim_reveal

    value = victim_reveal(victim=victim, actor=request.user, field=field, request=request)
    return render(request, "cases/_revealed.html", {"value": value, "field": field})


class _Services:
    """Resolved on first use: cases.services is written alongside these pages."""

    def __getattr__(self, name):
        from .. import services as module

        return getattr(module, name)


services = _Services()


def _act(request, case, fn, success: str):
    """Run one service call; a refusal becomes a message, not a stack trace."""
    try:
        fn()
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _t("您无权执行此操作。"))
    else:
        messages.success(request, success)
    return redirect("cases:detail", pk=case.pk)


def _writable_case(request, pk) -> Case:
    case = get_visible_case(request.user, pk)
    if not can_file_cases(request.user):
        raise PermissionDenied
    return case


@login_required
@require_POST
def case_assign_view(request, pk):
    case = _writable_case(request, pk)
    if request.POST.get("to_me"):
        assignee = request.user
    else:
        form = AssignForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _t("请选择本单位的人员。"))
            return redirect("cases:detail", pk=case.pk)
        assignee = form.cleaned_data["assignee"]
    return _act(
        request,
        case,
        lambda: services.case_assign(case=case, actor=request.user, assignee=assignee),
        _t("已指派给 %(name)s。") % {"name": assignee.get_full_name() or assignee.username},
    )


@login_required
@require_POST
def case_transition_view(request, pk):
    case = _writable_case(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _t("无效的状态。"))
        return redirect("cases:detail", pk=case.pk)
    to_status, close_reason = form.cleaned_data["to_status"], form.cleaned_data.get("close_reason") or ""
    return _act(
        request,
        case,
        lambda: services.case_transition(case=case, actor=request.user, to_status=to_status, close_reason=close_reason),
        _t("状态已变更为 %(status)s。") % {"status": CaseStatus(to_status).label},
    )


@login_required
@require_POST
def case_override_view(request, pk):
    case = get_visible_case(request.user, pk)
    if not is_supervisor(request.user):
        raise PermissionDenied
    form = PriorityOverrideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("cases:detail", pk=case.pk)
    return _act(
        request,
        case,
        lambda: services.case_override_priority(
            case=case, actor=request.user, priority=form.cleaned_data["priority"], reason=form.cleaned_data["reason"]
        ),
        _t("优先级已调整。"),
    )


@login_required
@require_POST
def case_share_view(request, pk):
    case = _writable_case(request, pk)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _t("请选择共享单位。"))
        return redirect("cases:detail", pk=case.pk)
    agency = form.cleaned_data["agency"]
    return _act(
        request,
        case,
        lambda: services.case_share(case=case, actor=request.user, agency=agency),
        _t("已共享给 %(agency)s。") % {"agency": agency.name},
    )

