"""The views of a request that each side may see, for events and API answers alike.

The issuing side gets the full view; a receiving agency the minimum: case number, typology,
amount, target indicator, requesting officer - never a victim. The live-updates code relies on
these builders: change them here only.
"""

from core.datetimes import iso_local

from .choices import RequestKind, RequestStatus, choice_label


def _dt(value):
    return iso_local(value) if value else None  # the API's one rule: +08:00 (core.datetimes)


def request_minimal(req) -> dict:
    """What a receiving agency may see."""
    case = req.case
    data = {
        "id": req.pk,
        "number": req.number,
        "kind": req.kind,
        "kind_display": choice_label(RequestKind, req.kind),
        "status": req.status,
        "status_display": choice_label(RequestStatus, req.status),
        "case_number": case.number if case else "",
        "typology": case.typology.name if case and case.typology_id else "",
        "amount": str(req.amount),
        "target_kind": req.target_kind,
        "target_value": req.target_value,
        "requesting_officer": req.issued_by.get_full_name() or req.issued_by.username if req.issued_by else "",
        "issuing_agency": req.issuing_agency.name if req.issuing_agency_id else "",
        "routing_reason": req.routing_reason,
        "created_at": _dt(req.created_at),
        "ack_due_at": _dt(req.ack_due_at),
        "complete_due_at": _dt(req.complete_due_at),
        "escalated": req.escalated_at is not None,
    }
    if req.kind == RequestKind.DISSUASION:
        # The station and community must know whom to visit; that is the task itself.
        data.update(person_name=req.person_name, person_phone=req.person_phone,
                    person_region=req.person_region.name if req.person_region_id else "")
    if req.kind == RequestKind.FREEZE:
        data.update(legal_notice_number=req.legal_notice_number, term_months=req.term_months,
                    freeze_action=req.freeze_action)
    return data


def request_full(req) -> dict:
    """What the issuing side sees: the minimal view plus the routing state and results."""
    data = request_minimal(req)
    data.update(
        case_id=req.case_id,
        parent_id=req.parent_id,
        target_agency=req.target_agency.name if req.target_agency_id else "",
        target_agency_id=req.target_agency_id,
        secondary_agency=req.secondary_agency.name if req.secondary_agency_id else "",
        needs_manual_routing=req.needs_manual_routing,
        amount_secured=str(req.amount_secured) if req.amount_secured is not None else None,
        balance=str(req.balance) if req.balance is not None else None,
        outcome=req.outcome,
        reject_reason=req.reject_reason,
        result=req.result,
    )
    return data


def request_view_for(req, agency_id: int) -> dict:
    """Pick the view for one receiving agency id (used as event_emit's payload function)."""
    if agency_id in (req.target_agency_id, req.secondary_agency_id) and agency_id != req.issuing_agency_id:
        return request_minimal(req)
    return request_full(req)


def return_view(req, *, masked: bool) -> dict | None:
    """A return request's instalment: to whom (the victim, masked for the bank; their paying
    account masked for everyone, as on the case page where revealing it is audited), which
    instalment, and what of the frozen money is still unreturned."""
    from cases.masking import mask_account, mask_name

    from .selectors_returns import held_unreturned

    inst = getattr(req, "return_instalment", None)
    if inst is None:
        return None
    share = inst.share
    name = share.victim.name if share.victim_id else ""
    return {
        "sequence": inst.sequence,
        "victim": mask_name(name) if masked else name,
        "payee_account": mask_account(inst.payee_account),
        "share": str(share.share),
        "frozen_request": req.parent.number if req.parent_id else "",
        "held_unreturned": str(held_unreturned(freeze=req.parent)) if req.parent_id else None,
    }
