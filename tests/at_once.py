"""Running one call in several threads at the same instant (two clerks, a retried POST)."""

import threading

from django.db import connection


def at_once(count: int, call) -> list:
    """Start ``call()`` in ``count`` threads released together; return their results (in the
    order they finished). Each thread has its own database connection, closed at its end."""
    barrier = threading.Barrier(count)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
