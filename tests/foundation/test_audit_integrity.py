"""The audit log holds against the database itself: the app role may only append to it, and
``manage.py audit_verify`` finds what an owner or superuser changed, deleted or forged.

Run through ``./test``: the server and worker processes connect as the app role
(``DATABASE_APP_ROLE``); this process is the owner that migrated the test database.
"""

import subprocess
import sys
import time
from datetime import timedelta

import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from core.choices import AuditAction
from core.models import AuditEntry, AuditSeal
from core.selectors import audit_chain_check
from core.services import audit_record, audit_seal
from tests.conftest import ROOT, subprocess_env

pytestmark = pytest.mark.skipif(
    not settings.DATABASE_APP_ROLE or connection.vendor != "postgresql",
    reason="needs PostgreSQL and DATABASE_APP_ROLE (./test sets both)",
)


def app_connection():
    """A connection as the application's role to this run's database."""
    db = connection.settings_dict
    return psycopg2.connect(dbname=db["NAME"], user=settings.DATABASE_APP_ROLE,
                            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432)


def record(n: int) -> list[AuditEntry]:
    return [audit_record(actor=None, action=AuditAction.UPDATE, detail={"n": i, "note": "第%d条" % i})
            for i in range(n)]


def seal_now() -> list[AuditSeal]:
    return audit_seal(margin=timedelta(0))


