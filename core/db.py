"""Database helpers that every app may use."""

import itertools
import re
import threading
import weakref
from collections.abc import Callable
from contextlib import contextmanager

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, router, transaction
from django.db.models import CharField, Lookup, QuerySet
from django.db.models.signals import post_save, pre_save
from django.db.models.query import get_related_populators
from psycopg2.extras import execute_batch


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


def on_commit_joined(hook_class, add) -> None:
    """Give ``add`` this transaction's one pending ``hook_class()`` hook, made and registered
    with ``transaction.on_commit`` on first use; outside a transaction a new one runs at once.

    A transaction that does many small things (a batch of deliveries, say) then runs its
    after-commit work once, with everything collected, instead of once per call. Django keeps
    the pending hooks in ``run_on_commit`` with the savepoints open when each was registered
    and drops them with a rollback of any of those; joining only a hook registered under the
    very same savepoints keeps that: what a rollback removes is exactly what it undid (and a
    test's captureOnCommitCallbacks, which runs only the hooks registered inside it, sees
    each call's own hook).
    """
    if connection.in_atomic_block:
        open_now = set(connection.savepoint_ids)
        for sids, func, _robust in reversed(connection.run_on_commit):
            if type(func) is hook_class and sids == open_now:
                add(func)
                return
    hook = hook_class()
    add(hook)
    transaction.on_commit(hook, robust=True)  # a dead Redis must not fail a committed write


class Prepared:
    """One SQL statement (Django's ``%s`` parameters) that PostgreSQL parses, analyses and plans
    once per connection (``PREPARE``) and then only runs (``EXECUTE``); elsewhere (the embedded
    SQLite) it is simply executed.

    Profiled under bench/bench_requests.py, PostgreSQL spent a third of its time on the
    requests' own statements before running them: parsing, resolving and type-checking each
    INSERT's forty columns and planning it again on every call. A prepared statement lasts as
    long as its connection, whatever its transactions do (the server's are pooled,
    fraudgov/pgpool; the workers keep theirs). Restart the processes after a migration that
    changes a prepared statement's tables.
    """

    _names = itertools.count(1)
    _sql_by_name: dict[str, str] = {}

    def __init__(self, sql: str, *, prepare: bool = True):
        self.sql = sql
        self.prepare = prepare  # False: a statement of one-off shape, not kept on connections
        self._prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # psycopg2 connection -> name
        self._rename()

    def _rename(self) -> None:
        self.name = "fraudgov_prepared_%d" % next(self._names)
        if self.prepare:  # one-off statements are made per call: not kept here either
            Prepared._sql_by_name[self.name] = self.sql

    def execute(self, db, cursor, params) -> None:
        params = list(params)
        if db.vendor != "postgresql" or not self.prepare:
            cursor.execute(self.sql, params)
            return
        raw = db.connection
        name = self._prepared_on.get(raw)
        if name is not None:
            cursor.execute(_execute(name, len(params)), params)
            return
        # PREPARE and the first EXECUTE in one string: one round trip, and one statement in a
        # test's query count whether or not an earlier test prepared it. After a failure it is
        # not known which of the two ran: the next connection to prepare it uses a new name.
        name = self.name
        try:
            cursor.execute("PREPARE %s AS %s; %s" % (name, _numbered(self.sql), _execute(name, len(params))), params)
        except Exception:
            self._rename()
            raise
        self._prepared_on[raw] = name

    def executemany(self, db, cursor, rows) -> None:
        rows = [list(row) for row in rows]
        if not rows:
            return
        if db.vendor != "postgresql" or not self.prepare:
            cursor.executemany(self.sql, rows)
            return
        if db.connection not in self._prepared_on:
            self.execute(db, cursor, rows.pop(0))
        if rows:
            # All the EXECUTEs in one string, one round trip: psycopg2's executemany sends each
            # row on its own, and a delivery batch's 25 UPDATEs were 25 round trips, each a
            # wake-up of the backend and a loopback TCP exchange on both sides.
            execute_batch(cursor, _execute(self._prepared_on[db.connection], len(rows[0])), rows,
                          page_size=EXECUTE_BATCH_ROWS)

    @staticmethod
    def written_as(sql: str) -> str:
        """The statement a captured ``EXECUTE`` (or ``PREPARE ...; EXECUTE``) ran, as written:
        for tests that look at the SQL a block sent."""
        match = re.match(r"(?:PREPARE \S+ AS .*; )?EXECUTE (fraudgov_prepared_\d+)", sql, re.S)
        return Prepared._sql_by_name.get(match.group(1), sql) if match else sql


