"""Set up the application's PostgreSQL role: ``manage.py db_roles [--create] [--skip-grants]``.

``--create`` creates ``DATABASE_APP_ROLE`` (LOGIN, no other attribute; password from
``DATABASE_APP_PASSWORD`` if set) unless it exists, which needs a superuser or CREATEROLE
connection. Then, unless ``--skip-grants``, grants it the app's privileges on the migrated
tables (only INSERT and SELECT on the audit log). ``migrate`` does the grants by itself; this
command is for a role added to an existing database, or for ``./test`` before its database exists.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core.dbroles import app_role_create, app_role_grant, connect_as_owner


class Command(BaseCommand):
    help = "Create the application's PostgreSQL role and grant it its privileges."

    def add_arguments(self, parser):
        parser.add_argument("--create", action="store_true", help="create the role if it is missing")
        parser.add_argument("--skip-grants", action="store_true", help="only create the role")
        parser.add_argument("--role", default=None, help="the role (default: DATABASE_APP_ROLE)")

    def handle(self, *args, create=False, skip_grants=False, role=None, **options):
        role = role or settings.DATABASE_APP_ROLE
        connection = connections[DEFAULT_DB_ALIAS]
        if not role:
            raise CommandError("no role: set DATABASE_APP_ROLE or pass --role")
        if connection.vendor != "postgresql":
            raise CommandError("database roles exist on PostgreSQL only")
        connect_as_owner(connection)  # as migrate: the owner grants
        if create and app_role_create(connection=connection, role=role, password=os.environ.get("DATABASE_APP_PASSWORD", "")):
            self.stdout.write("created role %s" % role)
        if not skip_grants:
            app_role_grant(connection=connection, role=role)
            self.stdout.write("granted role %s its privileges" % role)
