"""Reads that follow the money: the "stop all" plan of a case and its money tree.

The tree is the case's stop-payments (and freezes) on accounts, by layer: layer 1 holds the
accounts the victim paid into, layer n+1 those that money moved on to from layer n. Each node
says what came in, what the bank held, what moved on and where the hold stands. The issuing
side sees the whole tree; a bank sees only its own nodes and what came into them (never the
victim, never another bank's node).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from agencies.choices import RoutingKeyKind
from cases.masking import mask_account
from cases.models import Case

from .choices import DISPOSITIONS, OPEN_STATUSES, RequestKind, RequestStatus, TargetKind, choice_label
from .models import OnwardTransfer, Request
from .routing import PrefixBook, account_digits, route_account

ZERO = Decimal("0.00")
MONEY_KINDS = (RequestKind.STOP_PAYMENT, RequestKind.FREEZE)


# ---------------------------------------------------------------- stop all


@dataclass
class StopGroup:
    """One receiving account of a case: what reached it and where a stop-payment would go."""

    account: str
    institution: str  # as the victim's statement names it
    total: Decimal = ZERO
    transactions: list = field(default_factory=list)
    bank: object = None  # the Agency routing picks, or None (the dispatch queue)
    open_number: str = ""  # an open stop-payment on the case already covers it

    @property
    def masked(self) -> str:
        return mask_account(self.account)


@dataclass
class StopPlan:
    groups: list[StopGroup]

    @property
    def to_stop(self) -> list[StopGroup]:
        return [g for g in self.groups if not g.open_number]

    @property
    def total(self) -> Decimal:
        return sum((g.total for g in self.to_stop), ZERO)

    def per_bank(self) -> list[dict]:
        """The accounts to stop per routed bank (None: to be dispatched by hand)."""
        banks: dict = {}
        for g in self.to_stop:
            key = g.bank.pk if g.bank else None
            row = banks.setdefault(key, {"bank": g.bank, "accounts": 0, "total": ZERO})
            row["accounts"] += 1
            row["total"] += g.total
        return sorted(banks.values(), key=lambda r: -r["total"])


def stop_all_plan(*, case: Case) -> StopPlan:
    """Group the case's transactions into bank accounts by receiving account (a wallet or a
    merchant has no bank to stop it), each with its sum, its routed bank and any open
    stop-payment already on it. Three queries whatever the number of transactions."""
    groups: dict[str, StopGroup] = {}
    for txn in case.transactions.filter(payee_kind="account").order_by("occurred_at", "pk"):
        group = groups.setdefault(txn.payee_account, StopGroup(txn.payee_account, txn.payee_institution))
        group.total += txn.amount
        group.transactions.append(txn)
        group.institution = group.institution or txn.payee_institution
    if not groups:
        return StopPlan([])
    book = PrefixBook(RoutingKeyKind.CARD_PREFIX, [account_digits(a) for a in groups])
    for group in groups.values():
        route = route_account(group.account, book=book)
        group.bank = route.agency if route else None
    for target, number in (Request.objects.filter(case=case, kind=RequestKind.STOP_PAYMENT, target_value__in=list(groups),
                                                  status__in=OPEN_STATUSES).values_list("target_value", "number")):
        groups[target].open_number = number
    return StopPlan(sorted(groups.values(), key=lambda g: (-g.total, g.account)))


def ring_stop_all_plans(*, user, ring) -> list[tuple[Case, StopPlan]]:
    """The plans of the ring's cases the user may see, for the ring page's summary."""
    cases = Case.objects.restrict(user).filter(ring=ring).order_by("-reported_at")
    return [(case, plan) for case in cases if (plan := stop_all_plan(case=case)).groups]


# ---------------------------------------------------------------- the tree


def money_tree_viewer(*, user, case: Case) -> str:
    """"full" (the case's side: the police who may see the case, the office), "own" (an agency
    that received a money request on it: its own nodes only), or "" (nothing: answer 404)."""
    if Case.objects.restrict(user).filter(pk=case.pk).exists():
        return "full"
    if user.agency_id and Request.objects.filter(case=case, kind__in=MONEY_KINDS).received_by_agency(user.agency_id).exists():
        return "own"
    return ""


NODE_FIELDS = ("pk", "number", "layer", "kind", "target_value", "target_agency__name", "target_bank_name", "amount",
               "amount_secured", "disposition", "status", "complete_due_at", "ack_due_at", "effective_until", "parent_id")
EDGE_FIELDS = ("request_id", "amount", "transferred_at", "destination_account", "destination_bank", "follow_on_id",
               "follow_on__number", "follow_on__status", "loop")


def _deadline(row: dict):
    if row["status"] in OPEN_STATUSES:
        return row["complete_due_at"] or row["ack_due_at"]
    return row["effective_until"]


def money_tree(*, user, case: Case, view: str) -> dict:
    """The tree as layers: ``{"layers": [{"layer", "nodes", "totals"}], "totals", "view"}``.

    Each node: request id and number, layer, account (masked), institution, amount in, held,
    moved on, still moving (moved on into a request not yet answered, or not chased), outcome,
    deadline, state, and (full view) the edges money took from it. ``view`` is
    ``money_tree_viewer``'s answer: "own" keeps the agency's own nodes only and no edges.
    Two queries of plain values whatever the size of the tree (model instances for 200 nodes
    and their edges cost more than the rest of the page).
    """
    requests = (Request.objects.restrict(user).filter(case=case, kind__in=MONEY_KINDS, target_kind=TargetKind.ACCOUNT)
                .order_by("layer", "created_at", "pk"))
    if view == "own":
        requests = requests.received_by_agency(user.agency_id)
    rows = list(requests.values(*NODE_FIELDS))
    transfers = defaultdict(list)
    for t in (OnwardTransfer.objects.filter(request_id__in=[r["pk"] for r in rows]).order_by("transferred_at", "pk")
              .values(*EDGE_FIELDS)):
        transfers[t["request_id"]].append(t)
    layers: dict[int, dict] = {}
    for r in rows:
        edges = transfers[r["pk"]]
        moved = sum((t["amount"] for t in edges), ZERO)
        # Money that left this account and is not held yet: its follow-on is unanswered, or
        # there is none (a loop is upstream money, held or chased there).
        moving = sum((t["amount"] for t in edges if not t["loop"] and (
            t["follow_on_id"] is None or t["follow_on__status"] in OPEN_STATUSES)), ZERO)
        outcomes = DISPOSITIONS.get(r["kind"])
        node = {
            "id": r["pk"], "number": r["number"], "layer": r["layer"], "kind": r["kind"],
            "account": mask_account(r["target_value"]),
            "institution": r["target_agency__name"] or r["target_bank_name"] or "",
            "amount_in": r["amount"], "held": r["amount_secured"], "moved_on": moved, "still_moving": moving,
            "outcome": r["disposition"],
            "outcome_display": choice_label(outcomes, r["disposition"]) if r["disposition"] else "",
            "deadline": _deadline(r), "state": r["status"], "state_display": choice_label(RequestStatus, r["status"]),
            "open": r["status"] in OPEN_STATUSES,
        }
        if view == "full":
            node["parent_id"] = r["parent_id"]
            node["edges"] = [{"amount": t["amount"], "at": t["transferred_at"], "to": mask_account(_norm(t["destination_account"])),
                              "institution": t["destination_bank"], "follow_on": t["follow_on__number"] or "",
                              "loop": t["loop"]} for t in edges]
        layer = layers.setdefault(r["layer"], {"layer": r["layer"], "nodes": [], "totals": _zero_totals()})
        layer["nodes"].append(node)
        _add(layer["totals"], node)
    ordered = [layers[k] for k in sorted(layers)]
    totals = _zero_totals()
    for layer in ordered:
        for key in totals:
            totals[key] += layer["totals"][key]
    return {"case_id": case.pk, "case_number": case.number, "view": view, "layers": ordered, "totals": totals}


def _norm(value: str) -> str:
    return account_digits(value)


def _zero_totals() -> dict:
    return {"accounts": 0, "amount_in": ZERO, "held": ZERO, "moved_on": ZERO, "still_moving": ZERO, "open": 0}


def _add(totals: dict, node: dict) -> None:
    totals["accounts"] += 1
    totals["amount_in"] += node["amount_in"]
    totals["held"] += node["held"] or ZERO
    totals["moved_on"] += node["moved_on"]
    totals["still_moving"] += node["still_moving"]
    totals["open"] += 1 if node["open"] else 0
