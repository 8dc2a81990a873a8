from celery import shared_task

from .services import titles_sweep


@shared_task
def sweep_fraud_free_titles() -> int:
    """Daily: revoke titles whose case-free run was broken by cases loaded in bulk (no signal)."""
    return titles_sweep()
