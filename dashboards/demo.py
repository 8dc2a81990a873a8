"""Demo data of the dashboards: rollups for whatever the other seeds wrote, one rectification."""

from datetime import timedelta

from django.utils import timezone


def seed_dashboards() -> dict:
    """Rebuild the rollups (seeds may bypass the signals) and list the worst community once."""
    from agencies.models import Agency, User

    from . import selectors
    from .access import default_region
    from .models import Rectification
    from .rollups import rebuild
    from .services import rectification_list

    days = rebuild()
    listed = 0
    leader = User.objects.filter(username="leader").select_related("agency__region").first()
    if leader is not None and not Rectification.objects.exists():
        today = timezone.localdate()
        spots = [s for s in selectors.hot_spots(region=default_region(leader), start=today - timedelta(days=90), end=today)
                 if s["region"].level == 5]
        station = spots and Agency.objects.filter(kind="station", region__path__startswith=spots[0]["region"].parent.path).first()
        if spots and station:
            rectification_list(actor=leader, region=spots[0]["region"], responsible_agency=station,
                               reason="近三个月万人发案率全市最高", deadline=today + timedelta(days=60))
            listed = 1
    return {"rollup_days": days, "rectifications": listed}
