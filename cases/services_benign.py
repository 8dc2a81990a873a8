"""The centre's warning list of benign values, and the review of suspect (over-shared) values.

A value on the list (a bank's hotline, a platform's main domain, the centre's own number) is
kept as an indicator but never ties cases into a ring. A value shared by unusually many cases
is flagged by cases.linking for a person; these services are that person's decisions.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.policy import authorize
from core.services import audit_record

from . import linking
from .choices import IndicatorKind
from .models import BenignIndicator, Indicator, Ring
from .normalize import normalize_indicator


def benign_value(kind: str, raw: str) -> str:
    """The stored form of a list entry: a bare registrable domain (``taobao.com``) covers every
    URL under it; anything else is normalised like an indicator (ValidationError if invalid)."""
    raw = (raw or "").strip()
    if not raw:
        raise ValidationError({"value": _("请填写线索值。")})
    if kind == IndicatorKind.URL and "/" not in raw and raw.count(".") <= 1:
        return raw.lower()
    return normalize_indicator(kind, raw).value


def models_q_value(kind: str, value: str) -> Q:
    """Indicators an entry covers: the same value, or for a URL domain every URL under it."""
    q = Q(value=value)
    if kind == IndicatorKind.URL:
        q |= Q(registrable_domain=value)
    return q


@transaction.atomic
def benign_add(*, kind: str, value: str, note: str = "", actor=None, instance=None, request=None) -> BenignIndicator:
    """Put a value on the warning list: its indicators stop linking and their rings are recomputed."""
    authorize(actor, "benign.change", message=_("只有反诈中心的研判员、主管和管理员可以维护白名单。"))
    if kind not in IndicatorKind.values:
        raise ValidationError({"kind": _("线索类型无效。")})
    value = benign_value(kind, value)
    obj = instance or BenignIndicator(kind=kind)
    if instance is None and BenignIndicator.objects.filter(kind=kind, value=value).exists():
        raise ValidationError({"value": _("该值已在白名单上。")})
    obj.kind, obj.value, obj.note = kind, value, (note or "").strip()[:200]
    if obj.created_by_id is None and actor is not None and actor.is_authenticated:
        obj.created_by = actor
    obj.save()
    linking.ring_lock()
    hits = Indicator.objects.filter(kind=kind).filter(models_q_value(kind, obj.value))
    ring_ids = set(hits.exclude(ring=None).values_list("ring_id", flat=True))
    # Listing a flagged value is the person's decision on it: it leaves the review list.
    hits.update(is_linkable=False, needs_review=False)
    # An admin action, rare, and a ring is at most a few thousand cases: recompute now so the
    # analyst sees the split at once (ring_recompute_task exists for bulk list imports).
    for ring in Ring.objects.filter(pk__in=ring_ids):
        linking.ring_recompute(ring)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=obj, detail={"kind": kind, "value": value}, request=request)
    return obj


def _still_listed(indicator: Indicator) -> bool:
    q = Q(kind=indicator.kind, value=indicator.value)
    if indicator.registrable_domain:
        q |= Q(kind=indicator.kind, value=indicator.registrable_domain)
    return BenignIndicator.objects.filter(q).exists()


@transaction.atomic
def benign_remove(*, entry: BenignIndicator, actor, request=None) -> int:
    """Take a value off the list: its indicators tie cases again (rings merge), unless shared by
    suspiciously many cases, which are flagged for review instead. Returns the indicators freed."""
    authorize(actor, "benign.change", message=_("只有反诈中心的研判员、主管和管理员可以维护白名单。"))
    kind, value = entry.kind, entry.value
    audit_record(actor=actor, action=AuditAction.DELETE, obj=entry, detail={"kind": kind, "value": value}, request=request)
    entry.delete()
    linking.ring_lock()
    threshold = linking.suspect_threshold()
    freed = 0
    for ind in Indicator.objects.select_for_update().filter(kind=kind, is_linkable=False).filter(models_q_value(kind, value)):
        if _still_listed(ind):
            continue  # e.g. a URL whose domain is listed on its own
        if ind.case_count >= threshold:
            ind.needs_review = True
            ind.flagged_at = timezone.now()
            ind.review_reason = _("关联案件数达到 %(n)s，疑似公共号码/域名，暂停串并") % {"n": threshold}
            ind.save(update_fields=["needs_review", "flagged_at", "review_reason"])
            continue
        ind.is_linkable = True
        ind.save(update_fields=["is_linkable"])
        linking.indicator_relink(ind)
        freed += 1
    return freed


@transaction.atomic
def indicator_review_dismiss(*, indicator: Indicator, actor, request=None) -> Indicator:
    """A person looked at a suspect value and keeps it out of linking without listing it."""
    authorize(actor, "benign.change", message=_("只有反诈中心的研判员、主管和管理员可以维护白名单。"))
    ind = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if not ind.needs_review:
        raise ValidationError(_("该线索不在待复核列表中。"))
    ind.needs_review = False
    ind.review_reason = (_("已复核，保持不串并（%(user)s）") % {"user": actor.get_username()})[:200]
    ind.save(update_fields=["needs_review", "review_reason"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=ind, detail={"review": "dismissed"}, request=request)
    return ind
