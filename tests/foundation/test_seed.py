"""``manage.py seed_demo`` builds W city and can be run again without changing anything."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from agencies.choices import AgencyKind, RegionLevel
from agencies.demo import USERS
from agencies.models import Agency, Region, RoutingKey, User
from tests.conftest import seed_demo_world


def _counts():
    from alerts.models import Request
    from cases.models import Case
    from propaganda.models import Campaign

    return {
        "cases": Case.objects.count(),
        "requests": Request.objects.count(),
        "campaigns": Campaign.objects.count(),
        "regions": Region.objects.count(),
        "agencies": Agency.objects.count(),
        "routing_keys": RoutingKey.objects.count(),
        "users": User.objects.count(),
    }


# Committed (transactional): the first run is the session's own ``seed_demo`` (``seed_demo_world``,
# which this process runs once for every test that needs the demo world); the second runs here.
@pytest.mark.django_db(transaction=True)
def test_seed_demo_twice_gives_the_same_rows_and_passwords_still_work(settings):
    seed_demo_world()
    first = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == first
    request = RequestFactory().post("/accounts/login/")
    for username in ["analyst", "bank_a", "grid_a", "leader", "admin"]:
        assert authenticate(request, username=username, password=settings.DEMO_PASSWORD), username


@pytest.mark.django_db(transaction=True)
def test_seed_builds_w_city_with_every_kind_of_member():
    seed_demo_world()
    assert Region.objects.filter(level=RegionLevel.COUNTY).count() >= 3
    assert Region.objects.filter(level=RegionLevel.COMMUNITY, population__gt=0).count() >= 12
    kinds = {kind: Agency.objects.filter(kind=kind).count() for kind in AgencyKind.values}
    assert kinds[AgencyKind.ANTI_FRAUD_CENTRE] >= 2
    assert kinds[AgencyKind.POLICE_STATION] >= 4
    assert kinds[AgencyKind.BANK] >= 4
    assert kinds[AgencyKind.CARRIER] == 3
    assert kinds[AgencyKind.INTERNET_PLATFORM] >= 2
    assert kinds[AgencyKind.COMMUNITY] >= 6
    for kind in [AgencyKind.PAYMENT_INSTITUTION, AgencyKind.PROCURATORATE, AgencyKind.COURT,
                 AgencyKind.PUBLICITY_DEPARTMENT, AgencyKind.LEADERSHIP_OFFICE]:
        assert kinds[kind] >= 1, kind
    for bank in Agency.objects.filter(kind=AgencyKind.BANK):
        assert bank.routing_keys.filter(kind="card_prefix").exists(), bank.code
    assert RoutingKey.objects.filter(agency__code="tel-cmcc", value="139").exists()
    # Every agency has its guardian sharing group.
    assert not Agency.objects.filter(group__isnull=True).exists()
    usernames = set(User.objects.values_list("username", flat=True))
    assert {u[0] for u in USERS} | {"admin"} <= usernames
    assert User.objects.get(username="bank_a").agency_id != User.objects.get(username="bank_b").agency_id
