"""Beat tasks: keep the rollups within a minute of the truth; close finished assessment months."""

from celery import shared_task


@shared_task
def refresh_rollups() -> int:
    """Recompute the days marked stale since the last run (idempotent: a second run finds none)."""
    from .rollups import refresh_dirty

    return len(refresh_dirty())


@shared_task
def close_finished_periods() -> int:
    from .services import periods_close_finished

    return periods_close_finished()
