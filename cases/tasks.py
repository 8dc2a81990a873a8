"""Background work of the cases app; idempotent (a ring recompute can run twice harmlessly)."""

from celery import shared_task


@shared_task
def ring_recompute_task(ring_id: int) -> int:
    """Recompute one ring's component (after a value went on the warning list)."""
    from .linking import ring_recompute
    from .models import Ring

    ring = Ring.objects.filter(pk=ring_id).first()
    if ring is None:
        return 0
    return len(ring_recompute(ring))
