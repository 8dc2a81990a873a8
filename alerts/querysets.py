"""Who sees which request: one rule, used by every page, API view and socket."""

from django.db.models import Q

from agencies.choices import POLICE_KINDS, AgencyKind
from core.querysets import RestrictedQuerySet


class RequestQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        agency = user.agency
        received = Q(target_agency_id=agency.pk) | Q(secondary_agency_id=agency.pk)
        if action == "act":
            # Only the receiving side actions a request (acknowledge, complete, reject).
            return self.filter(received)
        if agency.kind == AgencyKind.LEADERSHIP_OFFICE:
            return self
        if agency.kind in POLICE_KINDS:
            # The issuing agency and the police above it (the centre of its city/county) see
            # what police of their region issued: column filters on the region path.
            chain = Q(issuing_agency_id=agency.pk) | Q(
                issuing_agency__kind__in=list(POLICE_KINDS),
                issuing_agency__region__path__startswith=agency.region.path,
            )
            return self.filter(chain | received)
        return self.filter(received | Q(issuing_agency_id=agency.pk))

    def issued_by_agency(self, agency_id: int):
        return self.filter(issuing_agency_id=agency_id)

    def received_by_agency(self, agency_id: int):
        return self.filter(Q(target_agency_id=agency_id) | Q(secondary_agency_id=agency_id))


class SignalQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        agency = user.agency
        if agency.kind == AgencyKind.LEADERSHIP_OFFICE or agency.kind == AgencyKind.ANTI_FRAUD_CENTRE:
            if agency.kind == AgencyKind.LEADERSHIP_OFFICE:
                return self
            return self.filter(Q(region__isnull=True) | Q(region__path__startswith=agency.region.path))
        # The source sees what it sent; the station/community tasked see through the task.
        return self.filter(
            Q(source_agency_id=agency.pk) | Q(task__target_agency_id=agency.pk) | Q(task__secondary_agency_id=agency.pk)
        )
