"""Data fixtures for the live-events tests. The server and worker fixtures (``live_server_url``,
``worker``) and the browser ones (``new_page``, ``login``) come from tests/conftest.py."""

import pytest

from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies


@pytest.fixture
def demo_world(transactional_db, settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    seed_demo_agencies()


@pytest.fixture
def token_for(demo_world):
    from rest_framework.authtoken.models import Token

    from agencies.models import User

    def make(username: str) -> str:
        return Token.objects.get_or_create(user=User.objects.get(username=username))[0].key

    return make
