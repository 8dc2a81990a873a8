"""Emitting events: store first, then hint through the channel layer after commit."""

from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .models import Event


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
    Event.objects.bulk_create(events)
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
            send(agency_group(event.agency_id), {"type": "event.push", "event": event.as_message(), "role": event.role})
        except Exception:  # a dead Redis must not fail the request that was already committed
            import logging

            logging.getLogger(__name__).warning("event push failed for %s", event.id, exc_info=True)
