"""Figures other apps will provide once they land; each returns None until then.

The publicity app (``propaganda``) is being written alongside this one. When it offers
``propaganda.selectors.reach(region=..., start=..., end=...) -> int`` (people reached in the
region and period), the dashboard shows it; until then the figure reads "not available". The
import happens at call time so this app never depends on propaganda being importable.
"""

from datetime import date


def publicity_reach(*, region, start: date, end: date) -> int | None:
    """People reached by publicity in ``region`` from ``start`` to ``end``, or None."""
    try:
        from propaganda import selectors
    except ImportError:
        return None
    reach = getattr(selectors, "reach", None)
    if reach is None:
        return None
    try:
        return reach(region=region, start=start, end=end)
    except TypeError:  # a different signature than the one agreed: show nothing, not a wrong figure
        return None
