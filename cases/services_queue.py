"""Writes of the triage queue: a user's saved filters, and assigning or sharing many cases at once."""

from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.policy import authorize
from core.services import audit_record

from .models import Case, SavedFilter

BULK_LIMIT = 200  # cases one bulk action may touch (a page of the queue is 50)
SAVED_FILTER_LIMIT = 30  # per user


def _clean_query(query: str) -> str:
    """The query string to keep: without the page number and empty values, at most 1000 chars."""
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k != "page" and v]
    text = urlencode(pairs)
    if len(text) > 1000:
        raise ValidationError(_("筛选条件过长。"))
    return text


@transaction.atomic
def saved_filter_save(*, user, name: str, query: str) -> SavedFilter:
    """Save (or overwrite) the user's filter called ``name``."""
    authorize(user, "case.view")
    name = (name or "").strip()[:40]
    if not name:
        raise ValidationError({"name": _("请为筛选起个名字。")})
    query = _clean_query(query)
    existing = SavedFilter.objects.filter(user=user, name=name).first()
    if existing is None and SavedFilter.objects.filter(user=user).count() >= SAVED_FILTER_LIMIT:
        raise ValidationError(_("最多保存 %(n)s 个筛选，请先删除不用的。") % {"n": SAVED_FILTER_LIMIT})
    if existing:
        existing.query = query
        existing.save(update_fields=["query"])
        return existing
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(user=user, name=name, query=query)
    except IntegrityError:  # saved twice at once
        return SavedFilter.objects.get(user=user, name=name)


def saved_filter_delete(*, user, pk: int) -> bool:
    """Delete one of the user's own saved filters (another user's is not found: False)."""
    authorize(user, "case.view")
    return SavedFilter.objects.filter(user=user, pk=pk).delete()[0] > 0


def _bulk_cases(user, ids: list[int]) -> list[Case]:
    """The selected cases, each one the user may change; refused whole otherwise (nothing is
    said about cases outside the user's scope beyond that)."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise ValidationError(_("请先勾选案件。"))
    if len(ids) > BULK_LIMIT:
        raise ValidationError(_("一次最多处理 %(n)s 起案件。") % {"n": BULK_LIMIT})
    cases = list(Case.objects.restrict(user, "change").filter(pk__in=ids).order_by("pk"))
    if len(cases) != len(ids):
        raise ValidationError(_("所选案件中有您无权修改的案件，未做任何修改。"))
    return cases


@transaction.atomic
def case_bulk_assign(*, user, case_ids: list[int], assignee, request=None) -> int:
    """Assign every selected case to ``assignee`` (each through ``case_assign``): all or none."""
    from .services import case_assign

    cases = _bulk_cases(user, case_ids)
    for case in cases:
        case_assign(case=case, actor=user, assignee=assignee, request=request)
    audit_record(actor=user, action=AuditAction.UPDATE, obj=None, request=request,
                 detail={"bulk": "assign", "cases": [c.pk for c in cases], "assigned_to": getattr(assignee, "pk", None)})
    return len(cases)


@transaction.atomic
def case_bulk_share(*, user, case_ids: list[int], agency, request=None) -> int:
    """Share every selected case with ``agency`` (each through ``case_share``): all or none."""
    from .services import case_share

    cases = _bulk_cases(user, case_ids)
    for case in cases:
        case_share(case=case, actor=user, agency=agency, request=request)
    audit_record(actor=user, action=AuditAction.UPDATE, obj=None, request=request,
                 detail={"bulk": "share", "cases": [c.pk for c in cases], "shared_with": agency.pk})
    return len(cases)
