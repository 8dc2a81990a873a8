"""Reads of the member directory shared by the page and the API, and of routing keys."""

from django.db.models import Prefetch, Q

from .choices import AgencyKind, RoutingKeyKind
from .models import Agency, RoutingKey, User

# Who sees each agency's staff list (not just the duty contact): they coordinate everyone.
MEMBER_LIST_KINDS = frozenset({AgencyKind.ANTI_FRAUD_CENTRE, AgencyKind.LEADERSHIP_OFFICE})


def sees_agency_members(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or getattr(user, "agency_kind", None) in MEMBER_LIST_KINDS)
    )


def agency_directory(user):
    """The directory as ``user`` may see it; members are prefetched only for those who see them."""
    qs = Agency.objects.restrict(user).select_related("region", "parent").prefetch_related("routing_keys")
    if sees_agency_members(user):
        qs = qs.prefetch_related(
            Prefetch(
                "users",
                queryset=User.objects.filter(is_active=True).order_by("username"),
                to_attr="active_members",
            )
        )
    return qs


def routing_key_overlaps(*, kind: str, value: str, agency_id: int) -> list["RoutingKey"]:
    """Other agencies' keys of the same kind, active or pending, that overlap ``value`` (already
    normalised): for card prefixes and number segments one is a prefix of the other, for
    domains one is the other or a parent domain of it, app ids are the same."""
    if kind == RoutingKeyKind.DOMAIN:
        parts = value.split(".")
        overlap = Q(value__in=[".".join(parts[i:]) for i in range(len(parts))]) | Q(value__endswith="." + value)
    elif kind == RoutingKeyKind.APP_ID:
        overlap = Q(value__iexact=value)
    else:
        overlap = Q(value__in=[value[:i] for i in range(1, len(value) + 1)]) | Q(value__startswith=value)
    return list(RoutingKey.objects.filter(overlap, kind=kind).exclude(agency_id=agency_id)
                .select_related("agency").order_by("agency__code", "value"))


def routing_key_change_audience(change: dict) -> set[int]:
    """Who is told of a routing-key change (``events.schemas``, ``routing_key.changed``): the
    key's agency and every agency whose keys it overlaps, before or after the change."""
    return {change["agency"]["id"], *(other["agency_id"] for other in change["overlaps"])}
