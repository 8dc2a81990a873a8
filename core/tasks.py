"""Celery beat tasks of the platform's foundation."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import IdempotencyKey

# An agency system retries within minutes; a week leaves room for one that was down for days.
IDEMPOTENCY_KEEP_DAYS = 7


@shared_task
def purge_idempotency_keys(keep_days: int = IDEMPOTENCY_KEEP_DAYS) -> int:
    """Forget stored POST answers older than ``keep_days``: every POST with a key writes one
    row, so without this the table grows by the platform's whole request volume."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - timedelta(days=keep_days)).delete()
    return deleted
