"""The ASGI application of the tests' uvicorn: the product's own (``fraudgov.asgi``), unchanged,
and one path of the tests' that the ``asgi_server`` fixture calls before and after each test.

One server process serves all the server tests of a pytest process (tests/conftest.py). A
process started for each test knew nothing of the test before; ``BETWEEN`` gives the next test
that start again:
- it waits until every request and socket still open has ended, so that nothing the last test
  set going writes after the flush that follows it, or holds a lock the flush waits for;
- it forgets what the process keeps in memory about rows: the content types (a transactional
  test's flush deletes them, and post_migrate makes them again with new ids; guardian's object
  permissions are looked up by them) and the lookup's statements compiled per visibility scope.
What the process keeps in Redis (cache entries, login budgets) the fixture clears itself.

The process checks passwords with Django's hashers, its PBKDF2 one remembering what it computed
(tests/hashers.py, as the test process): each check is a quarter of a second of this process's
CPU, and the tests that walk the login form log the same demo users in again and again (before the
other journeys got their sessions without the form, 53 checks a run, 47 of them repeats). The
hashes are the same; a wrong password still computes and fails.
"""

import asyncio
import json
import time

from django.test.utils import override_settings

from fraudgov.asgi import application as product
from tests.hashers import server_password_hashers

override_settings(PASSWORD_HASHERS=server_password_hashers()).enable()

BETWEEN = "/__tests__/between/"
QUIET_TIMEOUT = 10.0
_open = 0


async def application(scope, receive, send):
    global _open
    if scope["type"] == "http" and scope["path"] == BETWEEN:
        await _between(send)
        return
    if scope["type"] not in ("http", "websocket"):
        await product(scope, receive, send)
        return
    _open += 1
    try:
        await product(scope, receive, send)
    finally:
        _open -= 1


async def _between(send) -> None:
    """Answer, once nothing else is open (or after ``QUIET_TIMEOUT``), how many still are."""
    deadline = time.monotonic() + QUIET_TIMEOUT
    while _open and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    if not _open:
        _forget_rows()
    body = json.dumps({"open": _open}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})


def _forget_rows() -> None:
    from django.contrib.contenttypes.models import ContentType

    from cases.selectors import _lookup_cases_statement

    ContentType.objects.clear_cache()
    _lookup_cases_statement.cache_clear()
