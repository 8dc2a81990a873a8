"""The Celery app. Tasks are discovered in every installed app's ``tasks.py``."""

import gc
import os

from celery import Celery
from celery.signals import task_postrun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fraudgov.settings")

app = Celery("fraudgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_postrun.connect
def _close_unusable_connections(task=None, **kwargs):
    """What Django does after each web request: drop a broken or too old connection (the
    connections themselves are kept between tasks, see CELERY_DB_REUSE_MAX in settings).
    Not for a task run eagerly inside the caller's (or a test's) transaction."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


@worker_process_init.connect
def _freeze_imported_objects(**kwargs):
    """The app and Django are loaded before the pool forks: keep the garbage collector off
    those long-lived objects in each child, as gunicorn does (deploy/gunicorn.conf.py)."""
    gc.freeze()
