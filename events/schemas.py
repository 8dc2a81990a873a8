"""Every event kind, declared once: its payload shape and whose visibility rule names its receivers.

Zulip's ``event_schema`` discipline. ``events.services.event_build`` refuses a kind that is not
declared here, takes the receivers from the kind's audience (never from the caller), and in
debug runs (``EVENTS_CHECK_PAYLOADS``, on with ``DEBUG``) checks each payload against the shape;
``tests/events/test_schemas.py`` checks every emitting action.

The audience of a kind with a ``subject`` is ``<subject model>.objects.audience(obj)``: the
agencies whose users can see the object through ``restrict()``, read from the same rule
(``core.visibility``). Each receiver gets the payload as *it* may see it (a request's minimal
view for its receivers, the full one for the issuing side, the police above it and the office:
``alerts.payloads.request_view_for``, the same function the API answers with).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

NoneType = type(None)


class EventSchemaError(ValueError):
    """An unknown event kind, or a payload that does not match its kind's declared shape."""


@dataclass(frozen=True)
class Shape:
    """A payload: a dict with exactly these keys (``optional`` ones may be absent), each of
    these types (a tuple: any of them; ``bool`` is never accepted for ``int``)."""

    required: dict
    optional: dict = field(default_factory=dict)

    def extend(self, required: dict | None = None, optional: dict | None = None) -> "Shape":
        return Shape({**self.required, **(required or {})}, {**self.optional, **(optional or {})})

    def problems(self, payload) -> list[str]:
        if not isinstance(payload, dict):
            return ["payload is %s, not a dict" % type(payload).__name__]
        found = []
        for key in sorted(set(self.required) - set(payload)):
            found.append("missing %r" % key)
        for key, value in payload.items():
            expected = self.required[key] if key in self.required else self.optional.get(key)
            if expected is None:
                found.append("unexpected %r" % key)
            elif not _is(value, expected):
                found.append("%r is %s, expected %s" % (key, type(value).__name__, _names(expected)))
        return found


def _is(value, expected) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


def _names(expected) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(t.__name__ for t in types)


@dataclass(frozen=True)
class EventKind:
    """One kind of event. ``subject``: the model label whose ``audience(obj)`` receives it;
    ``audience``: otherwise, the dotted path of a function that names them, called with the
    subject the emitter passed (a kind about no model row, such as a routing-key change that
    must reach every agency whose space it touches) or with no argument when there is none."""

    name: str
    shapes: tuple[Shape, ...]
    subject: str = ""
    audience: str = ""

    def check(self, payload) -> None:
        problems = [shape.problems(payload) for shape in self.shapes]
        if all(problems):
            raise EventSchemaError("%s payload: %s" % (self.name, "; or ".join(", ".join(p) for p in problems)))

    def receivers(self, subject=None) -> set[int]:
        if self.subject:
            if subject is None or subject._meta.label != self.subject:
                raise EventSchemaError("%s is about a %s, not %r" % (self.name, self.subject, subject))
            return apps.get_model(self.subject)._default_manager.audience(subject)
        audience = import_string(self.audience)
        return set(audience() if subject is None else audience(subject))

    def receivers_many(self, subjects) -> dict[int, set[int]]:
        """``receivers`` of several subjects by id, in one query (a delivery batch)."""
        subjects = list(subjects)
        if not subjects:
            return {}
        for subject in subjects:
            if subject._meta.label != self.subject:
                raise EventSchemaError("%s is about a %s, not %r" % (self.name, self.subject, subject))
        return apps.get_model(self.subject)._default_manager.audiences(subjects)


OptStr = (str, NoneType)
OptInt = (int, NoneType)

