"""Celery tasks: routing/delivery (idempotent), the outbox sweep and the deadline watch."""

from datetime import timedelta

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from .models import Outbox

SWEEP_AFTER_SECONDS = 10


# ignore_result: nobody reads it, and asking for the result backend made every enqueue from a
# new server thread build one.
@shared_task(acks_late=True, ignore_result=True)
def deliver_request(request_id: int) -> str:
    """Route and deliver; a second run (redelivery, sweep) finds it delivered and does nothing."""
    from .services import request_deliver

    req = request_deliver(request_id=request_id)
    return req.status


@shared_task
def sweep_outbox(older_than_seconds: float = SWEEP_AFTER_SECONDS) -> int:
    """Re-enqueue outbox rows not delivered a few seconds after they were written/enqueued."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    rows = list(
        Outbox.objects.filter(delivered_at__isnull=True, created_at__lt=cutoff)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=cutoff))
        .values_list("pk", "request_id")[:1000]
    )
    for pk, request_id in rows:
        Outbox.objects.filter(pk=pk).update(enqueued_at=timezone.now(), attempts=F("attempts") + 1)
        deliver_request.delay(request_id)
    return len(rows)


@shared_task
def escalate_overdue() -> int:
    from .services_signals import requests_escalate_overdue

    return requests_escalate_overdue()
