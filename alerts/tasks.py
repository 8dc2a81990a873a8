"""Celery tasks: delivery of pending requests (idempotent), its sweep and the deadline watch."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import Request

# A wake-up is answered within tens of milliseconds: a request still pending after a few seconds
# lost its wake-up (Redis was down, the worker died), and a redundant wake-up costs nothing.
SWEEP_AFTER_SECONDS = 3


# ignore_result: nobody reads it, and asking for the result backend made every enqueue from a
# new server thread build one.
@shared_task(acks_late=True, ignore_result=True)
def deliver_pending() -> int:
    """Deliver pending requests, batch after batch, until none is left (alerts.delivery).
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
    """Wake a worker for requests still pending delivery a few seconds after they were written
    or re-routed (the wake-up was lost, or the worker that had them died); returns how many
    there were. Redundant wake-ups cost nothing: the task finds what is left, or nothing."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    count = Request.objects.filter(delivery_pending=True, updated_at__lt=cutoff).count()
    if count:
        deliver_pending.delay()
    return count


@shared_task
def escalate_overdue() -> int:
    from .services_signals import requests_escalate_overdue

    return requests_escalate_overdue()
