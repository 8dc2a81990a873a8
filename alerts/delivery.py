"""Delivering requests: routing what is still to deliver, in batches, exactly once.

``request_create`` writes the request with ``delivery_pending`` set (the row is its own outbox
entry) and, after the commit, calls ``delivery_schedule``. The Celery task ``deliver_pending``
then claims pending requests (``FOR UPDATE SKIP LOCKED``, so two workers never take the same
one), routes and delivers each and clears its flag, all in one transaction per batch: a worker
killed mid-batch rolls the whole batch back and the rows are claimed again, by the next task or
by the beat sweep (``alerts.tasks.sweep_outbox``). A batch costs one commit and one event
publish however many requests it carries, which is what lets one worker keep up with a
platform-wide burst (bench/bench_requests.py).

The first batch that takes a request also emits its ``request.created`` event (``Request.announced``
says it has gone out; a re-route after "not our subscriber" does not repeat it). The POST writes
the request's timeline line and audit entry itself, but emitting, publishing and pushing one
event per POST had been about a third of its CPU; here it is one more row in the batch's insert.

Waking the worker: one task per request made the worker pay a task's overhead per request and
the server a broker round trip per POST. ``delivery_schedule`` instead sets a short-lived marker
in Redis (``SET NX``) and enqueues a task only when the marker was absent; the task deletes
the marker *before* it looks for rows. A row committed before the marker is deleted is seen by
that task's look; a row committed after it finds the marker gone and enqueues a task of its own.
So no row waits for a wake-up that never comes; if the cache or broker is down, the sweep sends
it a few seconds later.
"""

import logging
import time
from collections import deque
from datetime import timedelta

import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.redis_client import redis_client

from .choices import RequestStatus
from .models import Request
from .routing import route_books, route_request
from .services import deadline_table, request_event, request_moves_record
from .transitions import move_to

logger = logging.getLogger(__name__)

# Small enough that a batch commits within a few tens of milliseconds: its rows' updated_at is
# their save time, and an agency system polling ``?since=`` with a margin shorter than the
# batch's duration would not see a row committed after it had already polled past that time.
BATCH_SIZE = 25
WAKE_KEY = "alerts:deliver-pending"
# Only a guard against a marker whose task was lost (a worker killed before it started it):
# then the next request after this many seconds wakes a worker again.
WAKE_TTL_SECONDS = 2


def delivery_schedule() -> None:
    """Make sure a worker will look for pending requests soon (called after a commit)."""
    from .tasks import deliver_pending

    if settings.REDIS_URL:  # the embedded default runs the task in-process: nothing to spare
        try:
            if not redis_client().set(WAKE_KEY, 1, nx=True, ex=WAKE_TTL_SECONDS):
                return  # a task is queued and has not looked yet: it will see this row
        except redis.RedisError:  # wake a worker anyway (the sweep is the last resort)
            logger.warning("delivery marker unavailable", exc_info=True)
    try:
        deliver_pending.delay()
    except Exception:  # the broker is down: the row is committed, the beat sweep re-wakes
        logger.warning("delivery wake-up not sent; the outbox sweep will deliver", exc_info=True)


class _RecentDeliveries:
    """How many requests this process delivered in the last second (a burst or not)."""

    def __init__(self):
        self.batches: deque[tuple[float, int]] = deque()

    def add(self, count: int) -> None:
        self.batches.append((time.monotonic(), count))

    def per_second(self) -> int:
        since = time.monotonic() - 1.0
        while self.batches and self.batches[0][0] < since:
            self.batches.popleft()
        return sum(count for _at, count in self.batches)


_recent = _RecentDeliveries()


def delivery_woken() -> None:
    """Called by the task before it looks: later requests must wake a worker again.

    In a burst (this process delivered ``DELIVERY_LINGER_ABOVE_PER_SECOND`` requests in the
    last second) it first lingers ``DELIVERY_LINGER_SECONDS`` with the marker still set: the
    requests committed meanwhile neither enqueue a task of their own nor wait for one, and go
    in this task's first batch. Without it most batches in a burst carried one to five
    requests, each paying a task, a claim, a commit and a publish (bench/bench_requests.py).
    Outside a burst it does not wait: there the wait was all added latency (POST to the
    bank's socket, p50 39 -> 67 ms with a fixed 20 ms, bench/bench_live.py at 20/s)."""
    if not settings.REDIS_URL:
        return  # the embedded default runs the task inside the POST: no waiting there
    if _recent.per_second() >= settings.DELIVERY_LINGER_ABOVE_PER_SECOND:
        time.sleep(settings.DELIVERY_LINGER_SECONDS)
    try:
        redis_client().delete(WAKE_KEY)
    except redis.RedisError:
        logger.warning("delivery marker unavailable", exc_info=True)


