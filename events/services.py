"""Emitting events: store first, then hint through the channel layer after commit."""

from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, models, transaction

from .models import Event


# Ids come from a sequence, so a transaction that took id 10 could commit after one that took
# id 11; a client that already saw 11 would then never ask for 10. We make event inserts commit
# in id order instead: each emitting transaction takes one transaction-level advisory lock
# before it inserts and holds it until commit/rollback. We chose this over a look-back window
# (guesswork about how late a commit can be, and duplicates to filter) and over re-scanning
# below the high-water mark on every push (a query that grows with traffic): the lock costs one
# round trip and serialises only the tail of emitting transactions, which are short.
EVENT_ORDER_LOCK = 0x6576656E74  # "event"


def _lock_event_order() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EVENT_ORDER_LOCK])


def agency_group(agency_id: int) -> str:
    return f"agency.{agency_id}"


def event_emit(
    *,
    kind: str,
    recipients: Iterable[int],
    payload: dict | Callable[[int], dict],
    case_id: int | None = None,
    role: str = "",
) -> list[Event]:
    """Store one event row per receiving agency id and push each after the commit.

    ``payload`` is either one dict for every receiver or a function of the receiving agency id
    that returns the view that receiver may see.
    """
    events = [
        Event(
            kind=kind,
            agency_id=agency_id,
            role=role,
            case_id_ref=case_id,
            payload=payload(agency_id) if callable(payload) else payload,
        )
        for agency_id in sorted(set(recipients))
    ]
    with transaction.atomic():  # the lock needs a transaction; outside one this makes it
        _lock_event_order()
        # Each receiver's previous event id, read under the lock so it is exact: the push carries
        # it and a consumer that already accounted for that id can send the event without
        # re-reading the table (one query per socket per event was the bottleneck).
        prev = dict(
            Event.objects.filter(agency_id__in=[e.agency_id for e in events])
            .values("agency_id").annotate(last=models.Max("id")).values_list("agency_id", "last")
        )
        Event.objects.bulk_create(events)
    for event in events:
        event.prev_id = prev.get(event.agency_id) or 0
    transaction.on_commit(lambda: push_events(events))
    return events


def push_events(events: list[Event]) -> None:
    """Best-effort push (at most once); clients catch up from the table on reconnect."""
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for event in events:
        try:
            send(agency_group(event.agency_id), {"type": "event.push", "event": event.as_message(), "role": event.role,
                                                   "prev": getattr(event, "prev_id", None)})
        except Exception:  # a dead Redis must not fail the request that was already committed
            import logging

            logging.getLogger(__name__).warning("event push failed for %s", event.id, exc_info=True)
