"""The receiving clerks' working day: claiming a request so that two clerks do not work one,
letting it go, and acknowledging several at once.

A claim is a column of the request (``claimed_by``); the policy's ``request.work`` rule
(core.policy) lets only its holder make a receiver move (``requests._check`` raises
``RequestClaimed`` for anyone else of the agency), until they take it over explicitly. Each
claim, take-over and release is a recorded move like the others: timeline, audit, and a live
``request.claimed`` / ``request.unclaimed`` event to everyone who sees the request.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.policy import allowed, authorize

from ..choices import RequestStatus
from ..models import Request
from ..transitions import move_to
from .requests import (
    LOCK_RELATED,
    RequestClaimed,
    RequestConflict,
    RequestForbidden,
    request_holder_name,
    request_moves_record,
)

BULK_MAX = 200


def _locked(request_id: int) -> Request:
    return Request.objects.select_for_update(of=("self",)).select_related(*LOCK_RELATED).get(pk=request_id)


@transaction.atomic
def request_claim(*, request_id: int, actor, take_over: bool = False, http_request=None) -> Request:
    """Claim an open request for ``actor``; one another clerk holds only with ``take_over``
    (recorded, with whom it was taken from). Claiming one's own claim again changes nothing."""
    req = _locked(request_id)
    authorize(actor, "request.claim", req, message=_("只有接收单位的经办人员可以认领该请求。"), error=RequestForbidden)
    if not req.is_open:
        raise RequestConflict(_("请求 %(number)s 已结束，无需认领。") % {"number": req.number})
    if req.claimed_by_id == actor.pk:
        return req
    previous = req.claimed_by
    if previous is not None and not take_over:
        raise RequestClaimed(_("请求 %(number)s 正由 %(holder)s 办理；如需由您办理，请选择“接手”。")
                             % {"number": req.number, "holder": request_holder_name(previous)})
    req.claimed_by, req.claimed_at = actor, timezone.now()
    req.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
    if previous is None:
        message = _("%(user)s 认领了 %(number)s") % {"user": request_holder_name(actor), "number": req.number}
        detail = {"claimed_by": actor.pk}
    else:
        message = _("%(user)s 从 %(holder)s 处接手了 %(number)s") % {
            "user": request_holder_name(actor), "holder": request_holder_name(previous), "number": req.number}
        detail = {"claimed_by": actor.pk, "taken_from": previous.pk}
    request_moves_record([(req, "claimed", actor, message, detail)], http_request=http_request)
    return req


@transaction.atomic
def request_unclaim(*, request_id: int, actor, http_request=None) -> Request:
    """Let a claim go (its holder, or the agency's supervisor or admin). Idempotent."""
    req = _locked(request_id)
    authorize(actor, "request.unclaim", req, message=_("只有认领人或本单位主管可以放弃认领。"), error=RequestForbidden)
    if req.claimed_by_id is None:
        return req
    previous = req.claimed_by
    req.claimed_by, req.claimed_at = None, None
    req.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
    message = _("%(user)s 放弃认领 %(number)s（原认领人 %(holder)s）") % {
        "user": request_holder_name(actor), "number": req.number, "holder": request_holder_name(previous)}
    request_moves_record([(req, "unclaimed", actor, message, {"released_from": previous.pk})], http_request=http_request)
    return req


@transaction.atomic
def requests_acknowledge_many(*, request_ids, actor, http_request=None) -> dict:
    """Acknowledge several requests in one transaction, each recorded (timeline, audit, event)
    as if acknowledged alone, with one insert each for all of them.

    Returns ``{"acknowledged": [Request], "skipped": [{"id", "number", "code", "message"}]}``.
    Idempotent on retry: a request this agency has already acknowledged is skipped with code
    ``already``; others are skipped with ``not_found`` (not addressed to the actor's agency: no
    more is said about it), ``claimed`` (another clerk holds it) or ``state`` (moved on).
    """
    authorize(actor, "request.acknowledge", message=_("您所在单位或角色无权签收请求。"), error=RequestForbidden)
    ids = []
    for value in request_ids or ():
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if pk not in ids:
            ids.append(pk)
    if len(ids) > BULK_MAX:
        raise RequestConflict(_("一次最多签收 %(n)s 件。") % {"n": BULK_MAX})
    rows = {
        req.pk: req
        for req in Request.objects.restrict(actor, "act").filter(pk__in=ids).select_for_update(of=("self",))
        .select_related(*LOCK_RELATED).order_by("pk")
    }
    now = timezone.now()
    done, skipped, moves = [], [], []
    for pk in ids:
        req = rows.get(pk)
        if req is None:
            skipped.append({"id": pk, "number": "", "code": "not_found", "message": str(_("未找到该请求。"))})
        elif req.status == RequestStatus.ACKNOWLEDGED:
            skipped.append({"id": pk, "number": req.number, "code": "already", "message": str(_("已签收。"))})
        elif not allowed(actor, "request.acknowledge", req):
            skipped.append({"id": pk, "number": req.number, "code": "forbidden", "message": str(_("无权签收。"))})
        elif not allowed(actor, "request.work", req):
            skipped.append({"id": pk, "number": req.number, "code": "claimed",
                            "message": str(_("正由 %(holder)s 办理。") % {"holder": request_holder_name(req.claimed_by)})})
        elif req.status != RequestStatus.DELIVERED:
            skipped.append({"id": pk, "number": req.number, "code": "state",
                            "message": str(_("当前状态为“%(status)s”。") % {"status": req.get_status_display()})})
        else:
            move_to(req, "acknowledge")
            req.acknowledged_at, req.acknowledged_by, req.updated_at = now, actor, now
            done.append(req)
            moves.append((req, "acknowledged", actor,
                          _("%(agency)s 已签收 %(number)s（批量）") % {"agency": actor.agency.name, "number": req.number},
                          {"bulk": True}))
    if done:
        for req in done:  # save(), not bulk_update: the dashboards' rollup listens to saves
            req.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
        request_moves_record(moves, http_request=http_request)
    return {"acknowledged": done, "skipped": skipped}
