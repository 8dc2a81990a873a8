"""A Celery app for the worker-kill test: delivering takes 0.4 s a request and a batch holds two,
so a SIGKILL lands mid-flight, inside a batch's transaction, with some batches committed."""

import time

from celery.signals import worker_process_init

from fraudgov.celery import app  # noqa: F401  (the app the worker runs)


@worker_process_init.connect
def _slow_down(**kwargs):
    import alerts.delivery

    original = alerts.delivery._deliver_one

    def slow(*args, **kw):
        time.sleep(0.4)
        return original(*args, **kw)

    alerts.delivery._deliver_one = slow
    alerts.delivery.BATCH_SIZE = 2