# Rows per string in Prepared.executemany (psycopg2's default page).
EXECUTE_BATCH_ROWS = 100


def _execute(name: str, count: int) -> str:
    return "EXECUTE %s (%s)" % (name, ", ".join(["%s"] * count)) if count else "EXECUTE %s" % name


class PreparedQuery:
    """A queryset of fixed shape, compiled to SQL once per process and prepared once per
    database connection, then run with new values: it returns the model instances the
    queryset would, ``select_related`` included.

    For a small joined query the ORM spends longer building and compiling it than PostgreSQL
    takes to plan and run it, and PostgreSQL plans it again for every statement: the API's
    token lookup (token, user, agency, region), on every API call, cost the server 0.85 ms
    (0.5 ms of it compiling) and PostgreSQL 0.5 ms (mostly planning the four-table join).
    ``build`` makes the queryset from its string parameters (as keyword arguments); it is
    called once with placeholders, whose places in the compiled parameters are remembered.
    The statement is ``Prepared`` on each connection that runs it. Instances are built as Django's
    ``ModelIterable`` builds them (re-check this when upgrading Django); the embedded SQLite
    simply runs the queryset.
    """

    def __init__(self, build: Callable[..., QuerySet], *names: str):
        self.build = build
        self.names = names
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def __call__(self, using: str = "default", **values: str) -> list:
        db = connections[using]
        if db.vendor != "postgresql":
            return list(self.build(**values))
        compiled = self._compiled.get(using) or self._compile(using)
        statement, params, make = compiled
        args = [values[p.name] if isinstance(p, _Placeholder) else p for p in params]
        with db.cursor() as cursor:
            statement.execute(db, cursor, args)
            return [make(row) for row in cursor.fetchall()]

    def _compile(self, using: str) -> tuple:
        with self._lock:
            if using not in self._compiled:
                placeholders = {name: _Placeholder(name) for name in self.names}
                queryset = self.build(**placeholders)
                if queryset._known_related_objects or queryset.query.annotation_select:
                    raise ValueError("PreparedQuery builds plain model rows only")
                compiler = queryset.query.get_compiler(using=using)
                sql, params = compiler.as_sql()
                # A placeholder is a str subclass, which a text field's get_prep_value keeps as
                # it is; a lookup that rewrote it (iexact, say) would silently match nothing.
                lost = [name for name, p in placeholders.items() if not any(value is p for value in params)]
                if lost:
                    raise ValueError("PreparedQuery parameters rewritten by their lookup: %s" % ", ".join(lost))
                self._compiled[using] = (Prepared(sql), tuple(params), _row_builder(compiler, using))
            return self._compiled[using]


@CharField.register_lookup
class AnyOf(Lookup):
    """``field__any_of=values``: the field equals one of ``values``. On PostgreSQL the values go
    as one array parameter (``= ANY(%s)``), so the statement has one shape however many there
    are and a ``PreparedQuery`` can prepare it; elsewhere it is an IN list, as ``__in``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return "%s = ANY(%%s)" % lhs, (*lhs_params, self.rhs)
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        return "%s IN (%s)" % (lhs, ", ".join(["%s"] * len(values))), (*lhs_params, *values)


class _Placeholder(str):
    """Stands for a parameter of a PreparedQuery while it is compiled (unique, never a value)."""

    def __new__(cls, name: str):
        placeholder = super().__new__(cls, "\x00prepared:%s\x00" % name)
        placeholder.name = name
        return placeholder


def _numbered(sql: str) -> str:
    """Django's ``%s`` parameters as PostgreSQL's ``$1, $2 ...``; ``%%`` stays for psycopg2,
    which formats the PREPARE with the EXECUTE's parameters."""
    count = itertools.count(1)
    return re.sub(r"%s|%%", lambda m: "$%d" % next(count) if m.group() == "%s" else "%%", sql)


