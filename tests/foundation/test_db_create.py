"""``manage.py db_create`` (``./run``'s first step on PostgreSQL): the database ``DATABASE_URL``
names is created when missing, left alone when there, and a role that may not create one hears
what to do instead of a traceback."""

import subprocess
import sys
import uuid

import psycopg2
from django.db import connection

from tests.conftest import ROOT, subprocess_env


def test_db_create_makes_the_missing_database_once_and_explains_a_refusal():
    db = connection.settings_dict
    where = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432}
    tag = uuid.uuid4().hex[:8]
    maker, plain, name = "fg_maker_" + tag, "fg_plain_" + tag, "fg_created_" + tag
    url = "postgres://%s@{host}:{port}/%s".format(**where)
    admin = psycopg2.connect(dbname="postgres", user=db["USER"], **where)
    admin.autocommit = True

    def db_create(user, database):
        env = {**subprocess_env(), "DATABASE_URL": url % (user, database)}
        env.pop("DATABASE_APP_ROLE", None)
        return subprocess.run([sys.executable, "manage.py", "db_create"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)

    def exists(database):
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            return cursor.fetchone() is not None

    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {maker} LOGIN CREATEDB")
            cursor.execute(f"CREATE ROLE {plain} LOGIN")
        first = db_create(maker, name)
        assert first.returncode == 0, first.stderr
        assert first.stdout.strip() == "created database %s" % name and exists(name)
        again = db_create(maker, name)
        assert (again.returncode, again.stdout, again.stderr) == (0, "", "")

        refused = db_create(plain, name + "_x")
        assert refused.returncode == 1 and not exists(name + "_x")
        assert "permission denied to create database" in refused.stderr and "createdb %s_x" % name in refused.stderr
        assert "Traceback" not in refused.stderr
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            cursor.execute(f"DROP ROLE IF EXISTS {maker}")
            cursor.execute(f"DROP ROLE IF EXISTS {plain}")
        admin.close()
