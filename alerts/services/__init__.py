"""Writes in ``alerts``, by what they act on:

- ``requests``: create and every move of a request (its results and follow-ons included), and
  how a move is recorded (timeline, audit, event);
- ``money``: "stop all" on a case, a bank's answer that adds up, the next layer's requests;
- ``return_proposals``: the pro-rata return of a frozen account's money, in instalments;
- ``signals``: early-warning signals, the dissuasion tasks they make and a dissuasion's outcome;
- ``deadlines``: the deadline policy and the escalation of overdue requests.

Delivery (routing, the outbox) is ``alerts.delivery``. Callers import from this package.
"""

from .deadlines import (
    DEFAULT_DEADLINES,
    deadline_minutes,
    deadline_policy_update,
    deadline_table,
    requests_escalate_overdue,
)
from .requests import (
    MAX_PDF_BYTES,
    STOP_PAYMENT_HOURS,
    RequestClaimed,
    RequestConflict,
    RequestError,
    RequestForbidden,
    dispatch_alert_events,
    request_acknowledge,
    request_complete,
    request_create,
    request_event,
    request_extend,
    request_fail,
    request_holder_name,
    request_moves_record,
    request_not_subscriber,
    request_reject,
    request_release,
    request_route_manually,
    request_timeline_add,
    validate_legal_notice,
)
from .claims import request_claim, request_unclaim, requests_acknowledge_many
from .money import disposition_check, money_result_check, onward_follow_on, requests_stop_all
from .return_proposals import (
    pro_rata,
    return_instalment_issue,
    return_proposal_create,
    return_proposal_decide,
    return_result_check,
)
from .signals import dissuasion_outcome_effects, signal_receive

__all__ = [
    "DEFAULT_DEADLINES",
    "MAX_PDF_BYTES",
    "STOP_PAYMENT_HOURS",
    "RequestClaimed",
    "RequestConflict",
    "RequestError",
    "RequestForbidden",
    "deadline_minutes",
    "deadline_policy_update",
    "disposition_check",
    "money_result_check",
    "onward_follow_on",
    "requests_stop_all",
    "deadline_table",
    "dissuasion_outcome_effects",
    "pro_rata",
    "dispatch_alert_events",
    "request_holder_name",
    "request_acknowledge",
    "request_claim",
    "request_unclaim",
    "requests_acknowledge_many",
    "request_complete",
    "request_create",
    "request_event",
    "request_extend",
    "request_fail",
    "request_moves_record",
    "request_not_subscriber",
    "request_reject",
    "request_release",
    "request_route_manually",
    "request_timeline_add",
    "requests_escalate_overdue",
    "return_proposal_create",
    "return_proposal_decide",
    "return_instalment_issue",
    "return_result_check",
    "signal_receive",
    "validate_legal_notice",
]
