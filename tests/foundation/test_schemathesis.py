"""A bounded schemathesis run against the live OpenAPI schema (``/api/schema/``), for two roles.

Every operation gets a few generated requests (valid and invalid) as the city centre's analyst
and as a bank clerk, in-process through the WSGI application: none may answer 5xx, and every
documented answer must match its schema. Bounded (``MAX_EXAMPLES`` per operation, derandomized)
so that the run takes seconds, not the hours an open-ended fuzz would.
"""

import pytest
import schemathesis
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

# Generated examples only: schemathesis' explicit phase adds its own boundary cases, some
# hundred per operation, which took the run to minutes. tests/foundation/test_bad_input.py pins
# the bad inputs it once found (bad ids, time-zone offsets, nesting, NaN) one by one.
MAX_EXAMPLES = 10
ROLES = ("analyst", "bank_a")


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """W city's agencies and users, seeded once for the module inside a transaction that is
    rolled back at its end (each test's own writes roll back to a savepoint inside it)."""
    from rest_framework.authtoken.models import Token

    from agencies.demo import seed_agencies
    from agencies.models import User

    # MD5 while seeding: the demo users' passwords are never checked here, and PBKDF2 for each
    # of them took most of the run's set-up.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            seed_agencies()
            yield {name: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key for name in ROLES}
            transaction.set_rollback(True)


@pytest.fixture
def in_test_transaction(db):
    """Calls into the WSGI application share this test's transaction: keep its connection open
    across them, as Django's test client does (the handler closes it on each request's start
    and end otherwise)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _load_schema():
    # Loaded at collection, anonymously (the schema view needs no database); calls then go to
    # the same WSGI application in-process. (schemathesis' from_fixture does not run on
    # pytest 9: it reads a private attribute pytest no longer has.)
    from fraudgov.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()


@schema.parametrize()
@hypothesis_settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                     phases=[Phase.generate],
                     suppress_health_check=list(HealthCheck))
def test_the_api_answers_bad_input_without_server_errors_or_schema_violations(case, tokens, in_test_transaction):
    for role in ROLES:
        response = case.call(headers={"Authorization": "Token " + tokens[role]})
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
