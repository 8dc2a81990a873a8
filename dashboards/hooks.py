"""Figures other apps provide; each returns None while the other app cannot give it.

The publicity app (``propaganda``) was written alongside this one, so it is only imported at
call time and every failure to find what is needed reads "not available", never a wrong figure.
Preferred: ``propaganda.selectors.reach(region=..., start=..., end=...) -> int``. Until that
exists, the people reached recorded on its ``Outreach`` rows (date, region, people_reached) are
summed for the region's subtree (outreach is logged by hand: thousands of rows a year, so no
rollup is needed).
"""

from datetime import date


def publicity_reach(*, region, start: date, end: date) -> int | None:
    """People reached by publicity in ``region`` (and below) from ``start`` to ``end``, or None."""
    try:
        from propaganda import selectors
    except ImportError:
        return None
    reach = getattr(selectors, "reach", None)
    if reach is not None:
        try:
            return reach(region=region, start=start, end=end)
        except TypeError:  # a different signature than agreed: show nothing rather than guess
            return None
    return _outreach_reach(region=region, start=start, end=end)


def _outreach_reach(*, region, start: date, end: date) -> int | None:
    try:
        from propaganda.models import Outreach
    except ImportError:
        return None
    names = {f.name for f in Outreach._meta.get_fields()}
    if not {"date", "region", "people_reached"} <= names:
        return None
    from django.db.models import Sum

    total = Outreach.objects.filter(
        date__gte=start, date__lte=end, region__path__startswith=region.path
    ).aggregate(n=Sum("people_reached"))["n"]
    return total or 0
