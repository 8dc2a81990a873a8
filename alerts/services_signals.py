"""Early-warning signals become dissuasion tasks; outcomes; deadline escalation."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.choices import AgencyKind, Role
from agencies.models import Agency
from cases.normalize import validate_id_number
from core.choices import AuditAction
from core.services import audit_record
from events.services import event_emit

from .choices import OPEN_STATUSES, DissuasionOutcome, RequestKind, TargetKind
from .models import DeadlinePolicy, Request, Signal
from .payloads import request_view_for
from .services import _new_number, _timeline, request_create

SIGNAL_KINDS = (AgencyKind.BANK, AgencyKind.PAYMENT_INSTITUTION, AgencyKind.CARRIER, AgencyKind.INTERNET_PLATFORM)


@transaction.atomic
def signal_receive(
    *,
    actor,
    reason: str,
    region=None,
    resident_name: str = "",
    resident_id_number: str = "",
    resident_phone: str = "",
    indicator_kind: str = "",
    indicator_value: str = "",
    amount=None,
    http_request=None,
) -> Signal:
    """Store a signal and join it to an open dissuasion task about the same resident (same ID
    number or phone) from the last 24 hours, or create a new task for their station+community."""
    if actor.agency.kind not in SIGNAL_KINDS:
        from .services import RequestForbidden

        raise RequestForbidden(_("只有银行、支付机构、运营商和互联网企业可以报送预警。"))
    if not (resident_id_number or resident_phone):
        raise ValidationError(_("预警须至少提供身份证号或手机号。"))
    if not (reason or "").strip():
        raise ValidationError(_("请填写预警原因。"))
    if resident_id_number:
        resident_id_number = validate_id_number(resident_id_number)
    signal = Signal.objects.create(
        source_agency=actor.agency, created_by=actor, reason=reason.strip()[:300], region=region,
        resident_name=resident_name, resident_id_number=resident_id_number, resident_phone=resident_phone,
        indicator_kind=indicator_kind, indicator_value=indicator_value, amount=amount,
    )
    same = Q()
    if resident_id_number:
        same |= Q(person_id_number=resident_id_number)
    if resident_phone:
        same |= Q(person_phone=resident_phone)
    task = (
        Request.objects.select_for_update()
        .filter(same, kind=RequestKind.DISSUASION, status__in=OPEN_STATUSES,
                created_at__gte=timezone.now() - timedelta(days=1))
        .order_by("created_at").first()
    )
    if task is None:
        centre = Agency.objects.filter(kind=AgencyKind.ANTI_FRAUD_CENTRE, parent__isnull=True, is_active=True).order_by("code").first()
        task = request_create(
            issuer=None, issuing_agency=centre or actor.agency, kind=RequestKind.DISSUASION,
            target_kind=TargetKind.PERSON, target_value=resident_name or resident_phone or resident_id_number,
            person_name=resident_name, person_id_number=resident_id_number, person_phone=resident_phone,
            person_region=region, amount=amount or 0,
            note=_("%(source)s 预警：%(reason)s") % {"source": actor.agency.name, "reason": signal.reason},
        ) if region is not None else _unroutable_task(signal, actor)
    signal.task = task
    signal.save(update_fields=["task"])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=signal, request=http_request)
    event_emit(kind="signal.received", subject=signal, payload={"signal": signal.pk, "task": task.number})
    return signal


def _unroutable_task(signal, actor) -> Request:
    """No region given: the task still exists, in the centre's dispatch queue."""
    centre = Agency.objects.filter(kind=AgencyKind.ANTI_FRAUD_CENTRE, parent__isnull=True).order_by("code").first()
    req = Request.objects.create(
        number=_new_number(), kind=RequestKind.DISSUASION,  # random, as every request number
        target_kind=TargetKind.PERSON, target_value=signal.resident_name or signal.resident_phone,
        person_name=signal.resident_name, person_id_number=signal.resident_id_number,
        person_phone=signal.resident_phone, issuing_agency=centre or actor.agency, needs_manual_routing=True,
        routing_reason=_("预警未提供居住地，已转反诈中心人工分派。"),
    )
    return req


def dissuasion_outcome_effects(*, req: Request, actor, case_details: dict | None = None) -> None:
    """already paid -> a case pre-filled from the signal; unreachable -> a police visit."""
    if req.outcome == DissuasionOutcome.ALREADY_PAID:
        req.case = _case_from_task(req, actor, case_details or {})
        req.save(update_fields=["case"])
        _timeline(req, "request_opened_case", _("劝阻时已被骗，已立案"), actor=actor)
    elif req.outcome == DissuasionOutcome.UNREACHABLE and req.target_agency_id:
        request_create(
            issuer=None, issuing_agency=req.issuing_agency, kind=RequestKind.DISSUASION,
            target_kind=TargetKind.PERSON, target_value=req.target_value, person_name=req.person_name,
            person_id_number=req.person_id_number, person_phone=req.person_phone, person_region=req.person_region,
            parent=req, amount=req.amount, note=_("联系不上，请派出所上门走访"),
        )


def _case_from_task(req: Request, actor, details: dict):
    """Open the case through the cases intake service, filled from the task and its first
    signal: the resident as victim, the signal's indicator, its amount, the station as the
    reporting agency. ``details`` may carry the typology and loss the grid worker was told."""
    from cases.choices import IndicatorKind, PaymentChannel
    from cases.models import Typology
    from cases.services import case_create

    signal = req.signals.order_by("received_at").first()
    typology = details.get("typology") or Typology.objects.filter(is_active=True).order_by("sort_order", "code").first()
    if typology is None:
        raise ValidationError(_("请选择诈骗类型。"))
    loss = details.get("loss_amount")
    if loss is None:
        loss = signal.amount if signal and signal.amount else req.amount
    station = req.target_agency if req.target_agency and req.target_agency.kind == AgencyKind.POLICE_STATION else None
    indicators = []
    if signal and signal.indicator_kind in IndicatorKind.values and signal.indicator_value:
        indicators.append({"kind": signal.indicator_kind, "value": signal.indicator_value})
    now = timezone.now()
    return case_create(
        actor=actor, reporting_agency=station or req.issuing_agency,
        region=req.person_region or (station.region if station else req.issuing_agency.region),
        typology=typology, occurred_at=now, reported_at=now, loss_amount=loss or 0,
        payment_channel=PaymentChannel.OTHER,
        narrative=_("由预警转立：%(reason)s") % {"reason": signal.reason if signal else req.note},
        victims=[{"name": req.person_name or _("未知"), "id_number": req.person_id_number,
                  "phone": req.person_phone}],
        indicators=indicators,
    )


# ---------------------------------------------------------------- deadlines


def deadline_policy_update(*, actor, kind: str, ack_minutes: int | None, complete_minutes: int | None) -> DeadlinePolicy:
    if actor.agency.kind != AgencyKind.LEADERSHIP_OFFICE and not actor.is_superuser:
        from .services import RequestForbidden

        raise RequestForbidden(_("只有联席办可以修改办理时限。"))
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
            _timeline(req, "request_escalated", _("请求 %(number)s 超时，已督办") % {"number": req.number})
            audit_record(actor=None, action=AuditAction.TRANSITION, obj=req, detail={"move": "escalated"})
            # Everyone who may see the request; in the receiving agency, its supervisors.
            event_emit(kind="request.escalated", subject=req,
                       payload=lambda agency_id, r=req: request_view_for(r, agency_id), case_id=req.case_id,
                       roles={req.target_agency_id: Role.SUPERVISOR} if req.target_agency_id else None)
            count += 1
    return count
