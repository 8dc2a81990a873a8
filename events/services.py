"""Emitting events: store first, publish in order after commit, then hint through the layer.

Why two steps. A sequence hands out ids at insert time, so a transaction that took id 10 could
commit after one that took id 11, and a client that already saw 11 would never ask for 10.
The first design took one advisory lock in every emitting transaction and held it through
COMMIT: every request of the platform queued behind that lock while it was held across client
round trips and a WAL flush (2-5 ms here), which capped the whole platform at a few dozen
requests per second (bench/bench_requests.py).

Now:
1. ``event_emit`` stores the rows in ``StagedEvent`` inside the caller's transaction: durable
   with the change that caused them, invisible to readers (they read ``Event``). No lock.
2. After the commit, ``events_publish`` moves that transaction's staged rows into ``Event``
   with their final ids, in one statement under one advisory lock. Publishing is serialised,
   so ids become visible in id order (per agency and globally). It names its rows by primary
   key: a publish that took "every staged row" had to scan the table, and a table that is
   only ever inserted into and emptied is mostly dead rows between two autovacuum runs (a
   minute at 300 events a second), so every publish got slower the longer it ran.
3. The process that published a batch pushes it through the channel layer (at most once, a
   hint), each event with its receiver's previous event id, so that a consumer can tell it
   missed nothing without re-reading the table.

A process that dies between its commit and its publish leaves staged rows behind: the beat
task ``events.tasks.publish_pending`` moves every staged row a few seconds later. A publish
that fails leaves them staged; nothing is lost and ids never go backwards for a reader.
"""

import asyncio
import json
import logging
import os
import threading
from functools import partial
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import connection, models, transaction
from django.utils import timezone

from .models import Event, StagedEvent
from .schemas import checking_payloads, event_kind

logger = logging.getLogger(__name__)

EVENT_ORDER_LOCK = 0x6576656E74  # "event": held only by the short publishing statement
PUSH_TIMEOUT = 2.0


def agency_group(agency_id: int) -> str:
    return f"agency.{agency_id}"


def event_emit(**spec) -> list[Event]:
    """Store one event per receiving agency (arguments as ``event_build``); publish and push
    them after the commit. The returned events get their final id when this process publishes
    them (at once in autocommit, after the commit inside a transaction)."""
    return events_emit([event_build(**spec)])


def event_build(
    *,
    kind: str,
    payload: dict | Callable[[int], dict],
    subject=None,
    case_id: int | None = None,
    role: str = "",
    roles: dict[int, str] | None = None,
    recipients: Iterable[int] | None = None,
) -> list[Event]:
    """The unsaved events of one ``event_emit``, for ``events_emit`` to store with others.

    ``kind`` must be declared in ``events.schemas``; the receivers are its audience: the
    agencies that may see ``subject`` (read from the subject model's visibility rule), or the
    kind's declared audience when it has no subject. ``recipients``: that audience when the
    caller computed it for a batch (``EventKind.receivers_many``); without a subject, for tests
    of the transport only (their payloads are not checked). ``payload`` is either one dict for every receiver or a
    function of the receiving agency id that returns the view that receiver may see. ``role``
    narrows every event to one role of its agency, ``roles`` some agencies' (agency id -> role).
    """
    declared = event_kind(kind)
    # Tests of the transport (recipients, no subject) send what they like.
    checked = (subject is not None or recipients is None) and checking_payloads()
    if recipients is None:
        recipients = declared.receivers(subject)
    now = timezone.now()
    roles = roles or {}
    events = [
        Event(kind=kind, agency_id=agency_id, role=roles.get(agency_id, role), case_id_ref=case_id, created_at=now,
              payload=payload(agency_id) if callable(payload) else payload)
        for agency_id in sorted(set(recipients))
    ]
    if checked:
        for event in events:
            declared.check(event.payload)
    return events


