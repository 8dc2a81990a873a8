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
    row, so without this the table grows by the platform's whole request volume.

    ``created_at`` has no index (every keyed POST would pay for one), and filtering on it read
    the whole table every hour. Rows are written in time order, so the old ones are those below
    the first id that is not old: found by walking the primary key from its start over just the
    rows to delete, which are then deleted by id range. An old row written just after a new one
    (clocks a millisecond apart) goes with the next purge; a new one is never deleted.
    """
    cutoff = timezone.now() - timedelta(days=keep_days)
    keep_from = (IdempotencyKey.objects.filter(created_at__gte=cutoff).order_by("id")
                 .values_list("id", flat=True).first())
    old = IdempotencyKey.objects.all() if keep_from is None else IdempotencyKey.objects.filter(id__lt=keep_from)
    deleted, _ = old.filter(created_at__lt=cutoff).delete()
    return deleted


@shared_task
def seal_audit_log() -> int:
    """Chain the audit entries committed since the last run into seals (``audit_seal``);
    returns the number of seals made."""
    from .services import audit_seal

    return len(audit_seal())
