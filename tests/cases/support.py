"""Backend test data: the W city demo agencies and cases made through cases.services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from agencies.models import Agency, Region, User
from cases.models import Typology

from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies


def id_number(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights)) % 11]


class World:
    def __init__(self):
        self.users = {u.username: u for u in User.objects.select_related("agency", "agency__region")}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.regions = {r.code: r for r in Region.objects.all()}
        self.typologies = {t.code: t for t in Typology.objects.all()}


@pytest.fixture
def world(db, settings):
    from cases.demo import seed_typologies_and_benign

    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    seed_demo_agencies()
    seed_typologies_and_benign()
    return World()


_counter = iter(range(10**6))


def new_case(world, *, by="officer", region="340402001", loss="5000.00", indicators=(), victim=None, hours_ago=3, typology="brushing"):
    from cases.services import case_create

    user = world.users[by]
    occurred = timezone.now() - timedelta(hours=hours_ago)
    n = next(_counter)
    return case_create(
        actor=user, reporting_agency=user.agency, region=world.regions[region], typology=world.typologies[typology],
        occurred_at=occurred, reported_at=occurred + timedelta(minutes=30), loss_amount=Decimal(loss),
        payment_channel="bank_transfer", narrative="测试",
        victims=[victim or {"name": "张三%s" % n, "id_number": id_number("3404021980%07d" % n), "phone": "139%08d" % n, "age": 45}],
        indicators=[{"kind": k, "value": v, "role": r} for k, v, r in indicators],
    )
