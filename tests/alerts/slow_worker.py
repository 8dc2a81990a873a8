"""A Celery app for the worker-kill test: routing takes 0.4 s, so a SIGKILL lands mid-flight."""

import time

from celery.signals import worker_process_init

from fraudgov.celery import app  # noqa: F401  (the app the worker runs)


@worker_process_init.connect
def _slow_down(**kwargs):
    import alerts.services

    original = alerts.services.request_deliver

    def slow(*, request_id):
        time.sleep(0.4)
        return original(request_id=request_id)

    alerts.services.request_deliver = slow
