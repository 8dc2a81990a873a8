"""Backend test data: the W city demo agencies and cases made through cases.services."""

from decimal import Decimal

import pytest

from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies
from tests.factories import CaseFactory, DemoWorld, VictimFactory, id_number  # noqa: F401 (id_number: re-exported)



@pytest.fixture
def world(db, settings):
    from cases.demo import seed_typologies_and_benign

    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    seed_demo_agencies()
    seed_typologies_and_benign()
    return DemoWorld()


def new_case(world, *, by="officer", region="340402001", loss="5000.00", indicators=(), victim=None, hours_ago=3,
             typology="brushing"):
    return CaseFactory(by=world.users[by], region=world.regions[region], typology=world.typologies[typology],
                       loss_amount=Decimal(loss), victims=[victim or VictimFactory()], indicators=indicators,
                       hours_ago=hours_ago)
