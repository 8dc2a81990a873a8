"""Template helpers of the request pages: the deadline that matters now, overdue, the case panel."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import DISPOSITIONS, RequestStatus, choice_label

register = template.Library()


@register.filter
def due_at(req):
    """The next deadline of an open request: acknowledging while delivered, then completing."""
    if req.status == RequestStatus.DELIVERED:
        return req.ack_due_at or req.complete_due_at
    if req.status == RequestStatus.ACKNOWLEDGED:
        return req.complete_due_at
    return None


@register.filter
def is_overdue(req) -> bool:
    """Escalated by the deadline watch, or past its deadline before the watch ran."""
    if not req.is_open:
        return False
    due = due_at(req)
    return req.escalated_at is not None or (due is not None and due < timezone.now())


@register.filter
def requester(req) -> str:
    """The requesting officer's name; follow-ons the platform issued by itself say so."""
    user = req.issued_by
    if user is None:
        return _("系统续查")
    return user.get_full_name() or user.get_username()


@register.filter
def status_badge(status) -> str:
    return {
        RequestStatus.CREATED: "text-bg-secondary",
        RequestStatus.DELIVERED: "text-bg-warning",
        RequestStatus.ACKNOWLEDGED: "text-bg-info",
        RequestStatus.COMPLETED: "text-bg-success",
        RequestStatus.REJECTED: "text-bg-dark",
        RequestStatus.FAILED: "text-bg-danger",
    }.get(status, "text-bg-light")


@register.filter
def disposition_label(req) -> str:
    """A request's structured answer (held, blocked, removed ...) in the active language."""
    choices = DISPOSITIONS.get(req.kind)
    return choice_label(choices, req.disposition) if choices and req.disposition else ""


@register.inclusion_tag("alerts/case/_panel_body.html", takes_context=True)
def alerts_case_panel(context, case):
    from ..views.case_panel import panel_context

    ctx = panel_context(context["request"].user, case)
    ctx["csrf_token"] = context.get("csrf_token")
    ctx["request"] = context["request"]
    return ctx
