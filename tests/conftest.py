"""Fixtures every app's tests share: a real ASGI server and a real Celery worker in their own
processes against the test database, and a headless Debian chromium driven by Playwright.

The server and the worker are subprocesses pointed at the test database, so the tests that use
them need ``transactional_db`` (their data must be committed to be seen) and the real password
hashers (the server checks passwords with its own settings).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# New passwords are hashed with MD5 in-process (fast); PBKDF2 stays so that the demo users the
# session seeded (seed_demo_agencies, hashed as the server processes check them) still log in.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                         "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


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


def start_worker(name: str = "test", *, app: str = "fraudgov", pool: str = "solo", concurrency: int = 1,
                 env: dict | None = None) -> subprocess.Popen:
    """A Celery worker process on this run's database and broker (``app`` may be a test app)."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app, "worker", "--concurrency=%d" % concurrency, "--pool=" + pool,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "%s@%%h" % name,
         "--loglevel=WARNING"],
        cwd=ROOT, env=env or subprocess_env(), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=None,
    )


def seed_demo_agencies() -> None:
    """W city's regions, agencies, routing keys and demo users, unless they are there already.

    The session seeds them once (``django_db_setup`` below): a test in a transaction sees them
    and rolls its own changes back. A transactional test's flush empties every table, and the
    next test that asks for them seeds them again. Seeding every test took half a second of
    about 540 queries, in most of the suite's tests.
    """
    from agencies.demo import seed_agencies
    from agencies.models import User

    if not User.objects.filter(username="analyst").exists():
        seed_agencies()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
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


@pytest.fixture
def asgi_server(transactional_db):
    """The product under uvicorn on a free port, against the test database and Redis."""
    from django.conf import settings

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "fraudgov.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-proxy-headers"],
        cwd=ROOT, env=subprocess_env(), start_new_session=True,
    )
    url = "http://127.0.0.1:%d" % port
    deadline = time.monotonic() + 40
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                stop_process(proc)
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.2)
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "server tests need PostgreSQL"
    yield url
    stop_process(proc)


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


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker on the real Redis broker; tasks are no longer run in-process."""
    from django.conf import settings

    from fraudgov.celery import app

    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: a real broker")
    purge_broker()
    old = app.conf.task_always_eager
    app.conf.task_always_eager = False
    proc = start_worker()
    yield proc
    stop_process(proc)
    app.conf.task_always_eager = old


@pytest.fixture
def worker(celery_worker):
    return celery_worker


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def new_page(browser):
    """A page in a fresh browser context (its own cookies), Chinese like the members' browsers."""

    def make(locale: str = "zh-CN"):
        context = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"}
                                      if locale.startswith("zh") else None)
        context.set_default_timeout(15000)
        return context.new_page()

    return make


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def login():
    """Log a page in through the real login form."""
    from django.conf import settings

    def _login(page, base_url, username, password=None):
        page.goto(base_url + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password or settings.DEMO_PASSWORD)
        page.click("form:has(#id_username) button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _login
