#!/bin/sh
# PostgreSQL roles of fraudgov. The postgres image runs this once, as its superuser, when the
# data volume is first initialised (/docker-entrypoint-initdb.d); it is safe to run again, e.g.
# by hand on a volume made before it existed:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-roles.sh
# - the owner role owns the database (and so its public schema) and runs migrations;
# - the app role is what web, worker and beat connect as. It gets its privileges on the tables
#   from migrate (core/dbroles.py): everything but UPDATE, DELETE and TRUNCATE on the audit log.
# Neither is a superuser: only the image's superuser (POSTGRES_USER) can bypass the audit log's
# triggers, and what it does there is found by manage.py audit_verify.
set -eu
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" \
  -v owner="${FRAUDGOV_OWNER_ROLE:-fraudgov}" -v owner_password="$FRAUDGOV_OWNER_PASSWORD" \
  -v app="${FRAUDGOV_APP_ROLE:-fraudgov_app}" -v app_password="$FRAUDGOV_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'owner')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'app')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
ALTER ROLE :"owner" PASSWORD :'owner_password';
ALTER ROLE :"app" PASSWORD :'app_password';
ALTER DATABASE :"db" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
SQL