# alerts.payloads.request_minimal: what a receiving agency may see.
REQUEST_MINIMAL = Shape(
    {
        "id": int, "number": str, "kind": str, "kind_display": str, "status": str, "status_display": str,
        "case_number": str, "typology": str, "amount": str, "target_kind": str, "target_value": str,
        "requesting_officer": str, "issuing_agency": str, "routing_reason": str, "created_at": OptStr,
        "ack_due_at": OptStr, "complete_due_at": OptStr, "escalated": bool,
    },
    {  # dissuasion tasks: whom to visit; freezes: the legal notice
        "person_name": str, "person_phone": str, "person_region": str,
        "legal_notice_number": str, "term_months": OptInt, "freeze_action": str,
    },
)
# alerts.payloads.request_full: the issuing side, the police above it, the office.
REQUEST_FULL = REQUEST_MINIMAL.extend({
    "case_id": OptInt, "parent_id": OptInt, "target_agency": str, "target_agency_id": OptInt,
    "secondary_agency": str, "needs_manual_routing": bool, "amount_secured": OptStr, "balance": OptStr,
    "outcome": str, "reject_reason": str, "result": (dict, list),
})
CASE = Shape({"case_id": int, "number": str, "status": str, "priority": int, "ring_id": OptInt})

# agencies.services._announce: a routing key created, changed, deleted or approved.
ROUTING_KEY_CHANGE = Shape(
    {"change": str, "routing_key": int, "agency": dict, "kind": str, "value": str, "status": str, "overlaps": list},
    {"before": dict, "reason": str},
)

CASE_MENTION = Shape({"case_id": int, "number": str, "note_id": int, "author": str, "excerpt": str,
                      "user_ids": list, "agency_ids": list})
CASE_TASK = Shape({"task_id": int, "case_id": int, "title": str, "due_date": str, "status": str,
                   "assignee_user_id": OptInt})

# Every move recorded by alerts.services.request_moves_record emits "request.<move>".
REQUEST_MOVES = ("created", "delivered", "unroutable", "acknowledged", "rejected", "not_subscriber", "failed",
                 "extended", "completed", "released", "escalated", "amount_added", "claimed", "unclaimed")

_KINDS = [
    *[EventKind("request." + move, (REQUEST_MINIMAL, REQUEST_FULL), subject="alerts.Request") for move in REQUEST_MOVES],
    *[EventKind("case." + what, (CASE,), subject="cases.Case") for what in ("created", "updated", "transition", "assigned")],
    EventKind("signal.received", (Shape({"signal": int, "task": str}),), subject="alerts.Signal"),
    EventKind("bulletin.published", (Shape({"bulletin": int, "title": str, "week_start": str}),),
              subject="propaganda.Bulletin"),
    EventKind("bulletin.opened", (Shape({"bulletin": int, "agency": int}),), subject="propaganda.BulletinReceipt"),
    EventKind("routing_key.changed", (ROUTING_KEY_CHANGE,), audience="agencies.selectors.routing_key_change_audience"),
    # To the centres' supervisors only (role-narrowed): a request no rule could route waits for them.
    EventKind("request.needs_dispatch", (REQUEST_MINIMAL, REQUEST_FULL), subject="alerts.Request"),
    EventKind("stats.refreshed", (Shape({"days": list}),), audience="dashboards.access.live_dashboard_audience"),
    # Working a case (issue 20): a note to every agency that sees the case; a mention only to
    # the agencies named and those of the people named (each can see the case); a task to its
    # assignee's agency.
    EventKind("case.noted", (Shape({"case_id": int, "number": str, "note_id": int}),), subject="cases.Case"),
    EventKind("case.mentioned", (CASE_MENTION,), audience="cases.services_work.mention_audience"),
    *[EventKind("task." + what, (CASE_TASK,), audience="cases.services_work.task_audience")
      for what in ("assigned", "done")],
]
EVENT_KINDS: dict[str, EventKind] = {kind.name: kind for kind in _KINDS}


def event_kind(name: str) -> EventKind:
    try:
        return EVENT_KINDS[name]
    except KeyError:
        raise EventSchemaError("unknown event kind %r: declare it in events/schemas.py" % name) from None


def checking_payloads() -> bool:
    return getattr(settings, "EVENTS_CHECK_PAYLOADS", settings.DEBUG)


def check_payloads(name: str, payloads: Iterable[dict]) -> None:
    kind = event_kind(name)
    for payload in payloads:
        kind.check(payload)

