"""Writes of the dashboards app (all by the leadership office): rectification listings,
assessment weights and periods. Keyword-only, atomic, audited."""

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.policy import authorize
from core.services import audit_record

from . import assessment
from .choices import RectificationStatus
from .constants import DEFAULT_WEIGHTS, RESPONSIBLE_KINDS
from .models import AssessmentPeriod, AssessmentWeights, Rectification


def can_be_responsible(agency, region) -> bool:
    """Only the police station or the community of the listed area answers for its rectification:
    an agency of one of those kinds whose own area contains the listed area or lies within it."""
    if agency is None or not agency.is_active or agency.kind not in RESPONSIBLE_KINDS or agency.region_id is None:
        return False
    return agency.region.contains(region) or region.contains(agency.region)


def responsible_candidates(region):
    """The agencies that may answer for ``region``'s rectification (for the listing form)."""
    from agencies.models import Agency

    return [a for a in Agency.objects.filter(is_active=True, kind__in=RESPONSIBLE_KINDS).select_related("region")
            .order_by("kind", "name") if can_be_responsible(a, region)]


def _require_office(actor, action: str) -> None:
    authorize(actor, action, message=_("只有联席办可以执行该操作。"))


@transaction.atomic
def rectification_list(*, actor, region, responsible_agency, reason: str, deadline: date,
                       listed_on: date | None = None, request=None) -> Rectification:
    """List an area for rectification (挂牌整治); one open listing per area."""
    _require_office(actor, "rectification.create")
    listed_on = listed_on or timezone.localdate()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写挂牌原因。")})
    if deadline < listed_on:
        raise ValidationError({"deadline": _("整治期限不能早于挂牌日期。")})
    if not can_be_responsible(responsible_agency, region):
        raise ValidationError({"responsible_agency": _(
            "责任单位只能是%(area)s所在辖区的派出所或社区（村）；%(agency)s不是。"
        ) % {"area": region.name, "agency": responsible_agency.name}})
    try:
        with transaction.atomic():
            rect = Rectification.objects.create(
                region=region, responsible_agency=responsible_agency, reason=reason.strip()[:300],
                listed_on=listed_on, deadline=deadline, listed_by=actor,
            )
    except IntegrityError:
        raise ValidationError({"region": _("该区域已在挂牌整治中。")}) from None
    audit_record(actor=actor, action=AuditAction.CREATE, obj=rect,
                 detail={"region": region.code, "agency": responsible_agency.code, "deadline": deadline.isoformat()},
                 request=request)
    return rect


@transaction.atomic
def rectification_delist(*, actor, rectification: Rectification, note: str = "", request=None) -> Rectification:
    _require_office(actor, "rectification.delist")
    rect = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rect.status != RectificationStatus.LISTED:
        raise ValidationError(_("该区域已摘牌。"))
    rect.status = RectificationStatus.DELISTED
    rect.delisted_on = timezone.localdate()
    rect.delisted_by = actor
    rect.delist_note = (note or "").strip()[:300]
    rect.save(update_fields=["status", "delisted_on", "delisted_by", "delist_note"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=rect, detail={"move": "delisted"}, request=request)
    return rect


def _clean_weights(weights: dict) -> dict[str, int]:
    cleaned = {}
    for key in DEFAULT_WEIGHTS:
        value = weights.get(key, DEFAULT_WEIGHTS[key])
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError({key: _("权重必须是 0 至 100 的整数。")}) from None
        if not 0 <= value <= 100:
            raise ValidationError({key: _("权重必须是 0 至 100 的整数。")})
        cleaned[key] = value
    if not any(cleaned.values()):
        raise ValidationError(_("至少一项权重须大于 0。"))
    return cleaned


@transaction.atomic
def weights_update(*, actor, weights: dict, period: AssessmentPeriod | None = None, request=None) -> dict[str, int]:
    """Set the office's weights and store them with ``period`` (or with every open period).

    They become the current weights, which periods created later copy. A closed period is
    frozen: its weights (and scores) never change, and asking to change them is an error.
    """
    _require_office(actor, "weights.change")
    cleaned = _clean_weights(weights)
    if period is not None:
        period = AssessmentPeriod.objects.select_for_update().get(pk=period.pk)
        if period.is_closed:
            raise ValidationError(_("考核周期“%(name)s”已结束，权重和得分已固定，不能修改。") % {"name": period.name})
    row = AssessmentWeights.objects.select_for_update().order_by("pk").first() or AssessmentWeights()
    before = row.weights
    row.weights, row.updated_by = cleaned, actor
    row.save()
    periods = AssessmentPeriod.objects.filter(closed_at__isnull=True)
    if period is not None:
        periods = periods.filter(pk=period.pk)
    periods.update(weights=cleaned)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=period or row,
                 detail={"before": period.weights if period is not None else before, "after": cleaned},
                 request=request)
    return cleaned


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def period_for_month(year: int, month: int) -> AssessmentPeriod:
    """The month's period, created on first use with the weights in force at that moment."""
    start, end = month_bounds(year, month)
    period, _created = AssessmentPeriod.objects.get_or_create(
        start=start, end=end, defaults={"name": "%04d-%02d" % (year, month), "weights": assessment.current_weights()},
    )
    return period


@transaction.atomic
def period_close(*, period: AssessmentPeriod, actor=None) -> AssessmentPeriod:
    """Freeze a period's results (the beat task closes finished months; the office may too)."""
    if actor is not None:
        _require_office(actor, "period.close")
    period = AssessmentPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_closed:
        return period
    assessment.freeze(period)
    period.closed_at = timezone.now()
    period.save(update_fields=["closed_at"])
    if actor is not None:
        audit_record(actor=actor, action=AuditAction.TRANSITION, obj=period, detail={"move": "closed"})
    return period


def periods_close_finished(*, today: date | None = None) -> int:
    """Close every open period that ended before yesterday (a day's grace for late rollups)."""
    today = today or timezone.localdate()
    count = 0
    for period in AssessmentPeriod.objects.filter(closed_at__isnull=True, end__lt=today):
        if (today - period.end).days >= 2:
            period_close(period=period)
            count += 1
    return count
