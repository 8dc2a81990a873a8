"""Publicity test data: W city's demo agencies and typologies, cases made through cases.services."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies
from tests.factories import CaseFactory, DemoWorld, VictimFactory, id_number  # noqa: F401 (id_number: re-exported)

class PublicityWorld(DemoWorld):
    def case(self, *, day, region="340402001001", typology="brushing", loss="5000", victims=None, by="officer"):
        """A case reported (and occurred) at noon of ``day``, filed through the intake service."""
        at = timezone.make_aware(datetime.combine(day, time(12)))
        return CaseFactory(
            by=self.users[by], region=self.regions[region], typology=self.typologies[typology],
            occurred_at=at - timedelta(hours=1), reported_at=at, loss_amount=Decimal(loss),
            payment_channel="wechat_pay", narrative="",
            victims=victims or [VictimFactory(age=40)],
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
