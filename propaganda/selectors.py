"""Reads that aim publicity and judge it: victim groups, the targeting tables, a campaign's
difference-in-differences, and each community's fraud-free status."""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, Exists, F, Max, OuterRef, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies.choices import RegionLevel
from agencies.models import Region
from cases.models import Case, Victim

from .choices import TargetGroup
from .constants import ELDERLY_AGE, FINANCE_WORDS, JOB_SEEKER_WORDS, PER, RURAL_WORDS, STUDENT_WORDS
from .models import Campaign, FraudFreeCriteria, FraudFreeTitle, Outreach

# --- victim groups ----------------------------------------------------------------------------


def _any_word(prefix: str, words) -> Q:
    q = Q()
    for w in words:
        q |= Q(**{f"{prefix}occupation__contains": w})
    return q


def victim_group_expr(prefix: str = ""):
    """The target group of a victim as an SQL expression (first matching rule wins)."""
    return SqlCase(
        When(Q(**{f"{prefix}age__gte": ELDERLY_AGE}), then=Value(TargetGroup.ELDERLY.value)),
        When(_any_word(prefix, STUDENT_WORDS), then=Value(TargetGroup.STUDENTS.value)),
        When(_any_word(prefix, FINANCE_WORDS), then=Value(TargetGroup.FINANCE_STAFF.value)),
        When(_any_word(prefix, RURAL_WORDS), then=Value(TargetGroup.RURAL_LEFT_BEHIND.value)),
        When(_any_word(prefix, JOB_SEEKER_WORDS) & Q(**{f"{prefix}age__lt": 36}),
             then=Value(TargetGroup.YOUTH_JOB_SEEKERS.value)),
        default=Value(TargetGroup.GENERAL.value),
        output_field=CharField(),
    )


def victim_group(victim: Victim) -> str:
    """The same rule in Python, for one victim already in memory."""
    occ = victim.occupation or ""
    if victim.age is not None and victim.age >= ELDERLY_AGE:
        return TargetGroup.ELDERLY
    if any(w in occ for w in STUDENT_WORDS):
        return TargetGroup.STUDENTS
    if any(w in occ for w in FINANCE_WORDS):
        return TargetGroup.FINANCE_STAFF
    if any(w in occ for w in RURAL_WORDS):
        return TargetGroup.RURAL_LEFT_BEHIND
    if any(w in occ for w in JOB_SEEKER_WORDS) and victim.age is not None and victim.age < 36:
        return TargetGroup.YOUTH_JOB_SEEKERS
    return TargetGroup.GENERAL


# --- helpers ----------------------------------------------------------------------------------


def day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def per_10k(count: float, population: int) -> float | None:
    return round(count * PER / population, 2) if population else None


def ancestor_code(path: str, level: int) -> str | None:
    codes = [c for c in path.split("/") if c]
    return codes[level - 1] if len(codes) >= level else None


def _paths_q(paths, lookup: str = "region__path") -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{lookup}__startswith": p})
    return q


# --- targeting --------------------------------------------------------------------------------


@dataclass
class RegionRow:
    region: Region
    cases: int = 0
    reached: int = 0
    case_rate: float | None = None
    coverage: float | None = None
    under_covered: bool = False


