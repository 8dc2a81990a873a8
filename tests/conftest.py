"""Fixtures every app's tests share: a real ASGI server and a real Celery worker in their own
processes against the test database, and a headless Debian chromium driven by Playwright.

The server and the worker are subprocesses pointed at the test database, so the tests that use
them need ``transactional_db`` (their data must be committed to be seen) and the real password
hashers (the server checks passwords with its own settings).

Each pytest process (xdist worker) starts one server, one worker and one chromium when a test
first asks for them and shares them with the tests after it (tests/processes.py).
"""

import io
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import processes
from tests.hashers import MEMO_PBKDF2, server_password_hashers

ROOT = Path(__file__).resolve().parents[1]
# Debian's headless shell (package chromium-headless-shell, built from the same chromium source):
# the same Blink and V8 without the browser's user interface layer, which is what Playwright runs
# for headless tests by default. Side by side in one session, the 42 browser tests: busy CPU 112.5
# s against 183.8 s with the full /usr/bin/chromium, wall 105.7 s against 138.7 s.
CHROMIUM = os.environ.get("CHROMIUM") or next(
    (path for path in ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium")
     if os.path.exists(path)), "/usr/bin/chromium")
# New passwords are hashed with MD5 in-process (fast); PBKDF2 stays so that the demo users the
# session seeded (seed_demo_agencies, hashed as the server processes check them) still log in.
# The test process's PBKDF2 computes each hash once (tests/hashers.py): the same hashes.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", MEMO_PBKDF2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def subprocess_env() -> dict:
    """The environment of a server or worker process: this test run's database and Redis.

    They connect as the application's role (``DATABASE_APP_ROLE``, set by ``./test``), which
    may only append to the audit log, as in production: the whole product is tested under it.
    """
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    user = settings.DATABASE_APP_ROLE or db["USER"]
    return {
        **os.environ,
        "DATABASE_URL": "postgres://%s@%s:%s/%s" % (user, db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"]),
        "CONN_MAX_AGE": "0",
        "PYTHONPATH": str(ROOT),
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
    }


def stop_process(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def stop_processes(procs, sig=signal.SIGTERM) -> None:
    """``stop_process`` for several processes at once: all are signalled, then awaited, so that
    their shutdowns (a Celery worker's warm shutdown takes seconds) overlap instead of adding up."""
    for proc in procs:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 15
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def start_worker(name: str = "test", *, app: str = "fraudgov", pool: str = "solo", concurrency: int = 1,
                 env: dict | None = None, include: str = "") -> subprocess.Popen:
    """A Celery worker process on this run's database and broker (``app`` may be a test app;
    ``include``: more modules for it to import)."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app, "worker", "--concurrency=%d" % concurrency, "--pool=" + pool,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "%s@%%h" % name,
         "--loglevel=WARNING", *(["--include=" + include] if include else [])],
        cwd=ROOT, env=env or subprocess_env(), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=None,
    )


def seed_demo_agencies() -> None:
    """W city's regions, agencies, routing keys and demo users, unless they are there already.

    The session seeds them once (``django_db_setup`` below): a test in a transaction sees them
    and rolls its own changes back. A transactional test's flush empties every table, and the
    next test that asks for them seeds them again (pytest-django runs the transactional tests
    after the others, so that next test is a transactional one: its seed is committed).
    Seeding every test took half a second of about 540 queries, in most of the suite's tests.
    """
    from agencies.demo import seed_agencies
    from agencies.models import User

    if not User.objects.filter(username="analyst").exists():
        seed_agencies()


_demo_world: dict[str, str] = {}  # table -> its rows (COPY text), once this process has seeded


def seed_demo_world() -> None:
    """``manage.py seed_demo`` (three hundred cases through the services, requests, publicity,
    rollups): the first call in this test process runs it and copies every table out; later
    calls put those rows back (a fraction of a second, not ten to twenty).

    The rows are the command's own, written the same way whichever test comes first: with the
    tasks run in-process (as the embedded default runs them) and Django's hashers (every demo
    user logs in through the form). Only in autocommit (a transactional test, or a module's
    ``committed_demo_world``): a world seeded inside a transaction that is never committed would
    lack what runs after a commit (events published from their staging table, rollups refreshed).
    The sequences are left where they are: they only grow during a run, so the rows a test adds
    still get ids never used before.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import override_settings

    from fraudgov.celery import app

    assert not connection.in_atomic_block, "seed_demo_world needs autocommit (a transactional test)"
    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    quote = connection.ops.quote_name
    if not _demo_world:
        eager, app.conf.task_always_eager = app.conf.task_always_eager, True
        try:
            with override_settings(PASSWORD_HASHERS=[MEMO_PBKDF2]):
                call_command("seed_demo", verbosity=0)
        finally:
            app.conf.task_always_eager = eager
        with connection.cursor() as cursor:
            for table in tables:
                rows = io.StringIO()
                cursor.copy_expert("COPY %s TO STDOUT" % quote(table), rows)
                _demo_world[table] = rows.getvalue()
        return
    # The foreign keys are deferred (Django's): checked at the commit, once every table is in.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE %s" % ", ".join(quote(table) for table in tables))
        for table, rows in _demo_world.items():
            if rows:
                cursor.copy_expert("COPY %s FROM STDIN" % quote(table), io.StringIO(rows))
    # The content types are back with the ids they had: forget the ones read since.
    ContentType.objects.clear_cache()
    processes.server.between()  # and the server process forgets the ones it read


@contextmanager
def committed_demo_world():
    """The demo world committed for a whole module (``seed_demo_world``: the rows a transactional
    test gets, restored in a fraction of a second once this process has seeded them), emptied at
    the end, then given back the agencies the session started with (``django_db_setup``). The
    module's tests run each in a transaction rolled back (``django_db``), so each sees the world
    as seeded.

    Left empty, as a flush leaves it, every ``django_db`` test after the module seeded the
    agencies again inside its own transaction, rolled back with it: 0.18 s of setup on each of
    about two hundred tests.

    A world seeded inside a module-long transaction instead had to be seeded from scratch (five to
    ten seconds) in every process that ran such a module, besides the committed one."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.test.utils import override_settings

    seed_demo_world()
    try:
        yield
    finally:
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)  # as TransactionTestCase
        ContentType.objects.clear_cache()
        with override_settings(PASSWORD_HASHERS=server_password_hashers()):  # as the session seeded them
            seed_demo_agencies()


@pytest.fixture(scope="session", autouse=True)
def _memo_pbkdf2():
    """Django's hashers in the test process, its PBKDF2 one remembering what it computed."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=server_password_hashers()):
        yield


@pytest.fixture(scope="session")
def django_db_setup(_memo_pbkdf2, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed_demo_agencies()


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    # Seeding sets a score of passwords per test; PBKDF2 would make the suite take many minutes.
    # Tests with a server process keep the real hashers: that process checks passwords itself.
    if {"asgi_server", "live_server_url"} & set(request.fixturenames):
        return
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture
def api():
    """A factory of DRF test clients authenticated as a given user."""
    from rest_framework.test import APIClient

    def make(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return make


@pytest.fixture
def eager_celery(request):
    """Run tasks in-process unless the test drives a real worker (marked ``real_worker``)."""
    from fraudgov.celery import app

    if request.node.get_closest_marker("real_worker"):
        yield
        return
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture(scope="session")
def _shared_server(django_db_setup):
    yield processes.server
    processes.server.stop()


@pytest.fixture
def asgi_server(transactional_db, _shared_server):
    """The product under uvicorn, against the test database and Redis: its URL.

    The process is shared by the server tests of this pytest process (tests/processes.py); each
    test gets it as a new one would be, and the flush at its end waits until the requests and
    sockets it opened have ended."""
    from django.conf import settings

    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "server tests need PostgreSQL"
    _shared_server.between()
    yield _shared_server.get()
    processes.chromium.close_contexts()  # before the flush: a page still open would keep its requests going
    _shared_server.between()


@pytest.fixture
def live_server_url(asgi_server):
    return asgi_server


def purge_broker() -> None:
    """Drop the tasks earlier tests left queued, and the delivery wake-up marker with them:
    a marker whose task was purged would keep the next requests from waking a worker."""
    from alerts.delivery import delivery_woken
    from fraudgov.celery import app

    app.control.purge()
    delivery_woken()


@pytest.fixture(scope="session")
def _shared_worker(django_db_setup):
    yield processes.worker
    processes.worker.stop()


@pytest.fixture
def celery_worker(transactional_db, _shared_worker):
    """A real Celery worker on the real Redis broker; tasks are no longer run in-process.

    The worker process is shared by the worker tests of this pytest process (tests/processes.py)."""
    from django.conf import settings

    from fraudgov.celery import app

    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: a real broker")
    old = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield _shared_worker.take()
    _shared_worker.release()
    app.conf.task_always_eager = old


@pytest.fixture
def worker(celery_worker):
    return celery_worker


@pytest.fixture(scope="session")
def _shared_chromium():
    yield processes.chromium
    processes.chromium.close()


@pytest.fixture
def browser(_shared_chromium):
    """The shared chromium, for this test (contexts it opens are closed at its end)."""
    # The ORM calls the test makes between browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield _shared_chromium.open()
    finally:
        _shared_chromium.leave()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def new_context(browser, _shared_chromium):
    """A browser context of this test's own (its own cookies and storage; ``Browser.new_context``'s
    options), lent by the shared chromium (tests/processes.py)."""
    return _shared_chromium.context


@pytest.fixture
def new_page(new_context):
    """A page in a browser context of its own (its own cookies), Chinese like the members' browsers;
    other ``Browser.new_context`` options (``viewport``) go with it."""

    def make(locale: str = "zh-CN", **options):
        zh = locale.startswith("zh")
        return new_context(locale=locale, extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"} if zh else None,
                           **options).new_page()

    return make


@pytest.fixture
def page(new_page):
    return new_page()


def session_login(page, base_url: str, username: str) -> None:
    """Give the page's context the session Django's ``login()`` makes for this user (its audit
    entry included), as the login form would have, without the form."""
    from django.conf import settings
    from django.test import Client

    from agencies.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = settings.SESSION_COOKIE_NAME
    page.context.add_cookies([{"name": cookie, "value": client.cookies[cookie].value, "url": base_url}])


@pytest.fixture
def login_form():
    """Log a page in through the real login form."""
    from django.conf import settings

    def _login(page, base_url, username, password=None):
        page.goto(base_url + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password or settings.DEMO_PASSWORD)
        page.click("form:has(#id_username) button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _login


@pytest.fixture
def login():
    """Log a page in and open the page the login form leads to.

    The journeys that are about something else get the session without the form
    (``session_login``): the form cost each login a page and a post, about half a second of
    chromium's and the server's CPU, some forty times a run. The form itself is walked by
    ``login_form`` (tests/foundation/test_browser.py, the console's new user, the production boot)."""
    from django.conf import settings
    from django.shortcuts import resolve_url

    def _login(page, base_url, username):
        session_login(page, base_url, username)
        page.goto(base_url + resolve_url(settings.LOGIN_REDIRECT_URL))

    return _login
