"""The one authorization policy: which role, of which agency kind, may do which action, on what.

Every write service starts with ``authorize(actor, "<noun>.<verb>", obj)``; pages, the API,
Celery tasks and imports all reach the same line, so no entry point can skip it. Views use
``allowed()`` only to hide buttons, and every URL names its action in ``core.policy_routes``
(the permission-matrix test fails on a URL without one).

A rule is a list of grants (agency kinds x roles) plus, where the object matters, a predicate
on it (a receiving agency acts only on what was addressed to it; a bulletin is changed only by
the agency that drafted it). Row *visibility* stays each model's ``restrict(user, action)``;
the predicates here decide who may act on a row they can already see.

Users without an agency (the platform superuser) read what the read rules allow and are refused
every write with a clear 403: they belong to no member unit, so nothing they write has an owner.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from agencies.choices import POLICE_KINDS, RECEIVING_KINDS, AgencyKind, Role

K = AgencyKind
ANY = None  # any agency kind / any role

CASE_READERS = POLICE_KINDS | {K.PROCURATORATE, K.COURT, K.LEADERSHIP_OFFICE}
BOARD_KINDS = POLICE_KINDS | {K.LEADERSHIP_OFFICE}
REGION_FIGURE_KINDS = frozenset({K.LEADERSHIP_OFFICE, K.ANTI_FRAUD_CENTRE, K.POLICE_STATION, K.COMMUNITY,
                                 K.PUBLICITY_DEPARTMENT})
PLANNER_KINDS = frozenset({K.PUBLICITY_DEPARTMENT, K.ANTI_FRAUD_CENTRE})
OFFICE = frozenset({K.LEADERSHIP_OFFICE})
CENTRE = frozenset({K.ANTI_FRAUD_CENTRE})

CASE_WRITERS = frozenset({Role.ANALYST, Role.OFFICER, Role.SUPERVISOR})
ISSUER_ROLES = frozenset({Role.ANALYST, Role.OFFICER, Role.SUPERVISOR})
RECEIVER_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.GRID_WORKER, Role.AGENCY_ADMIN})
BENIGN_EDITORS = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.AGENCY_ADMIN})
ALL_BUT_VIEWER = frozenset(set(Role.values) - {Role.VIEWER})

# The agency kinds that may be sent a request on each target kind (alerts.choices.TargetKind):
# a stop-payment goes to a bank, a number block to a carrier, a takedown to a platform.
TARGET_AGENCY_KINDS = {
    "account": frozenset({K.BANK, K.PAYMENT_INSTITUTION}),
    "phone": frozenset({K.CARRIER}),
    "url": frozenset({K.INTERNET_PLATFORM}),
    "app": frozenset({K.INTERNET_PLATFORM}),
    "social": frozenset({K.INTERNET_PLATFORM}),
    "person": frozenset({K.POLICE_STATION, K.COMMUNITY}),
}


class Forbidden(PermissionDenied):
    """The actor's agency kind or role may not do this (or not to this object): HTTP 403.

    A ``PermissionDenied``, so Django pages answer 403 and the DRF exception handler maps it to
    ``{"detail": ..., "code": "forbidden"}``.
    """

    default_message = _("您所在单位或角色无权执行该操作。")

    def __init__(self, message=None, *, code: str = "forbidden", action: str = ""):
        self.message = str(message or self.default_message)
        self.code = code
        self.action = action
        super().__init__(self.message)


@dataclass(frozen=True)
class Grant:
    kinds: frozenset | None = ANY
    roles: frozenset | None = ANY

    def covers(self, user) -> bool:
        return (self.kinds is None or user.agency.kind in self.kinds) and (self.roles is None or user.role in self.roles)


@dataclass(frozen=True)
class Rule:
    """``grants``: who (any one suffices); ``on``: a predicate on the object, when one is given;
    ``write``: refused to users without an agency and to the read-only role."""

    grants: tuple[Grant, ...]
    write: bool = True
    on: Callable | None = None
    message: str = field(default="")


def rule(kinds=ANY, roles=ANY, *, write=True, on=None, message="", also=()) -> Rule:
    kinds = frozenset(kinds) if kinds is not None else None
    roles = frozenset(roles) if roles is not None else None
    return Rule(grants=(Grant(kinds, roles), *also), write=write, on=on, message=message)


def read(kinds=ANY, roles=ANY, *, on=None, also=()) -> Rule:
    return rule(kinds, roles, write=False, on=on, also=also)


# ---------------------------------------------------------------- object predicates


def _receiver(user, req) -> bool:
    """A receiving agency acts only on what was addressed to it."""
    return user.agency_id in (req.target_agency_id, req.secondary_agency_id)


def _claim_free(user, req) -> bool:
    """A receiving clerk works a request nobody else of the agency has claimed (alerts.services.claims)."""
    return req.claimed_by_id in (None, user.pk)


def _claim_holder_or_lead(user, req) -> bool:
    """A claim is let go by its holder, or by the receiving agency's supervisor or admin."""
    return _receiver(user, req) and (req.claimed_by_id in (None, user.pk)
                                     or user.role in (Role.SUPERVISOR, Role.AGENCY_ADMIN))


