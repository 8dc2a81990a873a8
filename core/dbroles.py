"""The two PostgreSQL roles of the platform: the owner, which runs migrations, and the app role.

The application connects as the app role. It reads and writes every table, except that the
append-only tables (the audit log and its seals) allow it only INSERT and SELECT: neither
UPDATE, DELETE nor TRUNCATE, and, not owning them, it cannot ``ALTER TABLE ... DISABLE TRIGGER``;
``session_replication_role`` is a superuser setting. So a bug or an injected statement in the
application cannot rewrite the log. What an owner or superuser does to it is detected by the
hash chain (``core.audit_chain``, ``manage.py audit_verify``).

``app_role_grant`` runs after every ``migrate`` (a ``post_migrate`` hook, core/apps.py) when
``DATABASE_APP_ROLE`` is set, and from ``manage.py db_roles``.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction

# Tables the app role may only append to and read.
APPEND_ONLY_TABLES = ("core_auditentry", "core_auditseal")
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
# UPDATE lets setval() move a sequence (the bulk generator); it cannot change a stored row.
SEQUENCE_PRIVILEGES = "USAGE, SELECT, UPDATE"


def connect_as_owner(connection) -> None:
    """Point ``connection`` at the owner role of ``DATABASE_OWNER_URL`` (its user, password, host
    and port; the database name stays, so a test run's own database too), if one is set."""
    from django.conf import settings

    owner = settings.DATABASE_OWNER
    if not owner:
        return
    connection.close()
    connection.settings_dict.update({key: owner[key] for key in ("USER", "PASSWORD", "HOST", "PORT") if owner.get(key)})


def role_exists(*, connection, role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def app_role_create(*, connection, role: str, password: str = "") -> bool:
    """Create the app role (LOGIN, nothing else) unless it exists; True if it was created.
    Needs a superuser or CREATEROLE connection."""
    if role_exists(connection=connection, role=role):
        return False
    statement = "CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" % connection.ops.quote_name(role)
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(statement + (" PASSWORD %s" if password else ""), [password] if password else None)
    except DatabaseError:
        if role_exists(connection=connection, role=role):  # made by a test run started at the same time
            return False
        raise
    return True


def app_role_granted(*, connection, role: str) -> bool:
    """Whether ``role`` already has its grants here: append to the log, and no more."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass('core_auditseal') IS NOT NULL"
            " AND has_table_privilege(%s, 'core_auditentry', 'INSERT')"
            " AND NOT has_table_privilege(%s, 'core_auditentry', 'UPDATE')"
            " AND has_table_privilege(%s, 'core_auditseal', 'INSERT')",
            [role, role, role],
        )
        return bool(cursor.fetchone()[0])


def app_role_grant(*, connection, role: str) -> None:
    """Give ``role`` the app's privileges on every table and sequence of the current schema, now
    and (default privileges of the connected owner) for the tables later migrations create;
    then take UPDATE, DELETE and TRUNCATE on the append-only tables back."""
    if not role_exists(connection=connection, role=role):
        raise ImproperlyConfigured(
            "PostgreSQL role %r does not exist: create it (manage.py db_roles --create) or unset DATABASE_APP_ROLE" % role
        )
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema(), current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = %s)", [role])
        schema, current, superuser = cursor.fetchone()
        if current == role or superuser:
            raise ImproperlyConfigured(
                "DATABASE_APP_ROLE %r must be a role of its own, not the owner or a superuser" % role
            )
        app, schema = qn(role), qn(schema)
        statements = [
            f"GRANT USAGE ON SCHEMA {schema} TO {app}",
            f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {app}",
            f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {TABLE_PRIVILEGES} ON TABLES TO {app}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {app}",
        ]
        for table in APPEND_ONLY_TABLES:
            statements += [
                f"REVOKE ALL ON {qn(table)} FROM PUBLIC",
                f"REVOKE ALL ON {qn(table)} FROM {app}",
                f"GRANT SELECT, INSERT ON {qn(table)} TO {app}",
            ]
        for statement in statements:
            cursor.execute(statement)


def grant_after_migrate(sender, using, **kwargs) -> None:
    """``post_migrate`` hook (also sent after a test flush: then one query finds it done)."""
    from django.conf import settings
    from django.db import connections

    connection = connections[using]
    role = settings.DATABASE_APP_ROLE
    if not role or connection.vendor != "postgresql":
        return
    if role_exists(connection=connection, role=role) and app_role_granted(connection=connection, role=role):
        return
    app_role_grant(connection=connection, role=role)
