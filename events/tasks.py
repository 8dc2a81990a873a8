"""Beat task: publish events whose emitting process died between its commit and its publish."""

from celery import shared_task
from django.db import connection

PUBLISH_EVERY_SECONDS = 5.0


@shared_task
def publish_pending() -> int:
    if connection.vendor != "postgresql":
        return 0
    from .services import events_publish

    return events_publish()
