"""The explicit state table of a request: which move, from which states, to which.

created > delivered > acknowledged > completed; rejected (with a reason) or failed from any
open state. This table is the single source of each new status; *who* may make a move is the
policy's ``request.<move>`` rule (core.policy): receiving moves by the receiving agency's
officers and supervisors (and its service account, which has the officer role), issuer moves
by the issuing centre or station, ``deliver`` by the system only.
"""

from dataclasses import dataclass

from .choices import RequestStatus as S


@dataclass(frozen=True)
class Move:
    name: str
    sources: tuple[str, ...]
    target: str
    side: str  # "receiver", "issuer" or "system"


MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        Move("deliver", (S.CREATED,), S.DELIVERED, "system"),
        Move("acknowledge", (S.DELIVERED,), S.ACKNOWLEDGED, "receiver"),
        Move("complete", (S.ACKNOWLEDGED,), S.COMPLETED, "receiver"),
        Move("reject", (S.DELIVERED, S.ACKNOWLEDGED), S.REJECTED, "receiver"),
        Move("not_subscriber", (S.DELIVERED, S.ACKNOWLEDGED), S.CREATED, "receiver"),
        Move("fail", (S.CREATED, S.DELIVERED, S.ACKNOWLEDGED), S.FAILED, "issuer"),
        Move("route_manually", (S.CREATED,), S.DELIVERED, "issuer"),
        # No new status: the request stays where it is, with a later end or the money let go.
        Move("extend", (S.COMPLETED, S.ACKNOWLEDGED), "", "issuer"),
        Move("release", (S.COMPLETED,), "", "issuer"),
    )
}


def move_to(request, name: str) -> None:
    """Set ``request.status`` to move ``name``'s target (unsaved): the one place a service or
    delivery sets a new status, so the table above stays its single source."""
    target = MOVES[name].target
    assert target, "move %r keeps the status" % name
    request.status = target


def can_move(user, request, name: str) -> bool:
    """True if ``user`` may make move ``name`` on ``request`` in its current state (buttons)."""
    from core.policy import allowed

    move = MOVES[name]
    if request.status not in move.sources or move.side == "system":
        return False
    return allowed(user, "request." + name, request)
