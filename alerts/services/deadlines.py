"""Deadlines: the minutes each request kind has to be acknowledged and completed (the office's
policy over the defaults), and the escalation of the requests that overran them."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.choices import Role
from core.choices import AuditAction
from core.policy import authorize
from core.services import audit_record
from events.services import event_emit

from ..constants import DEFAULT_DEADLINES
from ..models import DeadlinePolicy, Request
from ..payloads import request_view_for
from .requests import RequestForbidden, request_timeline_add


def deadline_table() -> dict[str, tuple[int | None, int | None]]:
    """Minutes to acknowledge and to complete, per request kind (the office's settings first)."""
    table = dict(DEFAULT_DEADLINES)
    for kind, ack, complete in DeadlinePolicy.objects.values_list("kind", "ack_minutes", "complete_minutes"):
        table[kind] = (ack, complete)
    return table


def deadline_minutes(kind: str) -> tuple[int | None, int | None]:
    return deadline_table().get(kind, (None, None))


def deadline_policy_update(*, actor, kind: str, ack_minutes: int | None, complete_minutes: int | None) -> DeadlinePolicy:
    authorize(actor, "deadline.change", message=_("只有联席办可以修改办理时限。"), error=RequestForbidden)
    policy, _created = DeadlinePolicy.objects.update_or_create(
        kind=kind, defaults={"ack_minutes": ack_minutes, "complete_minutes": complete_minutes, "updated_by": actor}
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=policy, detail={"ack": ack_minutes, "complete": complete_minutes})
    return policy


def requests_escalate_overdue(*, now=None) -> int:
    """Mark overdue open requests escalated and tell the receiver's supervisors and the centre."""
    now = now or timezone.now()
    overdue = Q(status="delivered", ack_due_at__lt=now) | Q(status__in=["delivered", "acknowledged"], complete_due_at__lt=now)
    count = 0
    ids = list(Request.objects.filter(overdue, escalated_at__isnull=True).values_list("pk", flat=True)[:500])
    for pk in ids:
        with transaction.atomic():
            req = Request.objects.select_for_update(skip_locked=True).filter(pk=pk, escalated_at__isnull=True).first()
            if req is None:
                continue
            req.escalated_at = now
            req.save(update_fields=["escalated_at", "updated_at"])
            request_timeline_add(req=req, kind="request_escalated", message=_("请求 %(number)s 超时，已督办") % {"number": req.number})
            audit_record(actor=None, action=AuditAction.TRANSITION, obj=req, detail={"move": "escalated"})
            # Everyone who may see the request; in the receiving agency, its supervisors.
            event_emit(kind="request.escalated", subject=req,
                       payload=lambda agency_id, r=req: request_view_for(r, agency_id), case_id=req.case_id,
                       roles={req.target_agency_id: Role.SUPERVISOR} if req.target_agency_id else None)
            count += 1
    return count
