"""Who may see which dashboard figures: one place, used by the pages and the API.

- The leadership office (and superusers) see every region and every agency's assessment.
- Centres, stations, communities and the publicity department see region figures for their
  own region and below (a county centre its county; a community its community).
- Banks, payment institutions, carriers, platforms, the procuratorate and the court see no
  region or case-level figure: only the league table and their own assessment detail.
A region outside the caller's scope answers 404 (its figures are not disclosed); a kind of
agency that sees no region figures at all is refused the whole feature (403), like the case
pages refuse banks.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from agencies.choices import AgencyKind
from agencies.models import Region

REGION_FIGURE_KINDS = frozenset(
    {
        AgencyKind.LEADERSHIP_OFFICE,
        AgencyKind.ANTI_FRAUD_CENTRE,
        AgencyKind.POLICE_STATION,
        AgencyKind.COMMUNITY,
        AgencyKind.PUBLICITY_DEPARTMENT,
    }
)

# The agencies that keep a dashboard open all day receive "stats.refreshed" live (live.js then
# re-fetches the figures); the other kinds that see region figures get fresh figures on their
# next page load. An event to every station and community on each refresh (every
# REFRESH_SECONDS while figures change) would be most of the event table, for a hint.
LIVE_DASHBOARD_KINDS = frozenset({AgencyKind.LEADERSHIP_OFFICE, AgencyKind.ANTI_FRAUD_CENTRE})
assert LIVE_DASHBOARD_KINDS <= REGION_FIGURE_KINDS


def live_dashboard_audience() -> set[int]:
    """Ids of the agencies that receive "stats.refreshed" (events.schemas)."""
    from agencies.models import Agency

    return set(Agency.objects.filter(kind__in=LIVE_DASHBOARD_KINDS, is_active=True).values_list("pk", flat=True))


def sees_everything(user) -> bool:
    return user.is_superuser or user.agency_kind == AgencyKind.LEADERSHIP_OFFICE


def can_see_region_figures(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.agency_kind in REGION_FIGURE_KINDS)


def require_region_figures(user) -> None:
    if not can_see_region_figures(user):
        raise PermissionDenied


def default_region(user) -> Region:
    """The region a user's dashboard opens on: their agency's region, else the top city."""
    if user.agency_id and user.agency.region_id:
        return user.agency.region
    return Region.objects.filter(parent__isnull=False).order_by("level", "code").first() or Region.objects.order_by("level").first()


def region_in_scope(user, region: Region) -> bool:
    if sees_everything(user):
        return True
    if not can_see_region_figures(user) or not user.agency.region_id:
        return False
    return user.agency.region.contains(region)


def require_region(user, region: Region) -> Region:
    require_region_figures(user)
    if not region_in_scope(user, region):
        raise Http404
    return region


def can_see_agency_detail(user, agency) -> bool:
    """Every agency sees its own assessment detail; the office sees everyone's."""
    return sees_everything(user) or user.agency_id == agency.pk
