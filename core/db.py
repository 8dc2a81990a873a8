"""Database helpers that every app may use."""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def planned_as_written():
    """Run the queries inside with PostgreSQL joining tables in the order the query names them.

    For a list that starts from one filtered table and follows foreign keys to small ones
    (select_related), that written order is already the best plan, but the planner still
    searches every join order: for the requests list's seven tables and the visibility
    rule's ORs that search cost 4-8 ms per query against 2 ms of running it, on every poll
    of every agency system (bench/bench_requests.py). ``SET LOCAL`` ends with the
    transaction opened here. Elsewhere (the embedded SQLite) it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")
        yield
