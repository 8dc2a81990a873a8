"""Publicity test data: W city's demo agencies and typologies, cases made through cases.services."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from tests.cases.support import World, id_number
from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies

_n = count(1)


class PublicityWorld(World):
    def case(self, *, day, region="340402001001", typology="brushing", loss="5000", victims=None, by="officer"):
        """A case reported (and occurred) at noon of ``day``, filed through the intake service."""
        from cases.services import case_create

        user = self.users[by]
        at = timezone.make_aware(datetime.combine(day, time(12)))
        n = next(_n)
        return case_create(
            actor=user, reporting_agency=user.agency, region=self.regions[region],
            typology=self.typologies[typology], occurred_at=at - timedelta(hours=1), reported_at=at,
            loss_amount=Decimal(loss), payment_channel="wechat_pay", narrative="",
            victims=victims or [{"name": "测试人%d" % n, "id_number": id_number("3404021950%07d" % n),
                                 "phone": "138%08d" % n, "age": 40}],
            indicators=[],
        )

    def outreach(self, *, by="grid_a", day=None, people=50, region=None, **extra):
        from propaganda.services import outreach_create

        return outreach_create(
            actor=self.users[by], date=day or timezone.localdate(), place="小区广场", channel="door_to_door",
            target_group="elderly", people_reached=people,
            region=self.regions[region] if region else None, **extra,
        )


@pytest.fixture
def pw(db, settings, tmp_path):
    from cases.demo import seed_typologies_and_benign

    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_demo_agencies()
    seed_typologies_and_benign()
    return PublicityWorld()
