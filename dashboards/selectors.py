"""Reads for the dashboards, all from the rollup tables (never a scan of the cases).

Region totals: the rollups carry each row's region path, so a region's figure is a prefix
filter; figures per child region are summed in Python from one grouped query (a city has a few
thousand regions at most).

Population: a region's own ``population`` when it is recorded; a region recorded with 0 uses
the sum of the communities below it. (The W-city demo records official figures at every level,
and a town's official population is larger than the sum of the few communities modelled under
it, so summing would overstate every rate.)
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from agencies.choices import RegionLevel
from agencies.models import Region

from .choices import AgeGroup, Grain
from .cache import cached
from .constants import HOT_SPOT_COUNT, HOT_SPOT_LEVELS, MIN_BASE_CASES, MIN_BASE_LOSS, RATE_BASE, ZERO
from .hooks import publicity_reach
from .models import CUBE_FIELDS, CaseDaily, CaseMonthly, Rectification, RegionDaily
from .rollups import month_of, next_month


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def last_year(self) -> "Period":
        return Period(_minus_year(self.start), _minus_year(self.end))


def _minus_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def rate(cases: int, population: int) -> Decimal | None:
    if not population:
        return None
    return (Decimal(cases) * RATE_BASE / Decimal(population)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def change(now, before) -> Decimal | None:
    """Relative change in percent (None when there is nothing to compare with)."""
    if now is None or before in (None, 0, ZERO):
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def base_note(before, minimum) -> str | None:
    """Why a change is not shown: "empty" (nothing to compare with), "small" (below ``minimum``)."""
    if before in (None, 0, ZERO):
        return "empty"
    return "small" if Decimal(before) < minimum else None


def share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else None


# ---------------------------------------------------------------- regions and populations


def regions_under(root: Region) -> list[Region]:
    return list(Region.objects.within(root).only("pk", "code", "name", "level", "population", "path", "parent_id"))


def populations(regions: list[Region]) -> dict[str, int]:
    """path -> population (own figure, else the sum of the communities below)."""
    community_sum: dict[str, int] = defaultdict(int)
    for r in regions:
        if r.level == RegionLevel.COMMUNITY:
            for prefix in _prefixes(r.path):
                community_sum[prefix] += r.population
    return {r.path: r.population or community_sum.get(r.path, 0) for r in regions}


def region_population(region: Region) -> int:
    if region.population:
        return region.population
    return populations(regions_under(region)).get(region.path, 0)


def _prefixes(path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def _cases_by_path(root: Region, period: Period) -> dict[str, tuple[int, Decimal]]:
    """Every region path under ``root`` -> (cases, loss) of its whole subtree in the period."""
    totals: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for path, _typology, n, loss, *_rest in _cube(root, period):
        for prefix in _prefixes(path):
            if prefix.startswith(root.path):
                totals[prefix][0] += n
                totals[prefix][1] += loss or ZERO
    return {k: (v[0], v[1]) for k, v in totals.items()}


# ---------------------------------------------------------------- the period's cube


def split_by_month(period: "Period") -> tuple[list["Period"], "Period | None"]:
    """(the days outside whole months, the first and last whole month) of a period.

    1 Jan - 5 Dec is ([1 Dec - 5 Dec], Jan - Nov); 10 Mar - 20 Mar is ([10 - 20 Mar], None).
    """
    first = period.start if period.start.day == 1 else next_month(period.start)
    after = next_month(period.end) if next_month(period.end) - timedelta(days=1) == period.end else month_of(period.end)
    if first >= after:
        return [period], None
    edges = [Period(s, e) for s, e in ((period.start, first - timedelta(days=1)), (after, period.end)) if s <= e]
    return edges, Period(first, after - timedelta(days=1))


def _cube(region: Region, period: Period) -> list[tuple]:
    """The case rollup of the region's subtree and period summed per (region path, typology).

    One read serves the headline figures, the age groups, the typology mix, the children's
    rates and the hot spots; the result is small (regions x typologies) and cached until the
    next rollup refresh. Whole months come from ``CaseMonthly``, the days around them from
    ``CaseDaily``: a year is 12 monthly rows per key instead of 365 daily ones.
    Rows: (path, typology id, *CUBE_FIELDS).
    """

    def compute():
        sums = {"s_" + f: Sum(f) for f in CUBE_FIELDS}
        edges, months = split_by_month(period)
        parts = []
        if edges:
            days = Q()
            for edge in edges:
                days |= Q(day__gte=edge.start, day__lte=edge.end)
            parts.append(CaseDaily.objects.filter(days, region_path__startswith=region.path))
        if months:
            parts.append(CaseMonthly.objects.filter(month__gte=months.start, month__lte=months.end,
                                                    region_path__startswith=region.path))
        grouped = [qs.order_by().values("region_path", "typology_id").annotate(**sums)
                   .values_list("region_path", "typology_id", *sums) for qs in parts]
        totals: dict[tuple, list] = {}
        for path, typology, *values in grouped[0].union(*grouped[1:], all=True):  # one round trip
            row = totals.setdefault((path, typology), [0] * len(CUBE_FIELDS))
            for i, value in enumerate(values):
                row[i] += value or 0
        return [(path, typology, *values) for (path, typology), values in totals.items()]

    return cached("cube", region.pk, period.start, period.end, compute=compute)


def _cube_sums(rows: list[tuple]) -> dict[str, object]:
    out = {f: (ZERO if f == "loss" else 0) for f in CUBE_FIELDS}
    for row in rows:
        for i, f in enumerate(CUBE_FIELDS):
            out[f] += row[2 + i] or 0
    return out


# ---------------------------------------------------------------- summary


def _case_figures(region: Region, period: Period) -> dict:
    agg = _cube_sums(_cube(region, period))
    victims = sum(agg[k] for k in CUBE_FIELDS if k.startswith("victims_"))
    return {"cases": agg["cases"], "loss": agg["loss"], "solved": agg["solved"], "victims": victims}


REGION_FIELDS = ("requests_issued", "requests_completed", "requests_within", "requests_overdue", "stop_count",
                 "stopped", "freeze_count", "frozen", "returned", "signals", "dissuaded")


def _region_figures(region: Region, period: Period) -> dict:
    agg = RegionDaily.objects.filter(
        day__gte=period.start, day__lte=period.end, region_path__startswith=region.path
    ).aggregate(**{f: Sum(f) for f in REGION_FIELDS})
    money = {"stopped", "frozen", "returned"}
    return {f: (agg[f] or (ZERO if f in money else 0)) for f in REGION_FIELDS}


def summary(*, region: Region, start: date, end: date) -> dict:
    """The headline figures of a region and period, with the previous period and last year.

    Cached until the next rollup refresh (see dashboards.cache); publicity reach is read fresh.
    """
    result = cached("summary", region.pk, start, end, compute=lambda: _summary(region, start, end))
    result["figures"]["publicity_reach"] = publicity_reach(region=region, start=start, end=end)
    return result


def _summary(region: Region, start: date, end: date) -> dict:
    period = Period(start, end)
    population = region_population(region)
    now = _case_figures(region, period)
    now["rate"] = rate(now["cases"], population)
    figures = {**now, **_region_figures(region, period)}
    figures["within_share"] = share(figures["requests_within"], figures["requests_completed"])
    comparisons = {}
    for label, other in (("previous", period.previous()), ("last_year", period.last_year())):
        then = _case_figures(region, other)
        then["rate"] = rate(then["cases"], population)
        # A change over a tiny base (2 cases, a few hundred yuan) is noise: no figure, a note instead.
        # The loss of a handful of cases is as much noise as their count: "▲2447098943.2%" when a
        # year of losses is set against the 3 cases that fell in last year's window.
        notes = {"cases": base_note(then["cases"], MIN_BASE_CASES)}
        notes["loss"] = notes["cases"] or base_note(then["loss"], MIN_BASE_LOSS)
        notes["rate"] = notes["cases"] if then["rate"] is not None else "empty"
        comparisons[label] = {
            "from": other.start, "to": other.end,
            "cases": then["cases"], "loss": then["loss"], "rate": then["rate"],
            "cases_change": None if notes["cases"] else change(now["cases"], then["cases"]),
            "loss_change": None if notes["loss"] else change(now["loss"], then["loss"]),
            "rate_change": None if notes["rate"] else change(now["rate"], then["rate"]),
            "notes": notes,
        }
    return {
        "region": region, "from": start, "to": end, "population": population,
        "figures": figures, **comparisons,
    }


# ---------------------------------------------------------------- charts


TRUNC = {Grain.DAY: TruncDay, Grain.WEEK: TruncWeek, Grain.MONTH: TruncMonth}


def _bucket_start(day: date, grain: str) -> date:
    if grain == Grain.WEEK:
        return day - timedelta(days=day.weekday())
    if grain == Grain.MONTH:
        return day.replace(day=1)
    return day


def _buckets(period: Period, grain: str) -> list[date]:
    out, day = [], _bucket_start(period.start, grain)
    while day <= period.end:
        out.append(day)
        if grain == Grain.DAY:
            day += timedelta(days=1)
        elif grain == Grain.WEEK:
            day += timedelta(days=7)
        else:
            day = next_month(day)
    return out


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def timeseries(*, region: Region, start: date, end: date, grain: str = Grain.DAY) -> list[dict]:
    """Cases, loss, money stopped and frozen per day/week/month (empty buckets as zeros).

    One read of ``RegionDaily``, which carries each region's cases and loss of the day too.
    """
    period = Period(start, end)
    trunc = TRUNC[grain]
    buckets = {
        _as_date(b): values
        for b, *values in RegionDaily.objects.filter(day__gte=start, day__lte=end, region_path__startswith=region.path)
        .annotate(b=trunc("day")).order_by().values_list("b")
        .annotate(n=Sum("cases"), loss=Sum("loss"), s=Sum("stopped"), f=Sum("frozen")).values_list("b", "n", "loss", "s", "f")
    }
    rows = []
    for bucket in _buckets(period, grain):
        n, loss, stopped, frozen = buckets.get(bucket, (0, ZERO, ZERO, ZERO))
        rows.append({"period": bucket, "cases": n, "loss": loss or ZERO, "stopped": stopped or ZERO,
                     "frozen": frozen or ZERO})
    return rows


def typology_mix(*, region: Region, start: date, end: date) -> list[dict]:
    from cases.models import Typology

    by_typology: dict[int, list] = defaultdict(lambda: [0, ZERO])
    for _path, typology, n, loss, *_rest in _cube(region, Period(start, end)):
        by_typology[typology][0] += n
        by_typology[typology][1] += loss or ZERO
    rows = [(t, n, loss) for t, (n, loss) in by_typology.items()]
    names = {t.pk: t for t in Typology.objects.only("pk", "code", "name", "name_en")}  # a dozen rows, no join
    # A cube cached before a typology row went away (a test database flushed under a warm cache)
    # must not break the page: rows of unknown typologies are left out.
    out = [{"id": t, "code": names[t].code, "name": names[t].name, "name_en": names[t].name_en, "cases": n,
            "loss": loss or ZERO} for t, n, loss in rows if t in names]
    return sorted(out, key=lambda r: (-r["cases"], r["code"]))


def age_groups(*, region: Region, start: date, end: date) -> list[dict]:
    agg = _cube_sums(_cube(region, Period(start, end)))
    keys = {AgeGroup.UNDER_18: "victims_u18", AgeGroup.AGE_18_34: "victims_18_34", AgeGroup.AGE_35_59: "victims_35_59",
            AgeGroup.AGE_60_PLUS: "victims_60p", AgeGroup.UNKNOWN: "victims_unknown"}
    return [{"group": g.value, "label": str(g.label), "victims": agg[k]} for g, k in keys.items()]


def regions_ranked(*, region: Region, start: date, end: date) -> list[dict]:
    """The child regions of ``region`` by cases per 10,000 residents (highest first)."""
    regions = regions_under(region)
    pops = populations(regions)
    totals = _cases_by_path(region, Period(start, end))
    rows = []
    for child in (r for r in regions if r.parent_id == region.pk):
        n, loss = totals.get(child.path, (0, ZERO))
        rows.append({"region": child, "cases": n, "loss": loss, "population": pops.get(child.path, 0),
                     "rate": rate(n, pops.get(child.path, 0))})
    rows.sort(key=lambda r: (r["rate"] is None, -(r["rate"] or 0), -r["cases"], r["region"].code))
    return rows


def competition_rank(rows: list[dict], key: str) -> None:
    """Set ``rank`` 1, 2, 2, 4 ... by ``key`` (highest first; rows must be sorted so); None stays unranked."""
    previous = None
    for i, row in enumerate(r for r in rows if r[key] is not None):
        row["rank"] = previous["rank"] if previous is not None and previous[key] == row[key] else i + 1
        previous = row
    for row in rows:
        row.setdefault("rank", None)


def region_league(*, region: Region, start: date, end: date) -> list[dict]:
    """The child regions ranked on cases per 10,000 residents (highest first), with its change.

    Ties share a rank; a region without population has no rate and no rank. The change is
    against the previous period of the same length, "—" with a note over a tiny base.
    """
    rows = regions_ranked(region=region, start=start, end=end)
    before = _cases_by_path(region, Period(start, end).previous())
    for r in rows:
        n_before = before.get(r["region"].path, (0, ZERO))[0]
        r["previous_rate"] = rate(n_before, r["population"])
        r["note"] = base_note(n_before, MIN_BASE_CASES) if r["previous_rate"] is not None else "empty"
        r["rate_change"] = None if r["note"] else change(r["rate"], r["previous_rate"])
    competition_rank(rows, "rate")
    return rows


def hot_spots(*, region: Region, start: date, end: date, weeks: int = 8) -> list[dict]:
    """The towns/communities under ``region`` with the highest case rate, with their trend.

    ``trend`` is the rate change against the previous period of the same length; ``weekly`` the
    case counts of the last ``weeks`` weeks up to ``end`` (oldest first), for a sparkline.
    """
    period = Period(start, end)
    regions = [r for r in regions_under(region) if r.level in HOT_SPOT_LEVELS]
    pops = populations(regions_under(region))
    now, before = _cases_by_path(region, period), _cases_by_path(region, period.previous())
    rows = []
    for r in regions:
        n, loss = now.get(r.path, (0, ZERO))
        if not n:
            continue
        current = rate(n, pops.get(r.path, 0))
        previous = rate(before.get(r.path, (0, ZERO))[0], pops.get(r.path, 0))
        rows.append({"region": r, "cases": n, "loss": loss, "population": pops.get(r.path, 0), "rate": current,
                     "previous_rate": previous, "trend": change(current, previous)})
    rows.sort(key=lambda x: (x["rate"] is None, -(x["rate"] or 0), -x["cases"], x["region"].code))
    rows = rows[:HOT_SPOT_COUNT]
    if rows:
        listed = dict(Rectification.objects.filter(region__in=[x["region"] for x in rows], status="listed")
                      .values_list("region_id", "pk"))
        week_start = _bucket_start(end, Grain.WEEK) - timedelta(weeks=weeks - 1)
        series = weekly_cases([x["region"] for x in rows], week_start, end)
        for x in rows:
            x["rectification_id"] = listed.get(x["region"].pk)
            x["weekly"] = [series[x["region"].path].get(week_start + timedelta(weeks=i), 0) for i in range(weeks)]
    return rows


def weekly_cases(regions: list[Region], start: date, end: date) -> dict[str, dict[date, int]]:
    """path -> {week start: cases of the subtree} for a few regions (one query)."""
    q = Q()
    for r in regions:
        q |= Q(region_path__startswith=r.path)
    rows = (
        CaseDaily.objects.filter(q, day__gte=start, day__lte=end).annotate(w=TruncWeek("day")).order_by()
        .values_list("region_path", "w").annotate(n=Sum("cases"))
    )
    out: dict[str, dict[date, int]] = {r.path: defaultdict(int) for r in regions}
    for path, week, n in rows:
        for r in regions:
            if path.startswith(r.path):
                out[r.path][_as_date(week)] += n
    return out


def rectification_tracking(rect: Rectification, *, until: date) -> list[dict]:
    """Week by week since listing (to delisting or ``until``): cases, loss and rate of the area."""
    last = min(rect.delisted_on or until, until)
    first = _bucket_start(rect.listed_on, Grain.WEEK)
    rows = (
        RegionDaily.objects.filter(region_path__startswith=rect.region.path, day__gte=first, day__lte=last)
        .annotate(w=TruncWeek("day")).order_by().values_list("w").annotate(n=Sum("cases"), loss=Sum("loss"))
        .values_list("w", "n", "loss")
    )
    by_week = {_as_date(w): (n, loss) for w, n, loss in rows}
    population = region_population(rect.region)
    out = []
    for week in _buckets(Period(first, last), Grain.WEEK):
        n, loss = by_week.get(week, (0, ZERO))
        out.append({"week": week, "cases": n, "loss": loss or ZERO, "rate": rate(n, population)})
    return out


def rectifications(*, region: Region | None = None, include_delisted: bool = False):
    qs = Rectification.objects.select_related("region", "responsible_agency")
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    if not include_delisted:
        qs = qs.filter(status="listed")
    return qs


def child_count(region: Region) -> int:
    return Region.objects.filter(parent=region).aggregate(n=Count("pk"))["n"]


# ---------------------------------------------------------------- tile map


TILE_STEPS = (Decimal("0.5"), Decimal("1"), Decimal("1.5"), Decimal("2"))  # x the parent region's rate


def tile_map(ranked: list[dict], parent_rate: Decimal | None) -> tuple[list[dict], list[dict]]:
    """The child regions as tiles coloured by their rate against the parent's (a map-like grid).

    Band 0 is no case; 1..5 are under half, under, up to 1.5x, up to 2x, over twice the parent's
    rate; "none" a region without population. Returns (tiles in code order, legend bands).
    """
    scale = parent_rate or max((r["rate"] or ZERO for r in ranked), default=ZERO) or Decimal("1")
    step = Decimal("0.01") if scale >= 1 else Decimal("0.001")  # small rates keep a distinct cut each
    cuts = [(scale * s).quantize(step, ROUND_HALF_UP) for s in TILE_STEPS]
    tiles = []
    for r in sorted(ranked, key=lambda x: x["region"].code):
        value = r["rate"]
        if value is None:
            band = "none"
        elif not value:
            band = 0
        else:
            band = 1 + sum(1 for c in cuts if value >= c)
        tiles.append({"code": r["region"].code, "name": r["region"].name, "cases": r["cases"], "rate": value,
                      "band": band})
    legend = [{"band": 0, "label": "0"}, {"band": 1, "label": "< %s" % cuts[0]}]
    legend += [{"band": i + 2, "label": "%s–%s" % (cuts[i], cuts[i + 1])} for i in range(len(cuts) - 1)]
    legend.append({"band": len(cuts) + 1, "label": "≥ %s" % cuts[-1]})
    return tiles, legend
