"""Django's ``migrate``, connected as the schema's owner when ``DATABASE_OWNER_URL`` is set.

The application's own role (``DATABASE_URL``) may not create or alter tables; the owner may.
The whole command, data migrations and ``post_migrate`` hooks included, then runs on one
connection as the owner (``core.dbroles.connect_as_owner``). After it, the ``post_migrate``
hook of core grants the app role its privileges (core/dbroles.py).
"""

from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

from core.dbroles import connect_as_owner


class Command(migrate.Command):
    def handle(self, *args, **options):
        if options["database"] == DEFAULT_DB_ALIAS:
            connect_as_owner(connections[DEFAULT_DB_ALIAS])
        return super().handle(*args, **options)
