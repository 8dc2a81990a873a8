"""Imported by the tests' shared Celery worker (``--include``, tests/conftest.py): the remote
control command the ``celery_worker`` fixture sends before each test, so that the worker forgets
what it read of the last test's rows, as a new worker would know nothing of them."""

from celery.worker.control import control_command


@control_command()
def tests_forget(state):
    """The content types (a transactional test's flush makes them again with new ids), the
    lookup's statements compiled per scope, the count of recent deliveries (a burst makes a
    delivery linger) and the database connections."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    from alerts.delivery import _recent
    from cases.selectors import _lookup_cases_statement

    ContentType.objects.clear_cache()
    _lookup_cases_statement.cache_clear()
    _recent.batches.clear()
    connections.close_all()
    return {"ok": True}
