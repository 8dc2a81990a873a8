"""A small W-city data set whose every figure is counted by hand (see FIGURES below).

March 2025 is the period under test. Cases are taken through ``cases.services.case_create``
(with their report time); requests are written as rows with exact timestamps (the lifecycle
services stamp "now", and the figures depend on the minutes), then the rollups are rebuilt.
The incremental path (services -> marks -> refresh) has its own test in test_rollups.py.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies
from tests.factories import CaseFactory, DemoWorld, RequestRowFactory

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


class World(DemoWorld):
    """The demo world and the hand-counted data set's cases and requests, by key."""

    def __init__(self):
        super().__init__()
        self.cases = {}
        self.requests = {}


def _case(w, key, *, by, region, typology, loss, reported, age):
    w.cases[key] = CaseFactory(
        by=w.users[by], region=w.regions[region], typology=w.typologies[typology], occurred_at=reported - timedelta(hours=2),
        reported_at=reported, loss_amount=Decimal(loss), victims=[{"name": "受害人%s" % key, "age": age}],
    )


def _request(w, key, **fields):
    w.requests[key] = RequestRowFactory(number="RQT%s" % key, target_value="6222020000000%s" % key, **fields)


def build_world():
    from cases.demo import seed_typologies_and_benign
    from cases.models import Case

    seed_demo_agencies()
    seed_typologies_and_benign()
    w = World()
    # March 2025 (the period): four cases.
    _case(w, 1, by="officer", region="340402001001", typology="brushing", loss="10000", reported=at(2025, 3, 10), age=70)
    _case(w, 2, by="officer", region="340402001001", typology="brushing", loss="5000", reported=at(2025, 3, 10, 11), age=25)
    _case(w, 3, by="officer", region="340402001002", typology="investment", loss="20000", reported=at(2025, 3, 12), age=40)
    _case(w, 4, by="officer_b", region="340403001001", typology="brushing", loss="1000", reported=at(2025, 3, 31, 23, 30), age=16)
    Case.objects.filter(pk=w.cases[3].pk).update(status="solved")
    # Previous period (29 Jan - 28 Feb 2025) and the same period last year (March 2024).
    _case(w, 5, by="officer", region="340402001001", typology="brushing", loss="3000", reported=at(2025, 2, 20), age=None)
    _case(w, 6, by="officer", region="340402001002", typology="investment", loss="8000", reported=at(2024, 3, 5), age=50)
    # Outside every period under test: 1 April 2025, 00:10 local (the day boundary is local).
    _case(w, 7, by="officer", region="340402001001", typology="brushing", loss="999", reported=at(2025, 4, 1, 0, 10), age=30)

    d = at(2025, 3, 10)
    icbc, abc = w.agencies["bank-icbc"], w.agencies["bank-abc"]
    # R1: stop-payment, in time (ack 3 min of 5, complete 20 min of 30), 6,000 secured.
    _request(w, 1, kind="stop_payment", status="completed", case=w.cases[1], target_agency=icbc, created=d,
             delivered_at=d, ack_due_at=d + timedelta(minutes=5), acknowledged_at=d + timedelta(minutes=3),
             complete_due_at=d + timedelta(minutes=30), completed_at=d + timedelta(minutes=20),
             amount=Decimal("10000"), amount_secured=Decimal("6000"))
    # R2: stop-payment, late on both deadlines and escalated, 2,000 secured.
    _request(w, 2, kind="stop_payment", status="completed", case=w.cases[2], target_agency=icbc, created=d,
             delivered_at=d, ack_due_at=d + timedelta(minutes=5), acknowledged_at=d + timedelta(minutes=10),
             complete_due_at=d + timedelta(minutes=30), completed_at=d + timedelta(minutes=60),
             escalated_at=d + timedelta(minutes=6), amount=Decimal("5000"), amount_secured=Decimal("2000"))
    # R3: freeze, rejected by the bank.
    _request(w, 3, kind="freeze", status="rejected", case=w.cases[3], target_agency=abc, created=d, delivered_at=d,
             complete_due_at=d + timedelta(days=1), reject_reason="文书不全", freeze_action="freeze")
    # R4: dissuasion (no case) to the station and the community, acknowledged in 10 of 30 minutes, dissuaded.
    _request(w, 4, kind="dissuasion", status="completed", target_agency=w.agencies["ps-renmin"],
             secondary_agency=w.agencies["cm-xingfuli"], target_kind="person", person_region=w.regions["340402001001"],
             created=d, delivered_at=d, ack_due_at=d + timedelta(minutes=30),
             acknowledged_at=d + timedelta(minutes=10), completed_at=d + timedelta(minutes=40), outcome="dissuaded")
    from dashboards.rollups import rebuild

    rebuild()
    return w


@pytest.fixture
def w(db, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    settings.DASHBOARDS_REFRESH_ON_COMMIT = False
    return build_world()


@pytest.fixture(autouse=True)
def _tasks_in_process(eager_celery):
    """Rollup refreshes and other tasks run in-process in these tests."""