def _issuer(user, req) -> bool:
    return user.agency_id == req.issuing_agency_id


def _router(user, obj) -> bool:
    """A centre or station routes a request from the dispatch queue, to an agency of the kind
    the target needs. ``obj``: the request, or ``(request, target_agency)``."""
    req, target = obj if isinstance(obj, tuple) else (obj, None)
    if target is not None and target.kind not in TARGET_AGENCY_KINDS.get(req.target_kind, ()):
        return False
    return True


@dataclass(frozen=True)
class RequestDraft:
    """What ``request.create`` is checked on before the row exists."""

    kind: str
    target_kind: str
    case: object = None


def _may_issue(user, draft: RequestDraft) -> bool:
    from alerts.constants import KIND_TARGETS

    targets = KIND_TARGETS.get(draft.kind)
    if targets is not None and draft.target_kind not in targets:
        return False  # e.g. a stop-payment on a phone number: no bank could execute it
    if draft.case is not None:
        from cases.models import Case

        return Case.objects.restrict(user).filter(pk=draft.case.pk).exists()
    return True


def _case_change(user, case) -> bool:
    from cases.models import Case

    return Case.objects.restrict(user, "change").filter(pk=case.pk).exists()


def _case_view(user, case) -> bool:
    from cases.models import Case

    return Case.objects.restrict(user).filter(pk=case.pk).exists()


def _own_agency(user, obj) -> bool:
    """The object belongs to the actor's agency (``agency_id`` or ``owner_agency_id``)."""
    owner = getattr(obj, "agency_id", None)
    if owner is None:
        owner = getattr(obj, "owner_agency_id", None)
    return owner == user.agency_id


def _restricted_change(user, obj) -> bool:
    return type(obj).objects.restrict(user, "change").filter(pk=obj.pk).exists()


def _own_or_office(user, obj) -> bool:
    return user.agency.kind == K.LEADERSHIP_OFFICE or _own_agency(user, obj) or getattr(obj, "pk", None) == user.agency_id


# ---------------------------------------------------------------- the table


def _request_moves() -> dict[str, Rule]:
    """``request.<move>`` for each move of the transition table (alerts.transitions.MOVES): the
    table says from which status to which; this says who."""
    from alerts.transitions import MOVES

    rules = {}
    for name, move in MOVES.items():
        if move.side == "system":
            continue
        if move.side == "receiver":
            rules["request." + name] = rule(ANY, RECEIVER_ROLES, on=_receiver)
        elif name == "route_manually":  # any centre or station may route from the dispatch queue
            rules["request." + name] = rule(POLICE_KINDS, ISSUER_ROLES, on=_router)
        else:
            rules["request." + name] = rule(POLICE_KINDS, ISSUER_ROLES, on=_issuer)
    return rules


