"""Who sees and changes which publicity rows: ``Model.objects.restrict(user, action)``.

- Outreach: a community (or any member) sees and edits its own; the police see what was done
  in their area; the publicity department and the leadership office see everything.
- Campaigns are shared plans: every member sees them; the owning agency and the publicity
  department change them.
- Content: approved items are visible to all; drafts to their author agency and the department.
- Bulletins: the issuing centre sees its drafts; a published bulletin is visible to the agencies
  it was delivered to (a receipt row) and to the office and the department.
"""

from django.db.models import Exists, OuterRef, Q

from agencies.choices import POLICE_KINDS, AgencyKind
from core.querysets import RestrictedQuerySet
from core.visibility import Clause, RuleQuerySet, Viewer

from .choices import BulletinStatus, ContentStatus

SEE_ALL_KINDS = frozenset({AgencyKind.PUBLICITY_DEPARTMENT, AgencyKind.LEADERSHIP_OFFICE})


class OutreachQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        agency = user.agency
        if action != "view":
            return self.filter(agency_id=agency.pk)
        if agency.kind in SEE_ALL_KINDS:
            return self
        if agency.kind in POLICE_KINDS:
            return self.filter(Q(agency_id=agency.pk) | Q(region__path__startswith=agency.region.path))
        return self.filter(agency_id=agency.pk)

    def with_list_related(self):
        return self.select_related("region", "agency", "campaign", "created_by")


class CampaignQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        if action == "view":
            return self
        if user.agency.kind == AgencyKind.PUBLICITY_DEPARTMENT:
            return self
        return self.filter(owner_agency_id=user.agency_id)


class ContentItemQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        if user.agency.kind == AgencyKind.PUBLICITY_DEPARTMENT:
            return self
        if action == "view":
            return self.filter(Q(status=ContentStatus.APPROVED) | Q(agency_id=user.agency_id))
        return self.filter(agency_id=user.agency_id).exclude(status=ContentStatus.APPROVED)

    def usable(self):
        return self.filter(status=ContentStatus.APPROVED)


class BulletinQuerySet(RuleQuerySet):
    @staticmethod
    def rule(action: str) -> list[Clause]:
        """Bulletins, once for ``restrict`` and ``audience`` (core.visibility)."""

        def own(viewer: Viewer) -> Q:
            return Q(agency_id=viewer.pk)

        if action != "view":
            return [Clause(frozenset({AgencyKind.ANTI_FRAUD_CENTRE}), own)]

        def delivered(viewer: Viewer) -> Q:
            from .models import BulletinReceipt

            receipts = BulletinReceipt.objects.filter(bulletin_id=OuterRef("pk"), agency_id=viewer.inner.pk)
            return Q(status=BulletinStatus.PUBLISHED) & Q(Exists(receipts))

        return [
            Clause(None, lambda viewer: own(viewer) | delivered(viewer)),
            Clause(SEE_ALL_KINDS, lambda viewer: Q(status=BulletinStatus.PUBLISHED)),
        ]


class ReceiptQuerySet(RuleQuerySet):
    @staticmethod
    def rule(action: str) -> list[Clause]:
        """A receipt (who opened a bulletin when): its agency, the issuing centre, the office."""
        if action != "view":
            return [Clause(None, lambda viewer: Q(agency_id=viewer.pk))]
        return [
            Clause(frozenset({AgencyKind.LEADERSHIP_OFFICE}), None),
            Clause(None, lambda viewer: Q(agency_id=viewer.pk) | Q(bulletin__agency_id=viewer.pk)),
        ]


class CriteriaQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        if action == "view" or user.agency.kind == AgencyKind.LEADERSHIP_OFFICE:
            return self
        return self.none()


class TitleQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        # The titles are a public honour roll; the office decides, the community applies.
        if action == "view" or user.agency.kind == AgencyKind.LEADERSHIP_OFFICE:
            return self
        return self.filter(agency_id=user.agency_id)
