"""gunicorn's settings for the HTTP views (fraudgov/wsgi.py), read from the environment:
``docker compose``, ``./run``, the production boot test and bench/stack.py all start it with
``gunicorn -c deploy/gunicorn.conf.py``.

Threaded workers (gthread): a view waiting on PostgreSQL or Redis holds a thread, not a
process, and each thread keeps its own persistent database connection (CONN_MAX_AGE).
Scale with WEB_WORKERS (processes, about one per core) and WEB_THREADS (per process).
"""

import gc
import os

wsgi_app = "fraudgov.wsgi:application"
bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# nginx keeps its connections to gunicorn open between requests (deploy/nginx.conf.template).
keepalive = 65
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# Django and every view are imported once, in the master, before the workers fork.
preload_app = True
accesslog = os.environ.get("WEB_ACCESS_LOG") or None  # nginx logs the requests
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")


def when_ready(server):
    """Import every view and translation catalogue before forking (a worker's first request
    otherwise imports them while holding the import lock), then keep what was imported out of
    the collector's reach in every worker (gc.freeze, Python's advice for pre-fork servers)."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (the property imports them)
    for language, _name in settings.LANGUAGES:
        translation.activate(language)
    translation.deactivate()
    gc.freeze()
