"""Reads of the member directory shared by the page and the API."""

from django.db.models import Prefetch

from .choices import AgencyKind
from .models import Agency, User

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
