"""PostgreSQL (psycopg2) with a small per-process pool of idle connections, for the ASGI server.

Under ASGI Django runs every request in its own thread context, so ``CONN_MAX_AGE`` cannot
keep a connection between requests (it would leak one per request): each request opened a new
PostgreSQL connection, a backend fork plus cold catalog caches, 5-20 ms on this machine and
the largest single cost of a small API call. Django's own ``OPTIONS["pool"]`` needs psycopg 3;
this backend does the same for psycopg2: ``close()`` at the end of a request hands an idle,
healthy connection back to the process' pool and the next request takes it.

Only connections in autocommit with no transaction open go back; a connection idle for long is
checked with one ``SELECT 1`` before reuse. Enabled by ``DB_POOL_SIZE`` (settings.py) for the
server processes only: a test run must not keep idle connections to a database it will drop.
"""

import os
import select
import threading
import time

from django.db.backends.postgresql import base
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

CHECK_AFTER_IDLE_SECONDS = 10.0

_lock = threading.Lock()
_idle: dict[tuple, list] = {}  # (pid, connection parameters) -> [(connection, idle since)]


def _key(conn_params: dict) -> tuple:
    return (os.getpid(), tuple(sorted((k, str(v)) for k, v in conn_params.items())))


def _has_unread_input(conn) -> bool:
    try:
        readable, _w, _x = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class DatabaseWrapper(base.DatabaseWrapper):
    def _pool_size(self) -> int:
        return int(self.settings_dict.get("POOL_SIZE") or 0)

    def get_new_connection(self, conn_params):
        key = _key(conn_params)
        while True:
            with _lock:
                idle = _idle.get(key)
                item = idle.pop() if idle else None
            if item is None:
                break
            conn, since = item
            if conn.closed:
                continue
            if _has_unread_input(conn):
                # An idle connection has nothing to say unless its backend ended (a FATAL
                # message and EOF from pg_terminate_backend or a restart): drop it, at the cost
                # of one poll instead of a round trip.
                conn.close()
                continue
            if time.monotonic() - since > CHECK_AFTER_IDLE_SECONDS:
                try:
                    with conn.cursor() as cursor:
                        cursor.execute("SELECT 1")
                except Exception:
                    conn.close()
                    continue
            self.isolation_level = base.IsolationLevel.READ_COMMITTED
            self._pooled_key = key
            return conn
        conn = super().get_new_connection(conn_params)
        self._pooled_key = key
        return conn

    def _close(self):
        conn = self.connection
        key = getattr(self, "_pooled_key", None)
        reusable = (
            conn is not None and key is not None and not conn.closed and not self.in_atomic_block
            and conn.autocommit and conn.get_transaction_status() == TRANSACTION_STATUS_IDLE
            and not self.settings_dict["OPTIONS"].get("isolation_level")
        )
        if reusable:
            with _lock:
                idle = _idle.setdefault(key, [])
                if len(idle) < self._pool_size():
                    idle.append((conn, time.monotonic()))
                    return None
        return super()._close()
