"""The processes the tests share: one uvicorn, one Celery worker and one chromium per pytest
process (xdist worker), started when a test first asks for them (tests/conftest.py's fixtures
``asgi_server``, ``celery_worker``, ``browser``).

Starting them for each test cost one to three seconds of its setup each. Between two tests each
is brought back to where a new one would start; the tests that stop, kill or reconfigure a
server or worker start processes of their own.
"""

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request
import warnings


def start_server() -> tuple[subprocess.Popen, str]:
    """The product under uvicorn on a free port (the product's ASGI application with the tests'
    between-tests path, tests/server_app.py); the process and its URL once it answers ``/healthz``."""
    from tests.conftest import ROOT, _free_port, stop_process, subprocess_env

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tests.server_app:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-proxy-headers"],
        cwd=ROOT, env=subprocess_env(), start_new_session=True,
    )
    url = "http://127.0.0.1:%d" % port
    deadline = time.monotonic() + 40
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return proc, url
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                stop_process(proc)
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)


class SharedServer:
    """One uvicorn process for all the server tests of this pytest process (xdist worker).

    Starting one per test cost a second or more of each test's time. Between two tests the
    process is brought back to where a fresh one would start (``between``)."""

    proc: subprocess.Popen | None = None
    url = ""

    def get(self) -> str:
        if self.proc is None or self.proc.poll() is not None:
            self.proc, self.url = start_server()
        return self.url

    def between(self) -> None:
        """Wait until the last test's requests and sockets have ended and the process has
        forgotten its rows (tests/server_app.py); drop the cache entries it left in Redis (the
        per-address login budget, cached API tokens, dashboard figures), so that no server test
        depends on what an earlier one left there (the login budget of 127.0.0.1 fills up over a
        run). A process that does not come to rest is replaced by a new one."""
        from django.core.cache import cache

        if self.proc is not None:
            try:
                with urllib.request.urlopen(self.url + "/__tests__/between/", timeout=30) as answer:
                    quiet = json.loads(answer.read())["open"] == 0
            except Exception:
                quiet = False
            if not quiet:
                warnings.warn("the shared uvicorn did not come to rest between two tests: replaced")
                self.stop()
        cache.delete_pattern("*")  # the cache's own keys only: not the broker's nor the channel layer's

    def stop(self) -> None:
        from tests.conftest import stop_process

        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


class SharedWorker:
    """One Celery worker (solo pool) for all the worker tests of this pytest process.

    Starting one per test cost two to three seconds of it. The worker consumes the queue only
    during a test that asks for it: other tests find tasks left queued as they did with no worker
    running (a request a server test issues stays undelivered), and tests that run workers of
    their own (tests/alerts/test_worker_kill.py, the production boot) are alone on the queue.
    Before a test it forgets what it read of rows (tests/worker_control.py), as a new worker
    would; after it, it stops consuming and finishes what it took before the flush. A worker
    that does not answer is replaced by a new one.
    """

    proc: subprocess.Popen | None = None
    hostname = "test@" + socket.gethostname()

    def _command(self, command: str, timeout: float = 10, **arguments) -> bool:
        """Send a remote-control command and wait for the worker's answer. On a connection of its
        own: kombu remembers per connection that it declared the reply queue, and a test that
        flushed Redis took that declaration with it."""
        from fraudgov.celery import app

        with app.connection_for_write() as conn:
            replies = app.control.broadcast(command, arguments=arguments, destination=[self.hostname], reply=True,
                                            timeout=timeout, limit=1, connection=conn)
        return bool(replies) and "error" not in replies[0].get(self.hostname, {})

    def take(self) -> subprocess.Popen:
        """Purge the queue (as a test with a new worker would find it), then consume it."""
        from fraudgov.celery import app
        from tests.conftest import purge_broker, start_worker

        purge_broker()
        # The routing of the default queue, in case a test flushed Redis (test_lockout clears the
        # cache): a new worker declared it at its start.
        with app.connection_for_write() as conn:
            app.amqp.queues[app.conf.task_default_queue](conn.default_channel).declare()
        if self.proc is not None and self.proc.poll() is None:
            if self._command("tests_forget") and self._command("add_consumer", queue=app.conf.task_default_queue):
                return self.proc
            self.stop()
        self.proc = start_worker(include="tests.worker_control")
        # Ready before the test begins: its own waits then measure the product, not a start-up
        # (which can take most of a minute on a loaded machine).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None and not self._command("ping", timeout=1):
            pass
        return self.proc

    def release(self) -> None:
        """Stop consuming, and wait until the tasks the worker took have run."""
        from fraudgov.celery import app

        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        if not (self._command("cancel_consumer", queue=app.conf.task_default_queue) and self._idle()):
            warnings.warn("the shared Celery worker did not come to rest after a test: replaced")
            self.stop()

    def _idle(self, timeout: float = 30.0) -> bool:
        from fraudgov.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with app.connection_for_write() as conn:
                inspect = app.control.inspect(destination=[self.hostname], timeout=10, limit=1, connection=conn)
                reserved, active = inspect.reserved(), inspect.active()
            if reserved is not None and active is not None and not reserved.get(self.hostname) \
                    and not active.get(self.hostname):
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        from tests.conftest import stop_process

        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


