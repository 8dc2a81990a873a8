"""Celery tasks: delivery of the outbox (idempotent), its sweep and the deadline watch."""

from datetime import timedelta

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from .models import Outbox

SWEEP_AFTER_SECONDS = 10


# ignore_result: nobody reads it, and asking for the result backend made every enqueue from a
# new server thread build one.
@shared_task(acks_late=True, ignore_result=True)
def deliver_pending() -> int:
    """Deliver what the outbox holds, batch after batch, until it is empty (alerts.delivery).
    Idempotent: a redelivered or redundant task finds nothing left to claim."""
    from .delivery import BATCH_SIZE, delivery_woken, requests_deliver_pending

    delivery_woken()
    total = 0
    while True:
        claimed = requests_deliver_pending(limit=BATCH_SIZE)
        total += claimed
        if claimed < BATCH_SIZE:
            return total


@shared_task
def sweep_outbox(older_than_seconds: float = SWEEP_AFTER_SECONDS) -> int:
    """Wake a worker for outbox rows still undelivered a few seconds after they were written
    (the wake-up was lost, or the worker that had them died); returns how many there were."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stale = Outbox.objects.filter(delivered_at__isnull=True, created_at__lt=cutoff).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=cutoff))
    count = stale.update(enqueued_at=timezone.now(), attempts=F("attempts") + 1)
    if count:
        deliver_pending.delay()
    return count


@shared_task
def escalate_overdue() -> int:
    from .services_signals import requests_escalate_overdue

    return requests_escalate_overdue()
