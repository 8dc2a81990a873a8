"""Who may see which case: ``Case.objects.restrict(user, action)``.

Column filters only (region path prefix, reporting agency, an EXISTS on guardian's direct-FK
share table), so a list of a million cases is never checked row by row.
"""

from django.db.models import Exists, OuterRef, Q

from agencies.choices import POLICE_KINDS, AgencyKind
from core.visibility import Clause, RuleQuerySet, Viewer

SHARE_CODENAME = "view_shared_case"
NOTHING, EVERYTHING = "nothing", "everything"  # scope keys of the users restrict() answers alone


def _shared_with(viewer: Viewer) -> Q:
    """Cases shared with the viewer's agency group (``viewer`` as seen inside the EXISTS)."""
    from .models import CaseGroupObjectPermission

    if viewer.group_id is None:
        return Q(pk__in=[])
    shares = CaseGroupObjectPermission.objects.filter(
        group_id=viewer.group_id, permission__codename=SHARE_CODENAME, content_object_id=OuterRef("pk"))
    return Q(Exists(shares))


class CaseQuerySet(RuleQuerySet):
    @staticmethod
    def rule(action: str) -> list[Clause]:
        """The case rule, once: ``restrict`` (the rows) and ``audience`` (who receives a case's
        events) are both read from it (core.visibility)."""
        police = Clause(POLICE_KINDS, lambda viewer: Q(reporting_agency_id=viewer.pk) | viewer.under("region__path"))
        if action != "view":
            return [police]
        return [
            Clause(frozenset({AgencyKind.LEADERSHIP_OFFICE}), None),
            police,
            # Explicit shares (guardian's direct-FK table), to the police and the judiciary.
            Clause(POLICE_KINDS | {AgencyKind.PROCURATORATE, AgencyKind.COURT},
                   lambda viewer: _shared_with(viewer.inner)),
        ]

    def scope_key(self, user, action: str = "view") -> tuple:
        """Everything ``restrict(user, action)`` reads from the user, as a hashable value.

        Two users with equal keys see the same cases: ``restrict`` comes to ``restrict_to`` of
        this key, and ``restrict_to`` reads nothing else. So SQL compiled for one key may be reused
        for every user with it (``cases.selectors`` does, for the lookup).
        """
        # The same guards as RestrictedQuerySet.restrict.
        if user is None or not user.is_authenticated or not user.is_active:
            return (NOTHING,)
        if user.is_superuser:
            return (EVERYTHING,)
        if getattr(user, "agency_id", None) is None:
            return (NOTHING,)
        agency = user.agency
        region_path = agency.region.path if agency.region_id else None
        return (agency.kind, agency.pk, region_path, agency.group_id, action)

    def scope_q(self, user, action: str = "view") -> Q | None:
        """The visibility rule as one Q (None = everything)."""
        return self.scope_q_for(self.scope_key(user, action))

    def scope_q_for(self, key: tuple) -> Q | None:
        if key[0] == EVERYTHING:
            return None
        if key[0] == NOTHING:
            return Q(pk__in=[])
        kind, agency_id, region_path, group_id, action = key
        return self.rule_q(Viewer.from_values(agency_id, region_path, group_id), kind, action)

    def restrict_to(self, key: tuple):
        """The cases of a ``scope_key``."""
        if key[0] == NOTHING:
            return self.none()
        q = self.scope_q_for(key)
        return self if q is None else self.filter(q)

    def _restrict(self, user, action: str):
        return self.restrict_to(self.scope_key(user, action))

    def open(self):
        return self.filter(status__in=["new", "triaged", "investigating"])

    def with_list_related(self):
        return self.select_related("typology", "region", "reporting_agency", "ring", "assigned_to")
