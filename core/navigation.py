"""Who sees which menu entry, and where each user lands after logging in.

One table, read by the menu and by the landing redirect, so the two never disagree. A user
lands on the first entry they may see.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.choices import POLICE_KINDS, RECEIVING_KINDS, AgencyKind, Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    kinds: frozenset | None = None  # None: every agency kind
    roles: frozenset | None = None  # None: every role

    def visible_to(self, user) -> bool:
        if user.is_superuser:
            return True
        kind_ok = self.kinds is None or user.agency_kind in self.kinds
        role_ok = self.roles is None or user.role in self.roles
        return kind_ok and role_ok


# The leadership office reads cases too (read-only: Case.objects.restrict gives it "view" only),
# so that every dashboard figure can open the case list behind it.
CASE_READERS = POLICE_KINDS | {AgencyKind.PROCURATORATE, AgencyKind.COURT, AgencyKind.LEADERSHIP_OFFICE}

NAV_ITEMS = [
    NavItem("dashboards:home", _("领导驾驶舱"), kinds=frozenset({AgencyKind.LEADERSHIP_OFFICE})),
    NavItem(
        "alerts:tasks",
        _("今日任务"),
        kinds=frozenset({AgencyKind.COMMUNITY, AgencyKind.POLICE_STATION}),
        roles=frozenset({Role.GRID_WORKER}),
    ),
    NavItem("cases:queue", pgettext_lazy("navigation", "案件研判"), kinds=frozenset(CASE_READERS)),
    NavItem("alerts:inbox", _("收件箱"), kinds=frozenset(RECEIVING_KINDS)),
    # Dissuasion tasks go to the resident's station and community alike (issue 4).
    NavItem("alerts:tasks", _("劝阻任务"), kinds=frozenset({AgencyKind.COMMUNITY, AgencyKind.POLICE_STATION})),
    NavItem("alerts:board", _("协查请求"), kinds=frozenset(POLICE_KINDS | {AgencyKind.LEADERSHIP_OFFICE})),
    NavItem("alerts:deadlines", pgettext_lazy("navigation", "办理时限"), kinds=frozenset({AgencyKind.LEADERSHIP_OFFICE})),
    NavItem(
        "propaganda:home",
        _("反诈宣传"),
        kinds=frozenset(
            {
                AgencyKind.PUBLICITY_DEPARTMENT,
                AgencyKind.COMMUNITY,
                AgencyKind.ANTI_FRAUD_CENTRE,
                AgencyKind.LEADERSHIP_OFFICE,
            }
        ),
    ),
    NavItem(
        "dashboards:home",
        _("统计分析"),
        kinds=frozenset(
            {AgencyKind.ANTI_FRAUD_CENTRE, AgencyKind.POLICE_STATION, AgencyKind.COMMUNITY, AgencyKind.PUBLICITY_DEPARTMENT}
        ),
    ),
    NavItem("dashboards:league", _("考核排名")),  # every member: the regular public ranking
    NavItem("agencies:directory", _("成员单位")),
    NavItem("core:audit", _("审计日志"), roles=frozenset({Role.AGENCY_ADMIN})),
    NavItem("core:audit", _("审计日志"), kinds=frozenset({AgencyKind.LEADERSHIP_OFFICE})),
    NavItem("agencies:console", pgettext_lazy("navigation", "单位管理"), roles=frozenset({Role.AGENCY_ADMIN})),
    NavItem("cases:my_tasks", pgettext_lazy("navigation", "我的任务"), kinds=frozenset(CASE_READERS)),
]


def menu_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    seen, items = set(), []
    for item in NAV_ITEMS:
        if item.url_name not in seen and item.visible_to(user):
            seen.add(item.url_name)
            items.append(item)
    return items


def landing_url(user) -> str:
    items = menu_for(user)
    return reverse(items[0].url_name) if items else reverse("agencies:directory")
