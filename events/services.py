"""Emitting events: store first, publish in order after commit, then hint through the layer.

Why two steps. A sequence hands out ids at insert time, so a transaction that took id 10 could
commit after one that took id 11, and a client that already saw 11 would never ask for 10.
The first design took one advisory lock in every emitting transaction and held it through
COMMIT: every request in the product then queued behind one lock that was held across a WAL
flush (2-5 ms here) and the client round trips before it, which capped the whole platform at
a few dozen requests per second (bench/bench_requests.py, docs in the report of the perf work).

Now:
1. ``event_emit`` inserts the rows inside the caller's transaction with a *staged*, negative id
   (``-nextval``): stored and durable with the change that caused them, but not yet visible to
   any reader (readers only look at ids > 0, see ``EventQuerySet._restrict``). No lock.
2. After the commit, ``events_publish`` gives every staged row its final id in one short
   transaction under one advisory lock: ``UPDATE ... SET id = nextval`` for all staged rows,
   oldest first. Publishing is serialised, so ids become visible in id order, per agency and
   globally; it is batched, so under load one publish covers many transactions' events and
   the lock is taken once per batch, not once per request.
3. The process that published a batch pushes it through the channel layer (at most once, a
   hint), each event with the receiver's previous event id so that a consumer can tell it
   missed nothing without re-reading the table.

A process that dies between its commit and its publish leaves staged rows behind: the next
publish by anyone (or the beat task ``events.tasks.publish_pending``) publishes them. A
publish transaction that is lost (a crash before its commit) leaves them staged, to be
published again; ids never go backwards for a reader.
"""

import asyncio
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import connection, models, transaction
from django.utils import timezone

from .models import Event

logger = logging.getLogger(__name__)

EVENT_ORDER_LOCK = 0x6576656E74  # "event": held only by the short publishing transaction
PUSH_TIMEOUT = 2.0


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
    """Store one event row per receiving agency id; publish and push each after the commit.

    ``payload`` is either one dict for every receiver or a function of the receiving agency id
    that returns the view that receiver may see. The returned events carry their final id once
    this process published them (at once in autocommit, after the commit inside a transaction).
    """
    events = [
        Event(
            kind=kind,
            agency_id=agency_id,
            role=role,
            case_id_ref=case_id,
            payload=payload(agency_id) if callable(payload) else payload,
            created_at=timezone.now(),
        )
        for agency_id in sorted(set(recipients))
    ]
    if not events:
        return events
    if connection.vendor != "postgresql":
        return _emit_serialised(events)
    # Inside the caller's transaction there is nothing to undo separately: no savepoint.
    with transaction.atomic(savepoint=False):
        _insert_staged(events)
    transaction.on_commit(lambda: events_publish(mine=events))
    return events


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


def _insert_staged(events: list[Event]) -> None:
    table = connection.ops.quote_name(Event._meta.db_table)
    rows = ", ".join(["(-nextval(%s), %s, %s, %s, %s, %s, %s)"] * len(events))
    params: list = []
    seq = _sequence()
    for e in events:
        params += [seq, e.kind, e.agency_id, e.role, e.case_id_ref, json.dumps(e.payload), e.created_at]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, kind, agency_id, role, case_id_ref, payload, created_at) VALUES {rows} RETURNING id",
            params,
        )
        for event, (staged,) in zip(events, cursor.fetchall()):
            event.id = staged
            event.staged_id = staged


# Sent as one simple query: in autocommit PostgreSQL runs the lock and the update as one
# implicit transaction and commits it at the end of the message, so the lock is held for the
# update and its commit only, never across a round trip to this (GIL-bound) client.
_PUBLISH = """
SELECT pg_advisory_xact_lock({lock});
WITH staged AS (
    SELECT id FROM {table} WHERE id < 0 ORDER BY id DESC FOR UPDATE
), numbered AS (
    SELECT id AS staged, nextval(%s) AS final FROM staged
)
UPDATE {table} e SET id = n.final FROM numbered n WHERE e.id = n.staged
RETURNING n.staged, e.id, e.kind, e.agency_id, e.role, e.case_id_ref, e.payload, e.created_at,
    (SELECT max(p.id) FROM {table} p WHERE p.agency_id = e.agency_id AND p.id > 0) AS before
"""


def events_publish(*, mine: list[Event] | None = None) -> int:
    """Give every staged event its final id, in staging order, and push what was published.

    Staged ids are ``-nextval``, so ``ORDER BY id DESC`` is the order they were stored in. The
    ``before`` subquery sees the table as it was when the statement started (the batch still
    staged), so it is the receiver's last published id before this batch. Returns how many
    events this call published.
    """
    table = connection.ops.quote_name(Event._meta.db_table)
    sql = _PUBLISH.format(table=table, lock=int(EVENT_ORDER_LOCK))
    with connection.cursor() as cursor:
        if connection.get_autocommit():
            cursor.execute(sql, [_sequence()])
        else:  # inside a transaction (a test's): the lock lasts until that one ends
            with transaction.atomic():
                cursor.execute(sql, [_sequence()])
        rows = sorted(cursor.fetchall(), key=lambda r: r[1])
    if not rows:
        return 0
    by_staged = {getattr(e, "staged_id", None): e for e in mine or ()}
    last: dict[int, int] = {}
    published = []
    for staged, final, kind, agency_id, role, case_ref, payload, created_at, before in rows:
        event = by_staged.get(staged) or Event(kind=kind, agency_id=agency_id, role=role, case_id_ref=case_ref,
                                              payload=payload if not isinstance(payload, str) else json.loads(payload),
                                              created_at=created_at)
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
    for event in events:
        await layer.group_send(
            agency_group(event.agency_id),
            {"type": "event.push", "event": event.as_message(), "role": event.role,
             "prev": getattr(event, "prev_id", None)},
        )


def push_events(events: list[Event]) -> None:
    """Best-effort push (at most once); clients catch up from the table on reconnect."""
    layer = get_channel_layer()
    if layer is None or not events:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # The embedded in-memory layer keeps asyncio queues of the server's own loop: send there.
        try:
            async_to_sync(_send_all)(layer, events)
        except Exception:
            logger.warning("event push failed for %s", [e.id for e in events], exc_info=True)
        return
    try:
        future = asyncio.run_coroutine_threadsafe(_send_all(layer, events), _push_loop.get())
        future.result(timeout=PUSH_TIMEOUT)
    except FutureTimeout:
        logger.warning("event push timed out for %s", [e.id for e in events])
    except Exception:  # a dead Redis must not fail the request that was already committed
        logger.warning("event push failed for %s", [e.id for e in events], exc_info=True)