def events_emit(groups: Iterable[list[Event]]) -> list[Event]:
    """Store the events of several ``event_build`` calls with one insert (a batch of
    deliveries); they are published after the commit, in the order given."""
    events = [event for group in groups for event in group]
    if not events:
        return events
    if connection.vendor != "postgresql":
        return _emit_serialised(events)
    staged = [StagedEvent(kind=e.kind, agency_id=e.agency_id, role=e.role, case_id_ref=e.case_id_ref,
                          payload=e.payload, created_at=e.created_at) for e in events]
    StagedEvent.objects.bulk_create(staged)
    for event, row in zip(events, staged):
        event.staged_id = row.pk
    _publish_after_commit(events)
    return events


def _publish_after_commit(events: list[Event]) -> None:
    # One publish per emitting call: a batch (a delivery run) emits once with everything, so
    # its publish is one statement, one commit and one push whatever its size.
    transaction.on_commit(partial(events_publish, mine=events), robust=True)  # a dead Redis must not fail a committed write


def _emit_serialised(events: list[Event]) -> list[Event]:
    """The embedded SQLite: writers are serialised by the database, ids commit in order."""
    with transaction.atomic():
        prev = dict(
            Event.objects.filter(agency_id__in=[e.agency_id for e in events])
            .values("agency_id").annotate(last=models.Max("id")).values_list("agency_id", "last")
        )
        Event.objects.bulk_create(events)
    for event in events:
        event.prev_id = prev.get(event.agency_id) or 0
        prev[event.agency_id] = event.id
    transaction.on_commit(lambda: push_events(events))
    return events


_SEQUENCE: dict[str, str] = {}


def _sequence() -> str:
    alias = connection.alias
    if alias not in _SEQUENCE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Event._meta.db_table])
            _SEQUENCE[alias] = cursor.fetchone()[0]
    return _SEQUENCE[alias]


# Sent as one simple query: in autocommit PostgreSQL runs the lock and the move as one implicit
# transaction and commits it at the end of the message, so the lock is held for the move and
# its commit only, never across a round trip to this (GIL-bound) client. That commit does not
# wait for its WAL flush (synchronous_commit off, for this transaction only): the move is
# all-or-nothing, so a database crash that loses it leaves the rows staged, and the next
# publish moves them again; nothing is lost, and the lock is not held across a disk flush. The ``before``
# subquery sees the table as it was when the statement started, i.e. the receiver's last
# published id before this batch.
_PUBLISH = """
SET LOCAL synchronous_commit = off;
SELECT pg_advisory_xact_lock({lock});
WITH moved AS (
    DELETE FROM {staged} WHERE {wanted} RETURNING *
), numbered AS (
    SELECT m.id AS staged_id, nextval(%s) AS final, m.kind, m.agency_id, m.role, m.case_id_ref, m.payload,
           m.created_at
    FROM (SELECT * FROM moved ORDER BY id) m
), inserted AS (
    INSERT INTO {events} (id, kind, agency_id, role, case_id_ref, payload, created_at)
    SELECT final, kind, agency_id, role, case_id_ref, payload, created_at FROM numbered
)
SELECT n.staged_id, n.final, n.kind, n.agency_id, n.role, n.case_id_ref, n.payload, n.created_at,
       (SELECT max(p.id) FROM {events} p WHERE p.agency_id = n.agency_id) AS before
FROM numbered n
"""


