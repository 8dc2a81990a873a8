"""Who sees which request: one rule, used by every page, API view and socket."""

from django.db.models import Q

from agencies.choices import POLICE_KINDS, AgencyKind
from core.visibility import Clause, RuleQuerySet, Viewer

LEADERSHIP = frozenset({AgencyKind.LEADERSHIP_OFFICE})


class RequestQuerySet(RuleQuerySet):
    @staticmethod
    def rule(action: str) -> list[Clause]:
        """The request rule, once: ``restrict`` and ``audience`` (who receives the request's
        events) both read it (core.visibility). Which view each one gets is alerts.payloads'."""

        def received(viewer: Viewer) -> Q:
            return Q(target_agency_id=viewer.pk) | Q(secondary_agency_id=viewer.pk)

        if action == "act":
            # Only the receiving side actions a request (acknowledge, complete, reject).
            return [Clause(None, received)]
        return [
            Clause(LEADERSHIP, None),
            Clause(None, lambda viewer: received(viewer) | Q(issuing_agency_id=viewer.pk)),
            # The police above the issuing police (the centre of its city/county) see what police
            # of their region issued: column filters on the region path.
            Clause(POLICE_KINDS, lambda viewer: Q(issuing_agency__kind__in=sorted(POLICE_KINDS))
                   & viewer.under("issuing_agency__region__path")),
        ]

    def issued_by_agency(self, agency_id: int):
        return self.filter(issuing_agency_id=agency_id)

    def received_by_agency(self, agency_id: int):
        return self.filter(Q(target_agency_id=agency_id) | Q(secondary_agency_id=agency_id))


class SignalQuerySet(RuleQuerySet):
    @staticmethod
    def rule(action: str) -> list[Clause]:
        """Signals: the office sees all, a centre those of its region (and those with none); the
        source sees what it sent, the station/community tasked see through the task."""
        centre = frozenset({AgencyKind.ANTI_FRAUD_CENTRE})
        return [
            Clause(LEADERSHIP, None),
            Clause(centre, lambda viewer: Q(region__isnull=True) | viewer.under("region__path")),
            Clause(frozenset(AgencyKind.values) - LEADERSHIP - centre,
                   lambda viewer: Q(source_agency_id=viewer.pk) | Q(task__target_agency_id=viewer.pk)
                   | Q(task__secondary_agency_id=viewer.pk)),
        ]