class SharedChromium:
    """One headless chromium for all the browser tests of this pytest process (xdist worker).

    Launching chromium and Playwright's driver for each test cost one to three seconds of it.

    Each test gets browser contexts of its own (``context``: its own cookies and storage). The
    ones it got from ``context`` are emptied at its end and lent again to a later test that asks
    for the same options: creating a context (an incognito profile and the renderer process its
    first page starts) cost about 0.6 s of chromium's CPU more than opening a page in one already
    made (measured: 1.2 s against 0.6 s for a new page, two loads and a click; the browser tests
    made about sixty contexts a run). An emptied context has no page, cookie, permission or local
    storage left of the test before (``_empty``); its HTTP cache stays, as a member's browser
    keeps the static files between two visits. Contexts a test made with the browser itself, or
    closed, are not lent again. A script for every page goes on the page
    (``page.add_init_script``): on a lent context it could not be undone.

    Playwright's sync API runs its event loop in this thread and marks it as the running loop
    between its calls, so that code in the test process sees an event loop: Django's ORM then
    refuses to run unless DJANGO_ALLOW_ASYNC_UNSAFE is set, and ``asyncio.run`` and
    ``async_to_sync`` refuse to start. Playwright marks the loop when a call returns
    (playwright/_impl/_greenlets.py, ``wait_for_future``); between tests nothing calls it, so
    the loop is unmarked there (as a new process would find the thread) and marked again before
    a browser test calls Playwright.
    """

    playwright = None
    browser = None
    loop = None
    in_test = False

    def __init__(self):
        self.idle: dict[str, list] = {}  # options (JSON) -> emptied contexts
        self.lent: dict = {}  # context lent to the running test -> its options (JSON)

    def open(self):
        from playwright.sync_api import sync_playwright

        from tests.conftest import CHROMIUM

        if self.browser is None or not self.browser.is_connected():
            self.close()
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                          args=["--no-sandbox"])
            self.loop = asyncio.get_running_loop()  # Playwright's, marked as running by the call above
        else:
            asyncio._set_running_loop(self.loop)
        self.in_test = True
        return self.browser

    def context(self, **options):
        """A context with these options (``Browser.new_context``'s): an emptied one if there is."""
        key = json.dumps(options, sort_keys=True)
        idle = self.idle.get(key)
        context = idle.pop() if idle else self.browser.new_context(**options)
        context.set_default_timeout(15000)  # a step that waits longer has already failed
        self.lent[context] = key
        return context

    def close_contexts(self) -> None:
        """Close the running test's pages, so that nothing it opened goes on; empty the contexts
        it got from ``context`` for the next tests, close the others."""
        if not (self.in_test and self.browser is not None and self.browser.is_connected()):
            return
        idle = {id(c) for contexts in self.idle.values() for c in contexts}
        for context in self.browser.contexts:
            if id(context) in idle:
                continue
            key = self.lent.pop(context, None)
            if key is not None and self._empty(context):
                self.idle.setdefault(key, []).append(context)
            else:
                context.close()
        self.lent.clear()

    @staticmethod
    def _empty(context) -> bool:
        """Close the context's pages and forget what the test left in it; False if it could not."""
        try:
            for page in context.pages:
                if page.url.startswith("http"):
                    page.evaluate("localStorage.clear()")
                page.close()
            context.clear_cookies()
            context.clear_permissions()
            return True
        except Exception:  # a crashed page or browser: closed instead, not lent again
            return False

    def leave(self) -> None:
        """The test is over: close its contexts, unmark the loop."""
        self.close_contexts()
        self.in_test = False
        asyncio._set_running_loop(None)

    def close(self) -> None:
        self.idle.clear()
        self.lent.clear()
        if self.playwright is not None:
            asyncio._set_running_loop(self.loop)
            try:
                if self.browser is not None and self.browser.is_connected():
                    self.browser.close()
                self.playwright.stop()
            finally:
                asyncio._set_running_loop(None)
        self.playwright = self.browser = self.loop = None


server = SharedServer()
worker = SharedWorker()
chromium = SharedChromium()