def verify() -> str:
    """``audit_verify``'s findings; raises CommandError if there are any."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except CommandError as exc:
        raise CommandError(err.getvalue()) from exc
    return out.getvalue()


@pytest.mark.django_db
def test_app_role_is_neither_superuser_nor_owner_of_the_audit_log():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = %s",
                       [settings.DATABASE_APP_ROLE])
        assert cursor.fetchone() == (False, False, False)
        cursor.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'core_auditentry'")
        assert cursor.fetchone()[0] != settings.DATABASE_APP_ROLE


@pytest.mark.django_db
@pytest.mark.parametrize("statement", [
    "TRUNCATE core_auditentry",
    "TRUNCATE core_auditseal",
    "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update",
    "ALTER TABLE core_auditentry DISABLE TRIGGER ALL",
    "UPDATE core_auditentry SET object_repr = 'tampered'",
    "DELETE FROM core_auditentry",
    "UPDATE core_auditseal SET digest = ''",
    "DELETE FROM core_auditseal",
    "SET session_replication_role = replica",
    "DROP TRIGGER core_auditentry_no_update ON core_auditentry",
])
def test_app_role_cannot_rewrite_the_audit_log(statement):
    conn = app_connection()
    try:
        with conn.cursor() as cursor, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cursor.execute(statement)
    finally:
        conn.close()


@pytest.mark.django_db
def test_app_role_appends_to_and_reads_the_audit_log():
    conn = app_connection()
    try:
        with conn.cursor() as cursor:  # in a transaction rolled back below: nothing stays
            cursor.execute("INSERT INTO core_auditentry (at, actor_username, action, object_type, object_id,"
                           " object_repr, detail) VALUES (now(), 'app', 'login', '', '', '', '{}') RETURNING id")
            new_id = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM core_auditentry WHERE id = %s", [new_id])
            assert cursor.fetchone()[0] == 1
        conn.rollback()
    finally:
        conn.close()


@pytest.mark.django_db
def test_audit_verify_passes_on_an_untouched_log_with_gaps_from_rollbacks():
    first = record(2)
    with pytest.raises(RuntimeError), transaction.atomic():  # takes an id, then rolls back: a gap
        record(1)
        raise RuntimeError
    last = record(2)
    seals = seal_now()
    assert seals and seals[-1].last_id == last[-1].pk
    assert first[0].pk in seals[0].entry_ids
    assert "audit log intact" in verify()


@pytest.mark.django_db
def test_audit_verify_finds_an_entry_changed_by_the_owner():
    entries = record(3)
    seal_now()
    with connection.cursor() as cursor:  # a DBA with the owner role gets past the trigger
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update")
        cursor.execute("UPDATE core_auditentry SET object_repr = 'nothing happened' WHERE id = %s", [entries[1].pk])
        cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_no_update")
    with pytest.raises(CommandError, match="entry %d .*was changed" % entries[1].pk):
        verify()
    kinds = {(p.kind, p.entry_id) for p in audit_chain_check().problems}
    assert ("changed", entries[1].pk) in kinds and ("changed", entries[0].pk) not in kinds


@pytest.mark.django_db
def test_audit_verify_finds_a_deleted_entry():
    entries = record(3)
    seal_now()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off (superuser)
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[0].pk])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    with pytest.raises(CommandError, match="entry %d .*was deleted" % entries[0].pk):
        verify()


@pytest.mark.django_db
def test_audit_verify_finds_a_forged_entry_inserted_into_a_sealed_range():
    before = record(1)[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        gap = record(1)[0].pk  # rolled back: this id is free for a forger
        raise RuntimeError
    record(1)
    seal_now()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_auditentry (id, at, actor_username, action, object_type, object_id,"
                       " object_repr, detail) SELECT %s, at, 'analyst', 'export', '', '', 'forged', '{}'"
                       " FROM core_auditentry WHERE id = %s", [gap, before.pk])
    with pytest.raises(CommandError, match="entry %d was inserted" % gap):
        verify()


@pytest.mark.django_db
def test_audit_verify_finds_a_back_dated_entry_inserted_after_the_last_seal():
    old = record(1)[0]
    seal_now()
    with connection.cursor() as cursor:  # a new id, but dated as if written before the seal
        cursor.execute("INSERT INTO core_auditentry (at, actor_username, action, object_type, object_id,"
                       " object_repr, detail) SELECT at, 'analyst', 'export', '', '', 'forged', '{}'"
                       " FROM core_auditentry WHERE id = %s RETURNING id", [old.pk])
        forged = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="entry %d is dated before the last seal" % forged):
        verify()


@pytest.mark.django_db
def test_audit_verify_finds_a_seal_rewritten_to_match_a_changed_entry():
    entries = record(2)
    seal_now()
    record(1)
    seal_now()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE core_auditentry SET object_repr = 'x' WHERE id = %s", [entries[0].pk])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    from core.audit_chain import ENTRY_FIELDS, chain_digest, entry_hash

    rows = list(AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by("id").values(*ENTRY_FIELDS))
    hashes = [entry_hash(row) for row in rows]
    first = AuditSeal.objects.order_by("id").first()
    with connection.cursor() as cursor:  # the forger recomputes the first seal, not the chain after it
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE core_auditseal SET entry_hashes = %s::jsonb, digest = %s WHERE id = %s",
                       ['["%s","%s"]' % (hashes[0][:16], hashes[1][:16]), chain_digest("", hashes), first.pk])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    problems = audit_chain_check().problems
    assert [p.kind for p in problems] == ["seal"] and problems[0].seal_id != first.pk


@pytest.mark.django_db(transaction=True)
def test_sealer_leaves_entries_of_a_still_open_transaction_to_its_next_run():
    early = record(1)[0]
    other = app_connection()
    try:
        with other.cursor() as cursor:  # an application transaction, still open
            cursor.execute("INSERT INTO core_auditentry (at, actor_username, action, object_type, object_id,"
                           " object_repr, detail) VALUES (now(), 'app', 'login', '', '', '', '{}') RETURNING id")
            pending = cursor.fetchone()[0]
        time.sleep(0.05)
        later = record(1)[0]  # a higher id, committed first
        assert later.pk > pending
        seal_now()
        assert AuditSeal.objects.get().entry_ids == [early.pk]
        other.commit()
    finally:
        other.close()
    seal_now()
    assert AuditSeal.objects.order_by("id").last().entry_ids == [pending, later.pk]
    assert "audit log intact" in verify()


@pytest.mark.django_db(transaction=True)
def test_beat_tasks_seal_and_purge_as_the_app_role():
    """The sealer and the idempotency-key purge, as the worker runs them: as the app role."""
    record(3)
    script = ("from core.tasks import purge_idempotency_keys, seal_audit_log;"
              "from django.db import connection;"
              "print(connection.settings_dict['USER'], seal_audit_log(), purge_idempotency_keys(0))")
    env = {**subprocess_env(), "AUDIT_SEAL_MARGIN_SECONDS": "0"}
    done = subprocess.run([sys.executable, "manage.py", "shell", "-v", "0", "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-3:] == [settings.DATABASE_APP_ROLE, "1", "0"]
    done = subprocess.run([sys.executable, "manage.py", "audit_verify"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "audit log intact" in done.stdout, done.stderr


def test_sealer_is_on_the_beat_schedule():
    assert settings.CELERY_BEAT_SCHEDULE["core-seal-audit-log"]["task"] == "core.tasks.seal_audit_log"


def test_migrate_runs_as_the_owner_and_grants_the_app_role():
    """As compose runs it: DATABASE_URL is the app role, DATABASE_OWNER_URL the owner; migrate
    creates every table as the owner, and the app role gets DML but only appends to the log."""
    import uuid

    db = connection.settings_dict
    where = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432}
    tag = uuid.uuid4().hex[:8]
    owner, app, name = "fg_owner_" + tag, "fg_app_" + tag, "fg_migrate_" + tag
    admin = psycopg2.connect(dbname="postgres", user=db["USER"], **where)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            for statement in (f"CREATE ROLE {owner} LOGIN", f"CREATE ROLE {app} LOGIN",
                              f"CREATE DATABASE {name} OWNER {owner}"):
                cursor.execute(statement)
        url = "postgres://%s@{host}:{port}/%s".format(**where)
        env = {**subprocess_env(), "DATABASE_URL": url % (app, name), "DATABASE_OWNER_URL": url % (owner, name)}
        env.pop("DATABASE_APP_ROLE", None)  # default: DATABASE_URL's user
        done = subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        as_app = psycopg2.connect(dbname=name, user=app, **where)
        try:
            with as_app.cursor() as cursor:
                cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
                assert cursor.fetchall() == [(owner,)]
                cursor.execute("INSERT INTO agencies_region (code, name, level, path, population)"
                               " VALUES ('x', 'x', 1, 'x', 0) RETURNING id")
                cursor.execute("DELETE FROM agencies_region")
                cursor.execute("INSERT INTO core_auditentry (at, actor_username, action, object_type, object_id,"
                               " object_repr, detail) VALUES (now(), 'app', 'login', '', '', '', '{}')")
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cursor.execute("DELETE FROM core_auditentry")
        finally:
            as_app.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            cursor.execute(f"DROP ROLE IF EXISTS {app}")
            cursor.execute(f"DROP ROLE IF EXISTS {owner}")
        admin.close()


@pytest.mark.django_db
def test_admin_shows_the_seals_read_only(client, django_user_model):
    record(2)
    [seal] = seal_now()
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    assert client.get("/admin/core/auditseal/").status_code == 200
    assert client.get(f"/admin/core/auditseal/{seal.pk}/change/").status_code == 200
    assert client.post(f"/admin/core/auditseal/{seal.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditSeal.objects.filter(pk=seal.pk).exists()
