"""Shared data for the alerts backend tests: W city's demo agencies and users, one case."""

from decimal import Decimal

import pytest
from django.utils import timezone

from agencies.models import Agency, Region, User
from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies


class World:
    def __init__(self):
        self.users = {u.username: u for u in User.objects.select_related("agency")}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.regions = {r.code: r for r in Region.objects.all()}

    def run(self, fn, **kwargs):
        """Call a service as if its transaction committed (eager Celery runs the routing task)."""
        with self.capture(execute=True):
            return fn(**kwargs)

    def case(self, *, number=None, loss=Decimal("10000"), ring=None):
        from cases.models import Case, Typology

        number = number or "AJ-T-%d" % (Case.objects.count() + 1)
        typology, _ = Typology.objects.get_or_create(code="brushing", defaults={"name": "刷单返利"})
        return Case.objects.create(
            number=number, reported_at=timezone.now(), occurred_at=timezone.now(),
            reporting_agency=self.agencies["ps-renmin"], region=self.regions["340402001"],
            typology=typology, loss_amount=loss, ring=ring,
        )


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
