"""Shared data for the alerts backend tests: W city's demo agencies and users, one case."""

from decimal import Decimal

import pytest

from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies
from tests.factories import CaseRowFactory, DemoWorld


class World(DemoWorld):
    """The demo world, with a service runner that commits as the real request would."""

    def run(self, fn, **kwargs):
        """Call a service as if its transaction committed (eager Celery runs the routing task)."""
        with self.capture(execute=True):
            return fn(**kwargs)

    def case(self, *, number=None, loss=Decimal("10000"), ring=None):
        return CaseRowFactory(loss_amount=loss, ring=ring, **({"number": number} if number else {}))


@pytest.fixture
def w(db, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    seed_demo_agencies()
    world = World()
    world.capture = django_capture_on_commit_callbacks
    return world


@pytest.fixture(autouse=True)
def _tasks_in_process(eager_celery):
    """Routing and delivery run in-process here, unless a test drives a real worker."""
