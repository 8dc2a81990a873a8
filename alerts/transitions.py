"""The explicit state table of a request: which move, from which states, by whom.

created > delivered > acknowledged > completed; rejected (with a reason) or failed from any
open state. Receiving moves are made by the receiving agency's officers and supervisors (and
its service account, which has the officer role); ``fail``/``reroute`` by the issuing side or
the system.
"""

from dataclasses import dataclass

from agencies.choices import POLICE_KINDS, Role

from .choices import RequestStatus as S

RECEIVER_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.GRID_WORKER, Role.AGENCY_ADMIN})
ISSUER_ROLES = frozenset({Role.ANALYST, Role.OFFICER, Role.SUPERVISOR})


@dataclass(frozen=True)
class Move:
    name: str
    sources: tuple[str, ...]
    target: str
    side: str  # "receiver", "issuer" or "system"
    roles: frozenset


MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        Move("deliver", (S.CREATED,), S.DELIVERED, "system", frozenset()),
        Move("acknowledge", (S.DELIVERED,), S.ACKNOWLEDGED, "receiver", RECEIVER_ROLES),
        Move("complete", (S.ACKNOWLEDGED,), S.COMPLETED, "receiver", RECEIVER_ROLES),
        Move("reject", (S.DELIVERED, S.ACKNOWLEDGED), S.REJECTED, "receiver", RECEIVER_ROLES),
        Move("not_subscriber", (S.DELIVERED, S.ACKNOWLEDGED), S.CREATED, "receiver", RECEIVER_ROLES),
        Move("fail", (S.CREATED, S.DELIVERED, S.ACKNOWLEDGED), S.FAILED, "issuer", ISSUER_ROLES),
        Move("route_manually", (S.CREATED,), S.CREATED, "issuer", ISSUER_ROLES),
        Move("extend", (S.COMPLETED, S.ACKNOWLEDGED), "", "issuer", ISSUER_ROLES),
        Move("release", (S.COMPLETED,), "", "issuer", ISSUER_ROLES),
    )
}


def can_move(user, request, name: str) -> bool:
    """True if ``user`` may make move ``name`` on ``request`` in its current state."""
    move = MOVES[name]
    if request.status not in move.sources:
        return False
    if move.side == "system":
        return False
    if user is None or not user.is_authenticated or user.agency_id is None:
        return False
    if user.role not in move.roles:
        return False
    if move.side == "receiver":
        return user.agency_id in (request.target_agency_id, request.secondary_agency_id)
    return user.agency_id == request.issuing_agency_id or (
        user.agency.kind in POLICE_KINDS and name == "route_manually"
    )
