"""Who may see which case: ``Case.objects.restrict(user, action)``.

Column filters only (region path prefix, reporting agency, an EXISTS on guardian's direct-FK
share table), so a list of a million cases is never checked row by row.
"""

from django.db.models import Exists, OuterRef, Q

from agencies.choices import AgencyKind
from core.querysets import RestrictedQuerySet

SHARE_CODENAME = "view_shared_case"


class CaseQuerySet(RestrictedQuerySet):
    def _shared_with(self, agency) -> Q:
        from .models import CaseGroupObjectPermission

        if agency.group_id is None:
            return Q(pk__in=[])
        shares = CaseGroupObjectPermission.objects.filter(
            group_id=agency.group_id,
            permission__codename=SHARE_CODENAME,
            content_object_id=OuterRef("pk"),
        )
        return Q(Exists(shares))

    def scope_q(self, user, action: str = "view") -> Q | None:
        """The visibility rule as one Q (None = everything); used by restrict and selectors."""
        agency = user.agency
        kind = agency.kind
        if kind == AgencyKind.LEADERSHIP_OFFICE:
            return None if action == "view" else Q(pk__in=[])
        if kind in (AgencyKind.ANTI_FRAUD_CENTRE, AgencyKind.POLICE_STATION):
            region_path = agency.region.path if agency.region_id else None
            scope = Q(reporting_agency_id=agency.pk)
            if region_path:
                scope |= Q(region__path__startswith=region_path)
            if action == "view":
                scope |= self._shared_with(agency)
            return scope
        if kind in (AgencyKind.PROCURATORATE, AgencyKind.COURT) and action == "view":
            return self._shared_with(agency)
        return Q(pk__in=[])

    def _restrict(self, user, action: str):
        q = self.scope_q(user, action)
        return self if q is None else self.filter(q)

    def open(self):
        return self.filter(status__in=["new", "triaged", "investigating"])

    def with_list_related(self):
        return self.select_related("typology", "region", "reporting_agency", "ring", "assigned_to")