def events_publish(*, mine: list[Event] | None = None) -> int:
    """Move staged events into the stream with their final ids, and push what was moved.

    ``mine``: the caller's own events (those still staged); without it, every staged event
    (the beat's sweep for publishers that died). Returns how many events this call published.
    """
    quote = connection.ops.quote_name
    staged_ids = [e.staged_id for e in mine or () if getattr(e, "staged_id", None)]
    staged_table = quote(StagedEvent._meta.db_table)
    if mine is not None and not staged_ids:
        return 0
    wanted = "id = ANY(%s)" if staged_ids else "TRUE"
    sql = _PUBLISH.format(lock=int(EVENT_ORDER_LOCK), staged=staged_table, events=quote(Event._meta.db_table),
                          wanted=wanted)
    params = [staged_ids, _sequence()] if staged_ids else [_sequence()]
    with connection.cursor() as cursor:
        if connection.get_autocommit():
            cursor.execute(sql, params)
        else:  # inside a transaction (a test's): the lock lasts until that one ends
            with transaction.atomic():
                cursor.execute(sql, params)
        rows = sorted(cursor.fetchall(), key=lambda r: r[1])
    if not rows:
        return 0
    by_staged = {getattr(e, "staged_id", None): e for e in mine or ()}
    last: dict[int, int] = {}
    published = []
    for staged_id, final, kind, agency_id, role, case_ref, payload, created_at, before in rows:
        event = by_staged.get(staged_id) or Event(
            kind=kind, agency_id=agency_id, role=role, case_id_ref=case_ref, created_at=created_at,
            payload=json.loads(payload) if isinstance(payload, str) else payload)
        event.id = final
        event.prev_id = last.get(agency_id, before or 0)
        last[agency_id] = final
        published.append(event)
    push_events(published)
    return len(published)


# ------------------------------------------------------------------------ pushing


class _PushLoop:
    """One event loop per process, in a daemon thread, for pushes made from synchronous code.

    ``async_to_sync`` outside an ASGI request starts a new loop per call, and channels-redis
    keeps its connections per loop: every push then paid for a thread, a loop and fresh Redis
    connections. This loop (and its connections) lives as long as the process (re-made after
    a fork, e.g. in Celery's prefork children).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.loop = None
        self.pid = None

    def get(self) -> asyncio.AbstractEventLoop:
        with self.lock:
            if self.loop is None or self.pid != os.getpid() or self.loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="event-push", daemon=True).start()
                self.loop, self.pid = loop, os.getpid()
            return self.loop


_push_loop = _PushLoop()


async def _send_all(layer, events: list[Event]) -> None:
    """One message per agency, its events in id order (``EventConsumer.events_push``): a
    delivery batch publishes dozens of events, and a ``group_send`` each was most of the
    worker's CPU for the batch (bench/bench_requests.py), and a message each for every
    receiving server process to unpack."""
    by_agency: dict[int, list[dict]] = {}
    for event in events:
        by_agency.setdefault(event.agency_id, []).append(
            {"event": event.as_message(), "role": event.role, "prev": getattr(event, "prev_id", None)})
    for agency_id, pushes in by_agency.items():
        await layer.group_send(agency_group(agency_id), {"type": "events.push", "pushes": pushes})


def push_events(events: list[Event]) -> None:
    """Best-effort push (at most once); clients catch up from the table on reconnect."""
    if events:
        _push(lambda layer: _send_all(layer, events), "events %s" % [e.id for e in events])


def _push(send: Callable, what: str) -> None:
    """Run ``send(layer)`` on the process's push loop; a failure is logged, never raised."""
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # The embedded in-memory layer keeps asyncio queues of the server's own loop: send there.
        try:
            async_to_sync(send)(layer)
        except Exception:
            logger.warning("push failed for %s", what, exc_info=True)
        return
    try:
        future = asyncio.run_coroutine_threadsafe(send(layer), _push_loop.get())
        future.result(timeout=PUSH_TIMEOUT)
    except FutureTimeout:
        logger.warning("push timed out for %s", what)
    except Exception:  # a dead Redis must not fail the request that was already committed
        logger.warning("push failed for %s", what, exc_info=True)


def user_group(user_id: int) -> str:
    """Every socket of one user (events.consumers), for hints about the user's credentials."""
    return f"user.{user_id}"


def user_sockets_check(*, user_id: int, ended_session: str | None = None) -> None:
    """After the commit, tell every socket of the user to check its credentials again; those
    opened with ``ended_session`` close at once (a logout: Django flushes that session only
    after the signal). A hint, at most once: the consumer also re-checks on its own."""
    message = {"type": "credentials.check", "ended_session": ended_session}
    group = user_group(user_id)
    transaction.on_commit(lambda: _push(lambda layer: layer.group_send(group, message), group))