def _row_builder(compiler, using: str) -> Callable:
    select, klass_info = compiler.select, compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, using)
    converters = compiler.get_converters([column[0] for column in select])

    def make(row):
        if converters:
            row = next(iter(compiler.apply_converters([row], converters)))
        obj = model.from_db(using, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        return obj

    return make


_update_statements: dict = {}


def save_each(instances, field_names) -> None:
    """``instance.save(update_fields=field_names)`` for many instances of one model, with the
    UPDATE made once and ``Prepared``, then sent for all (``executemany``); ``post_save`` is sent for each,
    as a save would (``auto_now`` fields are not touched: set them first).

    Per instance, a model save builds a queryset and compiles an UPDATE: for a delivery batch's
    requests that was a third of the worker's CPU (bench/bench_requests.py). ``bulk_update``
    sends one statement but compiles a CASE per field and row, which cost the worker more.
    """
    instances = list(instances)
    if not instances:
        return
    model = type(instances[0])
    meta, db = model._meta, connections[router.db_for_write(model)]
    fields = [meta.get_field(name) for name in field_names]
    key = (model, db.alias, tuple(field_names))
    statement = _update_statements.get(key)
    if statement is None:
        qn = db.ops.quote_name
        statement = _update_statements[key] = Prepared("UPDATE %s SET %s WHERE %s = %%s" % (
            qn(meta.db_table), ", ".join("%s = %%s" % qn(f.column) for f in fields), qn(meta.pk.column)))
    rows = [[f.get_db_prep_save(getattr(obj, f.attname), db) for f in fields] + [obj.pk] for obj in instances]
    with db.cursor() as cursor:
        statement.executemany(db, cursor, rows)
    update_fields = frozenset(field_names)
    for obj in instances:
        post_save.send(sender=model, instance=obj, created=False, update_fields=update_fields, raw=False, using=db.alias)


def insert_each(instances) -> None:
    """``instance.save(force_insert=True)`` for new instances of one model: one INSERT for all,
    its SQL made once per model and database, with ``pre_save`` and ``post_save`` sent for each
    and the primary key read back, as a save does.

    A model save compiles its INSERT anew each time, field by field: for a request's forty
    columns that was most of what the POST spent on its three inserts (bench/bench_requests.py).
    Values are taken as the compiler takes them (each field's ``pre_save``, then
    ``get_db_prep_save``); models with parents, fields with a ``get_placeholder`` of their own
    and expressions as values are refused rather than saved differently from ``save``.
    """
    instances = list(instances)
    if not instances:
        return
    model = type(instances[0])
    db = connections[router.db_for_write(model)]
    if not db.features.can_return_rows_from_bulk_insert:  # an old SQLite: no ids to read back
        for obj in instances:
            obj.save(force_insert=True)
        return
    fields, statement = _insert_statement(model, db, len(instances))
    for obj in instances:
        if obj.pk is not None:
            raise ValueError("insert_each makes the primary key: %r has one" % obj)
        obj._prepare_related_fields_for_save(operation_name="save")
        pre_save.send(sender=model, instance=obj, raw=False, using=db.alias, update_fields=None)
    params = []
    for obj in instances:
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                raise ValueError("insert_each takes values, not expressions (%s)" % field.name)
            params.append(field.get_db_prep_save(value, connection=db))
    with db.cursor() as cursor:
        statement.execute(db, cursor, params)
        # In VALUES order: what bulk_create relies on too.
        rows = cursor.fetchall()
    for obj, values in zip(instances, rows):
        for value, field in zip(values, model._meta.db_returning_fields):
            setattr(obj, field.attname, value)
    for obj in instances:
        obj._state.adding = False
        obj._state.db = db.alias
        post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=db.alias)


_insert_statements: dict = {}
# Batches of more rows than this are rare (a worker's delivery batch writes up to about a
# hundred events) and are not worth a prepared statement on every connection.
PREPARED_INSERT_ROWS = 128


def _insert_statement(model, db, count: int) -> tuple:
    """(the fields in column order, the INSERT of ``count`` rows: ``Prepared`` up to
    ``PREPARED_INSERT_ROWS`` of them)."""
    key = (model, db.alias, count)
    made = _insert_statements.get(key)
    if made is None:
        meta = model._meta
        if meta.parents or not meta.db_returning_fields:
            raise ValueError("insert_each saves models with a primary key of their own (%s)" % meta.label)
        fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        if any(hasattr(f, "get_placeholder") for f in fields):
            raise ValueError("insert_each does not save fields with a placeholder of their own (%s)" % meta.label)
        qn = db.ops.quote_name
        row = "(%s)" % ", ".join(["%s"] * len(fields))
        sql = "INSERT INTO %s (%s) VALUES %s RETURNING %s" % (
            qn(meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join([row] * count),
            ", ".join(qn(f.column) for f in meta.db_returning_fields))
        made = (fields, Prepared(sql, prepare=count <= PREPARED_INSERT_ROWS))
        if count <= PREPARED_INSERT_ROWS:
            _insert_statements[key] = made
    return made