def _undelivered():
    """Requests still to deliver, locked, in the order they were written (the partial index
    ``alerts_req_undelivered_idx``)."""
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("issuing_agency", "issued_by", "case__typology")
        .filter(delivery_pending=True).order_by("id")
    )


@transaction.atomic
def requests_deliver_pending(*, limit: int = BATCH_SIZE) -> int:
    """Claim up to ``limit`` undelivered requests and deliver them; returns how many it claimed
    (fewer than ``limit``: nothing more is pending, or the rest is being delivered by another)."""
    # SKIP LOCKED: two workers draining at once take disjoint batches.
    batch = list(_undelivered().select_for_update(of=("self",), skip_locked=True)[:limit])
    _deliver_batch(batch)
    _recent.add(len(batch))
    return len(batch)


@transaction.atomic
def request_deliver(*, request_id: int) -> Request:
    """Route and deliver one request now (the demo seed, tests); a no-op when already done."""
    _deliver_batch(list(_undelivered().filter(pk=request_id)))
    return Request.objects.get(pk=request_id)


def _deliver_batch(batch: list[Request]) -> None:
    """Route and deliver a locked batch: the routing keys are read once for the batch, and its
    timeline, audit and event rows are written with one insert each."""
    if not batch:
        return
    now = timezone.now()
    deadlines = deadline_table()
    # request.created, as the request was when it was written: before this batch routes it.
    unannounced = [req for req in batch if not req.announced]
    audiences = Request.objects.audiences(unannounced)
    created = [request_event(req, "request.created", audiences[req.pk]) for req in unannounced]
    pending, untouched = [], []
    for req in batch:
        (pending if _pending(req) else untouched).append(req)
        req.delivery_pending, req.announced = False, True  # taken, routed or not
    books = route_books([req for req in pending if req.target_agency_id is None])
    moves = [_deliver_one(req, now, deadlines, books) for req in pending]
    # One save each, not bulk_update: for a batch of 25 requests and its 12 fields, the CASE
    # statement bulk_update builds cost the worker 36 ms of CPU and PostgreSQL 27 ms to run,
    # against 11 ms and 45 ms (wall, 25 round trips) for these saves (measured side by side on
    # the bench_requests database).
    for req in pending:
        req.save(update_fields=(*DELIVERY_FIELDS, *TAKEN_FIELDS))
    for req in untouched:
        req.save(update_fields=TAKEN_FIELDS)
    request_moves_record(moves, events_first=created)


def _pending(req: Request) -> bool:
    """Not moved on already (delivered, routed by hand), nor waiting in the dispatch queue."""
    return req.status == RequestStatus.CREATED and not (req.needs_manual_routing and req.target_agency_id is None)


def _deliver_one(req: Request, now, deadlines, books) -> tuple:
    """Route one locked request and set it delivered, or send it to the dispatch queue
    (``needs_manual_routing``) when nothing matches; returns the move to record. The caller
    saves it (``DELIVERY_FIELDS``)."""
    req.updated_at = now
    if req.target_agency_id is None:
        route = route_request(req, exclude=req.routing_tried, books=books)
        if route is None:
            req.needs_manual_routing = True
            req.routing_reason = _("无法自动确定接收单位，已转反诈中心人工分派。")
            return req, "unroutable", None, req.routing_reason, None
        req.target_agency = route.agency
        req.secondary_agency = route.secondary
        req.routing_reason = route.reason
        req.routing_tried = [*req.routing_tried, route.agency.pk]
    set_delivered(req, now, deadlines.get(req.kind, (None, None)))
    return req, "delivered", None, _("已送达 %(agency)s：%(reason)s") % {"agency": req.target_agency.name,
                                                                    "reason": req.routing_reason}, None


# What a delivery batch changes on every request it took, routed or not.
TAKEN_FIELDS = ("delivery_pending", "announced")
# What delivery (or routing by hand) changes on a request.
DELIVERY_FIELDS = ("status", "delivered_at", "needs_manual_routing", "ack_due_at", "complete_due_at",
                   "target_agency", "secondary_agency", "routing_reason", "routing_tried", "updated_at")


def set_delivered(req: Request, now, deadline: tuple[int | None, int | None]) -> None:
    """Set a routed request delivered, with its response deadlines from ``now`` (unsaved)."""
    ack, complete = deadline
    move_to(req, "deliver")
    req.delivered_at = now
    req.needs_manual_routing = False
    req.ack_due_at = now + timedelta(minutes=ack) if ack else None
    req.complete_due_at = now + timedelta(minutes=complete) if complete else None
