"""Shared data for the cases page tests: the W city demo agencies and cases built through
the real intake service (so linking, rings and priorities are the real ones)."""

from decimal import Decimal

import pytest

from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies
from tests.factories import CaseFactory, DemoWorld, TypologyFactory, VictimFactory, id_number  # noqa: F401

@pytest.fixture
def w(db, settings):
    """The demo world: users by username, agencies by code, regions by code, typologies."""
    # Seeding sets 19 passwords: a fast hasher keeps it from dominating the test time.
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    return build_world()


def build_world() -> DemoWorld:
    seed_demo_agencies()
    for code in ("brushing", "impersonation", "investment"):
        TypologyFactory(code=code)
    return DemoWorld()


def make_case(w, *, officer="officer", region="340402001", typology="brushing", loss="5000.00",
              victim="张三", victim_id=None, victim_phone="13900001111", indicators=(), hours_ago=3):
    return CaseFactory(
        by=w.users[officer], region=w.regions[region], typology=w.typologies[typology], loss_amount=Decimal(loss),
        narrative="测试案情", hours_ago=hours_ago, indicators=indicators,
        victims=[VictimFactory(name=victim, id_number=victim_id or id_number("34040219800101001"),
                               phone=victim_phone, gender="F")],
    )
