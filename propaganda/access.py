"""Which kinds of agency may do what in publicity (rows are scoped in querysets.py)."""

from agencies.choices import AgencyKind, Role

PLANNER_KINDS = frozenset({AgencyKind.PUBLICITY_DEPARTMENT, AgencyKind.ANTI_FRAUD_CENTRE})
# The menu entry's audience (core.navigation): they get the publicity home page.
HOME_KINDS = PLANNER_KINDS | {AgencyKind.COMMUNITY, AgencyKind.LEADERSHIP_OFFICE}


def _kind(user) -> str | None:
    return getattr(user, "agency_kind", None) if user.is_authenticated else None


def _writer(user) -> bool:
    return user.is_authenticated and user.agency_id is not None and user.role != Role.VIEWER


def can_plan_campaigns(user) -> bool:
    return _writer(user) and _kind(user) in PLANNER_KINDS


def can_review_content(user) -> bool:
    return _writer(user) and _kind(user) == AgencyKind.PUBLICITY_DEPARTMENT


def can_issue_bulletins(user) -> bool:
    return _writer(user) and _kind(user) == AgencyKind.ANTI_FRAUD_CENTRE and user.role != Role.GRID_WORKER


def can_log_outreach(user) -> bool:
    return _writer(user)


def is_office(user) -> bool:
    return _writer(user) and _kind(user) == AgencyKind.LEADERSHIP_OFFICE


def can_apply_title(user) -> bool:
    return _writer(user) and _kind(user) == AgencyKind.COMMUNITY


def sees_targeting(user) -> bool:
    return user.is_authenticated and (user.is_superuser or _kind(user) in PLANNER_KINDS | {AgencyKind.LEADERSHIP_OFFICE})