RULES: dict[str, Rule] = {
    # --- members, directory, own account, events
    "agency.view": read(),
    "event.view": read(),
    "me.view": read(),
    "audit.view": read(ANY, {Role.AGENCY_ADMIN}, also=(Grant(OFFICE, None),)),
    # Routing keys (agencies.services): an agency admin writes its own agency's keys; a key
    # overlapping another agency's space waits for a centre analyst's or supervisor's approval.
    "routingkey.change": rule(ANY, {Role.AGENCY_ADMIN}, on=_own_agency),
    "routingkey.review": read(CENTRE, {Role.ANALYST, Role.SUPERVISOR}),
    "routingkey.approve": rule(CENTRE, {Role.ANALYST, Role.SUPERVISOR}),
    # --- cases
    "case.view": read(CASE_READERS),
    "case.create": rule(POLICE_KINDS, CASE_WRITERS),
    "case.import": rule(POLICE_KINDS, CASE_WRITERS),
    "case.change": rule(POLICE_KINDS, CASE_WRITERS, on=_case_change),
    "case.prioritise": rule(POLICE_KINDS, {Role.SUPERVISOR}, on=_case_change),
    "case.share": rule(POLICE_KINDS, CASE_WRITERS, on=_case_change),
    "case.link": rule(POLICE_KINDS, CASE_WRITERS, on=_case_change),
    "victim.reveal": read(CASE_READERS, on=_case_view),
    "benign.view": read(POLICE_KINDS),
    "benign.change": rule(CENTRE, BENIGN_EDITORS),
    # --- requests between agencies
    "request.view": read(),
    "request.board": read(BOARD_KINDS),
    "request.create": rule(POLICE_KINDS, ISSUER_ROLES, on=_may_issue),
    **_request_moves(),
    # Claims (the inbox): one clerk works a request; another of the agency takes it over explicitly.
    "request.claim": rule(ANY, RECEIVER_ROLES, on=_receiver),
    "request.unclaim": rule(ANY, RECEIVER_ROLES, on=_claim_holder_or_lead),
    "request.work": rule(ANY, RECEIVER_ROLES, on=_claim_free),
    "signal.create": rule(RECEIVING_KINDS),
    "return.view": read(BOARD_KINDS),
    "return.decide": rule(CENTRE, {Role.SUPERVISOR}),  # approve a return split, request its rest
    "deadline.change": rule(OFFICE, also=()),
    # --- dashboards and assessment
    "dashboard.view": read(REGION_FIGURE_KINDS),
    "league.view": read(),
    "assessment.view": read(ANY, on=_own_or_office),
    "rectification.view": read(REGION_FIGURE_KINDS),
    "rectification.create": rule(OFFICE),
    "rectification.delist": rule(OFFICE),
    "weights.change": rule(OFFICE),
    "period.close": rule(OFFICE),
    # --- publicity
    "publicity.view": read(),
    "targeting.view": read(PLANNER_KINDS | OFFICE),
    "campaign.create": rule(PLANNER_KINDS, ALL_BUT_VIEWER),
    "campaign.change": rule(PLANNER_KINDS, ALL_BUT_VIEWER, on=_restricted_change),
    "outreach.create": rule(ANY, ALL_BUT_VIEWER),
    "outreach.change": rule(ANY, ALL_BUT_VIEWER, on=_restricted_change),
    "content.create": rule(ANY, ALL_BUT_VIEWER),
    "content.review": rule({K.PUBLICITY_DEPARTMENT}, ALL_BUT_VIEWER),
    "bulletin.view": read(),
    "bulletin.receipts": read(ANY, on=_own_or_office),
    "bulletin.draft": rule(CENTRE, ALL_BUT_VIEWER - {Role.GRID_WORKER}),
    "bulletin.change": rule(CENTRE, ALL_BUT_VIEWER - {Role.GRID_WORKER}, on=_restricted_change),
    "bulletin.publish": rule(CENTRE, ALL_BUT_VIEWER - {Role.GRID_WORKER}, on=_restricted_change),
    "criteria.change": rule(OFFICE, ALL_BUT_VIEWER),
    "title.apply": rule({K.COMMUNITY}, ALL_BUT_VIEWER),
    "title.decide": rule(OFFICE, ALL_BUT_VIEWER),
    # --- duplicates (cases.merging): a centre's analysts merge cases they may change
    "case.merge": rule(CENTRE, {Role.ANALYST, Role.SUPERVISOR}, on=_case_change),
    # --- the agency admin's console (agencies.services): own agency's users and duty contacts
    "console.view": read(ANY, {Role.AGENCY_ADMIN}),
    "user.manage": rule(ANY, {Role.AGENCY_ADMIN}, on=_own_agency),
    "agency.duty_change": rule(ANY, {Role.AGENCY_ADMIN}, on=lambda user, agency: agency.pk == user.agency_id),
    # --- working a case (issue 20): notes by anyone the case is shared with; evidence and tasks
    # by the police who may see it; a task is done by its assignee's agency or the case's owners.
    "note.create": rule(CASE_READERS, ALL_BUT_VIEWER, on=_case_view),
    "evidence.create": rule(POLICE_KINDS, CASE_WRITERS, on=_case_view),
    "task.view": read(CASE_READERS),
    "task.create": rule(POLICE_KINDS, CASE_WRITERS, on=_case_view),
    "task.complete": rule(CASE_READERS, ALL_BUT_VIEWER, on=lambda user, task: _task_doer(user, task)),
}


