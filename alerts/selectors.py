"""Reads on requests beyond a filter: inboxes, the centre's board, the dispatch queue, trails."""

from django.db.models import Case as DbCase
from django.db.models import DateTimeField, F, IntegerField, QuerySet, Value, When

from .choices import RequestKind, RequestStatus
from .models import Request, ReturnProposal

LIST_RELATED = ("case__typology", "issuing_agency", "issued_by", "target_agency", "secondary_agency", "person_region",
                "claimed_by")


def request_list(*, user) -> QuerySet[Request]:
    """Everything the user may see, with the relations every list renders (no N+1)."""
    return Request.objects.restrict(user).select_related(*LIST_RELATED)


def request_inbox(*, user) -> QuerySet[Request]:
    """What was addressed to the user's agency: open ones first, by the deadline that matters
    now (acknowledging while delivered, then completing: ``alerts_tags.due_at``), the nearest
    first and those without one last; then the closed ones, newest first."""
    pending = DbCase(
        When(status__in=[RequestStatus.DELIVERED, RequestStatus.ACKNOWLEDGED], then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    due = DbCase(
        When(status=RequestStatus.DELIVERED, ack_due_at__isnull=False, then=F("ack_due_at")),
        When(status__in=[RequestStatus.DELIVERED, RequestStatus.ACKNOWLEDGED], then=F("complete_due_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )
    return (
        Request.objects.restrict(user).received_by_agency(user.agency_id)
        .select_related(*LIST_RELATED)
        .annotate(pending_rank=pending, due=due)
        .order_by("pending_rank", F("due").asc(nulls_last=True), "-created_at", "-id")
    )


def request_tasks(*, user) -> QuerySet[Request]:
    """A community's or station's dissuasion tasks."""
    return request_inbox(user=user).filter(kind=RequestKind.DISSUASION)


def request_board(*, user) -> QuerySet[Request]:
    """The centre's board: what it (and the police of its region) asked for."""
    return request_list(user=user).order_by("-created_at")


def request_dispatch_queue(*, user) -> QuerySet[Request]:
    """Unroutable requests waiting for a person to route them."""
    return request_list(user=user).filter(needs_manual_routing=True, status=RequestStatus.CREATED)


def money_trail(*, case_id: int) -> list[dict]:
    """The chain of stop-payments on a case as edges (from account -> to account) for drawing."""
    rows = (
        Request.objects.filter(case_id=case_id, kind__in=[RequestKind.STOP_PAYMENT, RequestKind.FREEZE])
        .select_related("target_agency", "parent").order_by("created_at")
    )
    return [
        {
            "id": r.pk, "number": r.number, "account": r.target_value,
            "bank": r.target_agency.name if r.target_agency_id else r.target_bank_name,
            "from_account": r.parent.target_value if r.parent_id else None, "amount": str(r.amount),
            "secured": str(r.amount_secured) if r.amount_secured is not None else None, "status": r.status,
        }
        for r in rows
    ]


def return_proposals(*, user) -> QuerySet[ReturnProposal]:
    """Return proposals on freezes the user may see, newest first, shares and their instalments
    (with their return requests) prefetched: four queries for the page."""
    from django.db.models import Prefetch

    from agencies.choices import POLICE_KINDS, AgencyKind

    from .models import ReturnInstalment, ReturnShare

    if not (user.is_superuser or user.agency_kind in POLICE_KINDS | {AgencyKind.LEADERSHIP_OFFICE}):
        return ReturnProposal.objects.none()  # a bank holds the money; the split is the police's
    return (
        ReturnProposal.objects.filter(request__in=Request.objects.restrict(user).values("pk"))
        .select_related("request__case", "request__target_agency", "decided_by")
        .prefetch_related(
            Prefetch("shares", queryset=ReturnShare.objects.select_related("case", "victim").order_by("pk")),
            Prefetch("shares__instalments", queryset=ReturnInstalment.objects.select_related("request").order_by("sequence")),
        )
        .order_by("-created_at", "-pk")
    )
