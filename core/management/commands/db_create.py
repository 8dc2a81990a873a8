"""``manage.py db_create``: create the PostgreSQL database ``DATABASE_URL`` names, unless it
exists, so that ``./run`` pointed at a new database name sets it up like the rest (it stopped
with a traceback from ``migrate``: database "…" does not exist).

It connects to the server's ``postgres`` maintenance database with the same credentials (the
owner's, when ``DATABASE_OWNER_URL`` is set), which need the CREATEDB right. On SQLite (the
embedded default) ``migrate`` makes the file itself and this does nothing.
"""

import psycopg2
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg2 import sql

from core.dbroles import connect_as_owner


class Command(BaseCommand):
    help = "Create the PostgreSQL database of DATABASE_URL if it does not exist."

    def handle(self, *args, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            return
        connect_as_owner(connection)
        params = connection.get_connection_params()
        name = params["dbname"]
        try:
            server = psycopg2.connect(**{**params, "dbname": "postgres"})
        except psycopg2.Error as exc:
            raise CommandError("cannot reach PostgreSQL to create database %s: %s" % (name, exc)) from exc
        server.autocommit = True  # CREATE DATABASE cannot run in a transaction
        try:
            with server.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone():
                    return
                try:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                except psycopg2.errors.DuplicateDatabase:
                    return  # made meanwhile by another start
                except psycopg2.Error as exc:
                    raise CommandError("could not create database %s (%s): create it (createdb %s) or point "
                                       "DATABASE_URL at one that exists" % (name, (exc.pgerror or str(exc)).strip(), name)) from exc
        finally:
            server.close()
        self.stdout.write("created database %s" % name)
