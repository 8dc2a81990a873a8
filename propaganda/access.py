"""Which kinds of agency may do what in publicity: named shortcuts to the one policy
(core.policy), for menus and buttons (rows are scoped in querysets.py)."""

from agencies.choices import AgencyKind
from core.policy import allowed

PLANNER_KINDS = frozenset({AgencyKind.PUBLICITY_DEPARTMENT, AgencyKind.ANTI_FRAUD_CENTRE})
# The menu entry's audience (core.navigation): they get the publicity home page.
HOME_KINDS = PLANNER_KINDS | {AgencyKind.COMMUNITY, AgencyKind.LEADERSHIP_OFFICE}


def can_plan_campaigns(user) -> bool:
    return allowed(user, "campaign.create")


def can_review_content(user) -> bool:
    return allowed(user, "content.review")


def can_issue_bulletins(user) -> bool:
    return allowed(user, "bulletin.draft")


def can_log_outreach(user) -> bool:
    return allowed(user, "outreach.create")


def is_office(user) -> bool:
    return allowed(user, "title.decide")


def can_apply_title(user) -> bool:
    return allowed(user, "title.apply")


def sees_targeting(user) -> bool:
    return allowed(user, "targeting.view")