def _task_doer(user, task) -> bool:
    """The task's agency (its named person or a colleague), or whoever may change the case."""
    if task.assignee_user_id is not None and task.assignee_user_id == user.pk:
        return True
    if task.assignee_agency_id == user.agency_id and _case_view(user, task.case):
        return True
    return _case_change(user, task.case)

NO_AGENCY = _("平台管理员账号不属于任何成员单位，不能执行业务操作。")


def _decide(user, action: str, obj) -> tuple[bool, str, str]:
    """(allowed, message, code) without raising."""
    try:
        r = RULES[action]
    except KeyError:
        raise KeyError("no policy rule for action %r (add it to core.policy.RULES)" % action) from None
    if user is None or not user.is_authenticated or not getattr(user, "is_active", True):
        return False, str(_("请先登录。")), "not_authenticated"
    if getattr(user, "agency_id", None) is None:
        if r.write:
            return False, str(NO_AGENCY), "no_agency"
        return bool(user.is_superuser), str(Forbidden.default_message), "forbidden"
    if r.write and user.role == Role.VIEWER:
        return False, str(Forbidden.default_message), "forbidden"
    if not any(g.covers(user) for g in r.grants):
        return False, str(r.message or Forbidden.default_message), "forbidden"
    if obj is not None and r.on is not None and not r.on(user, obj):
        return False, str(r.message or Forbidden.default_message), "forbidden"
    return True, "", ""


def allowed(user, action: str, obj=None) -> bool:
    """True if ``user`` may do ``action`` (on ``obj``, when given): for menus and buttons."""
    return _decide(user, action, obj)[0]


def authorize(user, action: str, obj=None, *, message=None, error: type[Forbidden] = Forbidden) -> None:
    """Raise ``error`` (a ``Forbidden``) unless ``user`` may do ``action`` (on ``obj``, when
    given). ``message`` replaces the generic refusal; a user without an agency always hears why."""
    ok, default, code = _decide(user, action, obj)
    if not ok:
        exc = error(message if code == "forbidden" and message else default)
        exc.code, exc.action = code, action
        raise exc


def is_write(action: str) -> bool:
    return RULES[action].write
