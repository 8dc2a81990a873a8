import pytest

from tests.conftest import seed_demo_agencies


@pytest.fixture
def demo(db):
    """W city's agencies and demo users (the agencies part of seed_demo only: fast)."""
    from agencies.models import User

    seed_demo_agencies()
    return {u.username: u for u in User.objects.select_related("agency")}