def region_ranking(*, since: date, until: date, level: int = RegionLevel.TOWN, within: Region | None = None) -> list[RegionRow]:
    """Regions of one level ranked by case rate, beside outreach coverage (both per 10,000).

    A region whose case rate is at or above the median while its coverage is at or below the
    median is flagged ``under_covered``: that is where the next campaign should go.
    """
    regions = Region.objects.filter(level=level)
    if within is not None:
        regions = regions.filter(path__startswith=within.path)
    rows = {r.code: RegionRow(region=r) for r in regions}
    cases = (
        Case.objects.filter(reported_at__gte=day_start(since), reported_at__lt=day_start(until + timedelta(days=1)),
                            region__level__gte=level)
        .values("region__path").annotate(n=Count("id"))
    )
    for item in cases:
        row = rows.get(ancestor_code(item["region__path"], level))
        if row:
            row.cases += item["n"]
    reach = (
        Outreach.objects.filter(date__gte=since, date__lte=until, region__level__gte=level)
        .values("region__path").annotate(n=Sum("people_reached"))
    )
    for item in reach:
        row = rows.get(ancestor_code(item["region__path"], level))
        if row:
            row.reached += item["n"] or 0
    result = list(rows.values())
    for row in result:
        row.case_rate = per_10k(row.cases, row.region.population)
        row.coverage = per_10k(row.reached, row.region.population)
    # Medians: of the case rate among regions that had cases, of coverage among all regions.
    rates = sorted(r.case_rate for r in result if r.cases and r.case_rate is not None)
    covers = sorted(r.coverage for r in result if r.coverage is not None)
    if rates and covers:
        mid_rate, mid_cover = rates[len(rates) // 2], covers[len(covers) // 2]
        for row in result:
            row.under_covered = bool(row.cases) and row.case_rate >= mid_rate and row.coverage <= mid_cover
    result.sort(key=lambda r: (-(r.case_rate or 0), r.coverage or 0, r.region.code))
    return result


@dataclass
class CrossTable:
    groups: list[tuple[str, str]]
    rows: list[dict] = field(default_factory=list)  # {"typology": name, "cells": [n per group], "total": n}
    total: int = 0


def typology_group_table(*, since: date, until: date, within: Region | None = None) -> CrossTable:
    """Victims counted by typology x target group (e.g. elderly victims of police impersonation)."""
    victims = Victim.objects.filter(
        case__reported_at__gte=day_start(since), case__reported_at__lt=day_start(until + timedelta(days=1))
    )
    if within is not None:
        victims = victims.filter(case__region__path__startswith=within.path)
    counts = (
        victims.annotate(group=victim_group_expr())
        .values("case__typology__name", "case__typology__name_en", "group").annotate(n=Count("id")).order_by()
    )
    groups = list(TargetGroup.choices)
    index = {g: i for i, (g, _label) in enumerate(groups)}
    by_typology: dict[str, list[int]] = defaultdict(lambda: [0] * len(groups))
    english = (get_language() or "").startswith("en")
    for item in counts:
        name = (item["case__typology__name_en"] if english and item["case__typology__name_en"]
                else item["case__typology__name"])  # the reader's language (issue 21 §7)
        by_typology[name][index[item["group"]]] += item["n"]
    table = CrossTable(groups=groups)
    for name, cells in sorted(by_typology.items(), key=lambda kv: -sum(kv[1])):
        table.rows.append({"typology": name, "cells": cells, "total": sum(cells)})
        table.total += sum(cells)
    return table


# --- campaign effect: difference in differences -------------------------------------------------

DID_CAVEAT = _(
    "简单双重差分仅作参考：对照区域按同级、未开展本活动宣传挑选，并非随机分组；"
    "发案数少时波动大；同期的打击、预警劝阻和季节因素都会影响发案率，差值不能直接视为宣传效果。"
)


@dataclass
class Arm:
    population: int
    before_cases: int
    after_cases: int
    before_rate: float | None
    after_rate: float | None

    @property
    def change(self) -> float | None:
        if self.before_rate is None or self.after_rate is None:
            return None
        return self.after_rate - self.before_rate


@dataclass
class Effect:
    before: tuple[date, date]  # inclusive days
    after: tuple[date, date]
    treated: Arm
    control: Arm
    control_regions: list[Region]
    groups_only: bool
    did: float | None
    caveat: str = DID_CAVEAT


def _rate30(cases: int, population: int, days: int) -> float | None:
    """Cases per 10,000 residents per 30 days (so windows of different length compare)."""
    if not population or days <= 0:
        return None
    return cases * PER * 30 / (population * days)


def _top_level(regions: list[Region]) -> list[Region]:
    """Drop regions that sit inside another region of the list (their people are counted once)."""
    return [r for r in regions if not any(o is not r and r.path.startswith(o.path) for o in regions)]


def campaign_effect(*, campaign: Campaign, today: date | None = None, groups_only: bool = False) -> Effect | None:
    """Case rate in the target regions before vs since the campaign start, against comparable
    regions the campaign did not reach (same level, none of its outreach). None before it starts.

    The "before" window is the campaign's own length ending the day before it starts; the
    "after" window is its period, cut at yesterday if it is still running.
    """
    today = today or timezone.localdate()
    length = (campaign.ends_on - campaign.starts_on).days + 1
    after_end = min(campaign.ends_on, today - timedelta(days=1))
    if after_end < campaign.starts_on:
        return None
    before = (campaign.starts_on - timedelta(days=length), campaign.starts_on - timedelta(days=1))
    after = (campaign.starts_on, after_end)
    targets = _top_level(list(campaign.target_regions.all()))
    if not targets:
        return None
    levels = {t.level for t in targets}
    reached_paths = set(
        Outreach.objects.filter(campaign=campaign).values_list("region__path", flat=True)
    )
    controls = [
        r for r in Region.objects.filter(level__in=levels, population__gt=0)
        if not any(r.path.startswith(t.path) or t.path.startswith(r.path) for t in targets)
        and not any(p.startswith(r.path) for p in reached_paths)
    ]
    cases = Case.objects.all()
    if groups_only and campaign.target_groups:
        grouped = Victim.objects.filter(case_id=OuterRef("pk")).annotate(group=victim_group_expr()).filter(
            group__in=campaign.target_groups
        )
        cases = cases.filter(Exists(grouped))

    def window(bounds) -> Q:
        return Q(occurred_at__gte=day_start(bounds[0]), occurred_at__lt=day_start(bounds[1] + timedelta(days=1)))

    def arm(regions: list[Region]) -> Arm:
        counts = cases.filter(_paths_q([r.path for r in regions])).aggregate(
            b=Count("id", filter=window(before)), a=Count("id", filter=window(after))
        )
        pop = sum(r.population for r in regions)
        b_days = (before[1] - before[0]).days + 1
        a_days = (after[1] - after[0]).days + 1
        return Arm(pop, counts["b"], counts["a"], _rate30(counts["b"], pop, b_days), _rate30(counts["a"], pop, a_days))

    treated, control = arm(targets), arm(controls)
    did = None
    if treated.change is not None and control.change is not None:
        did = treated.change - control.change
    return Effect(before=before, after=after, treated=treated, control=control, control_regions=controls,
                  groups_only=groups_only, did=did)


# --- fraud-free communities ---------------------------------------------------------------------


def criteria_in_force() -> FraudFreeCriteria:
    """The office's newest criteria, or the defaults if it never set any (not saved)."""
    return FraudFreeCriteria.objects.order_by("-created_at", "-id").first() or FraudFreeCriteria()


def months_before(d: date, months: int) -> date:
    month_index = d.year * 12 + d.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass
class CommunityStatus:
    region: Region
    last_case_on: date | None
    coverage: float | None
    warnings: int
    dissuaded_in_time: int
    no_case_ok: bool
    coverage_ok: bool
    dissuasion_ok: bool
    title: FraudFreeTitle | None = None

    @property
    def meets(self) -> bool:
        return self.no_case_ok and self.coverage_ok and self.dissuasion_ok

    @property
    def dissuaded_share(self) -> float | None:
        return round(self.dissuaded_in_time * 100 / self.warnings, 1) if self.warnings else None


def community_statuses(*, criteria: FraudFreeCriteria | None = None, today: date | None = None,
                       regions=None) -> list[CommunityStatus]:
    """Each community's standing against the criteria, computed from cases, outreach and warnings.

    Coverage and warnings count the last 12 months; a community with no warning at all meets the
    dissuasion criterion (there was nothing to dissuade).
    """
    from alerts.choices import RequestKind, RequestStatus
    from alerts.models import Request

    criteria = criteria or criteria_in_force()
    today = today or timezone.localdate()
    year_ago = day_start(months_before(today, 12))
    clean_since = months_before(today, criteria.months_without_case)
    communities = list(regions if regions is not None else Region.objects.filter(level=RegionLevel.COMMUNITY))
    ids = [r.pk for r in communities]
    last_case = dict(
        Case.objects.filter(region_id__in=ids).values("region_id").annotate(last=Max("occurred_at"))
        .values_list("region_id", "last")
    )
    reached = dict(
        Outreach.objects.filter(region_id__in=ids, date__gte=year_ago.date()).values("region_id")
        .annotate(n=Sum("people_reached")).values_list("region_id", "n")
    )
    now = timezone.now()
    closed_or_due = Q(status__in=[RequestStatus.COMPLETED, RequestStatus.REJECTED, RequestStatus.FAILED]) | Q(
        complete_due_at__lt=now
    )
    in_time = Q(status=RequestStatus.COMPLETED, outcome="dissuaded") & (
        Q(complete_due_at__isnull=True) | Q(completed_at__lte=F("complete_due_at"))
    )
    warnings = {
        row["person_region_id"]: row
        for row in Request.objects.filter(kind=RequestKind.DISSUASION, person_region_id__in=ids,
                                          created_at__gte=year_ago)
        .filter(closed_or_due).values("person_region_id")
        .annotate(total=Count("id"), ok=Count("id", filter=in_time))
    }
    titles = {
        t.region_id: t for t in FraudFreeTitle.objects.filter(region_id__in=ids, status__in=["applied", "approved"])
    }
    result = []
    for region in communities:
        last = last_case.get(region.pk)
        last_on = timezone.localtime(last).date() if last else None
        coverage = per_10k(reached.get(region.pk) or 0, region.population)
        w = warnings.get(region.pk, {"total": 0, "ok": 0})
        share = w["ok"] * 100 / w["total"] if w["total"] else None
        result.append(CommunityStatus(
            region=region, last_case_on=last_on, coverage=coverage, warnings=w["total"], dissuaded_in_time=w["ok"],
            no_case_ok=last_on is None or last_on < clean_since,
            coverage_ok=coverage is not None and coverage >= criteria.coverage_per_10k,
            dissuasion_ok=share is None or share >= float(criteria.dissuaded_share),
            title=titles.get(region.pk),
        ))
    return result

