"""Lets ``pytest -n 2`` (pytest-xdist) run the suite on two processes: each has a Redis database
of its own, as pytest-django gives each its own test database (``<name>_gw0``, ``_gw1``).

Loaded with ``-p tests.parallel`` (pytest.ini) so it runs before pytest-django reads the
settings, which take ``REDIS_URL`` at import. The servers and workers a test starts inherit the
environment, so they use the same database. Worker ``gwN`` takes database ``base - N`` (``./test``:
15, 14, ...), leaving a running product's database 0 alone.
"""

import os
from urllib.parse import urlsplit, urlunsplit


def redis_database(url: str) -> int:
    """The database number of a ``redis://host:port/N`` URL (0 when it names none)."""
    return int(urlsplit(url).path.strip("/") or 0)


def on_redis_database(url: str, number: int) -> str:
    """The same Redis server, database ``number``."""
    return urlunsplit(urlsplit(url)._replace(path="/%d" % number))


worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if worker.startswith("gw") and os.environ.get("REDIS_URL"):
    number = (redis_database(os.environ["REDIS_URL"]) - int(worker[2:])) % 16
    os.environ["REDIS_URL"] = on_redis_database(os.environ["REDIS_URL"], number)
