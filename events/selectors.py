"""Reading stored events: the catch-up after a reconnect and the polling API share this."""

from .models import Event

MAX_BATCH = 500


def events_since(*, user, since: int = 0, limit: int = MAX_BATCH, case_ids=()) -> list[Event]:
    """Events after ``since`` the user may see, oldest first.

    ``case_ids`` adds nothing beyond the agency's own rows: a case page follows the agency's
    events about that case, it never widens what the agency receives.
    """
    limit = max(1, min(int(limit), MAX_BATCH))
    return list(Event.objects.restrict(user).filter(id__gt=since).order_by("id")[:limit])


def latest_event_id(*, user) -> int:
    row = Event.objects.restrict(user).order_by("-id").values_list("id", flat=True).first()
    return row or 0
