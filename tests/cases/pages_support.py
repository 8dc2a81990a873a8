"""Shared data for the cases page tests: the W city demo agencies and cases built through
the real intake service (so linking, rings and priorities are the real ones)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from agencies.models import Agency, Region, User
from cases.models import Typology

from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(body17: str) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit) for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS))
    return body17 + "10X98765432"[total % 11]


@pytest.fixture
def w(db, settings):
    """The demo world: users by username, agencies by code, regions by code, typologies."""
    # Seeding sets 19 passwords: a fast hasher keeps it from dominating the test time.
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    return build_world()


def build_world():
    # The pages sit on cases.services (written alongside them): nothing to test without it.
    pytest.importorskip("cases.services")
    seed_demo_agencies()
    typologies = {}
    for code, name in [("brushing", "刷单返利"), ("impersonation", "冒充公检法"), ("investment", "投资理财")]:
        typologies[code], _ = Typology.objects.get_or_create(code=code, defaults={"name": name})

    class World:
        users = {u.username: u for u in User.objects.select_related("agency")}
        agencies = {a.code: a for a in Agency.objects.all()}
        regions = {r.code: r for r in Region.objects.all()}

    World.typologies = typologies
    return World


def make_case(w, *, officer="officer", region="340402001", typology="brushing", loss="5000.00",
              victim="张三", victim_id=None, victim_phone="13900001111", indicators=(), hours_ago=3):
    from cases.services import case_create

    user = w.users[officer]
    occurred = timezone.now() - timedelta(hours=hours_ago)
    return case_create(
        actor=user,
        reporting_agency=user.agency,
        region=w.regions[region],
        typology=w.typologies[typology],
        occurred_at=occurred,
        reported_at=occurred + timedelta(minutes=30),
        loss_amount=Decimal(loss),
        payment_channel="bank_transfer",
        narrative="测试案情",
        victims=[
            {
                "name": victim,
                "id_number": victim_id or id_number("34040219800101001"),
                "phone": victim_phone,
                "age": 45,
                "gender": "F",
            }
        ],
        indicators=[{"kind": k, "value": v, "role": r} for k, v, r in indicators],
    )
