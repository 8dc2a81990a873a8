"""The weekly case bulletin's draft, built only from structured fields.

A case's narrative, its victims' names, ID numbers, phones and occupations, its indicators and
its exact place never enter the text: a typical case is rewritten from its typology, an amount
band, an age band, the victim's group, the payment channel and the county. ``pii_problems``
checks any edited text before it is saved or published.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Sum

from agencies.choices import RegionLevel
from agencies.models import Region
from cases.choices import Gender
from cases.models import Case, Victim

from .choices import TargetGroup
from .constants import (
    ADVICE,
    AGE_BANDS,
    AMOUNT_BANDS,
    BULLETIN_HOT_SPOTS,
    BULLETIN_TOP_TYPOLOGIES,
    BULLETIN_TYPICAL_CASES,
    GENERAL_ADVICE,
)
from .selectors import ancestor_code, day_start, per_10k, victim_group

# Numbers are looked for after the text is folded (full-width digits and letters to ASCII) and
# the separators people put inside a number are dropped: "138 0013 8000", "138-0013-8000".
_NUMBER_SEPARATORS = re.compile(r"(?<=[\d*＊])[ \t\u3000\-‐‑–—_.·/]{1,2}(?=[\d*＊Xx])")
PHONE_RE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
# Masked or partly written: "138****8000", "1380013xxxx".
MASKED_PHONE_RE = re.compile(r"(?<![\d*])1[3-9]\d[\d*Xx×]{8}(?![\d*])")
ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")
MASKED_ID_RE = re.compile(r"(?<![0-9A-Za-z*])\d{6}[\d*]{8,11}[\dXx*](?![0-9A-Za-z*])")
BANK_CARD_RE = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
MASKED_CARD_RE = re.compile(r"(?<![\d*])\d{4,6}\*{4,}\d{3,4}(?![\d*])")
# A fragment of a number: "身份证后四位0038", "尾号0038", "卡号末4位 0038", "手机号前三位138".
FRAGMENT_RE = re.compile(
    r"(尾号|尾数|末尾|(?:前|后|末|最后)(?:[一二三四五六七八九十两\d]{1,2})位)[^\d\n]{0,6}[\dXx]{3,}"
)
_FRAGMENT_KIND = (("id_number", ("身份证", "证件", "身份号")), ("card", ("卡", "账户", "账号")),
                  ("phone", ("手机", "电话", "号码", "尾号")))


@dataclass
class Draft:
    title: str
    body: str
    advice: str
    figures: dict


def week_bounds(day: date) -> tuple[date, date]:
    """Monday..Sunday of the week containing ``day``."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    for low, high, label in AGE_BANDS:
        if low <= age < high:
            return label
    return ""


def amount_band(amount: Decimal) -> str:
    for low, high, label in AMOUNT_BANDS:
        if amount >= low and (high is None or amount < high):
            return label
    return ""


def _week_cases(region: Region, start: date):
    return Case.objects.filter(
        region__path__startswith=region.path,
        reported_at__gte=day_start(start),
        reported_at__lt=day_start(start + timedelta(days=7)),
    )


def _change(now: int, before: int) -> str:
    if before == 0:
        return "新增" if now else "持平"
    pct = round((now - before) * 100 / before)
    if pct == 0:
        return "持平"
    return ("上升%d%%" % pct) if pct > 0 else ("下降%d%%" % -pct)


def typical_case_text(case: Case, county_names: dict[str, str]) -> str:
    victim = next(iter(case.victims.all()), None)
    who = "一名群众"
    if victim is not None:
        gender = {Gender.MALE: "男性", Gender.FEMALE: "女性"}.get(victim.gender, "群众")
        band = age_band(victim.age)
        group = victim_group(victim)
        group_text = "" if group == TargetGroup.GENERAL else "（%s）" % TargetGroup(group).label
        who = "一名%s%s%s" % (band, gender, group_text)
    where = county_names.get(ancestor_code(case.region.path, RegionLevel.COUNTY) or "", "辖区")
    return "%s%s遭遇“%s”类诈骗，通过%s转账，损失%s。" % (
        where, who, case.typology.name, case.get_payment_channel_display(), amount_band(case.loss_amount)
    )


def build_draft(*, region: Region, week_start: date) -> Draft:
    """The draft for the week starting ``week_start`` over the cases reported in ``region``."""
    week_start, week_end = week_bounds(week_start)
    cases = _week_cases(region, week_start)
    previous = _week_cases(region, week_start - timedelta(days=7))
    totals = cases.aggregate(n=Count("id"), loss=Sum("loss_amount"))
    total, loss = totals["n"], totals["loss"] or Decimal("0")
    prev_total = previous.count()

    now_by_type = {r["typology_id"]: r for r in cases.values("typology_id", "typology__code", "typology__name")
                   .annotate(n=Count("id")).order_by("-n", "typology__name")}
    prev_by_type = dict(previous.values("typology_id").annotate(n=Count("id")).values_list("typology_id", "n"))
    leading = list(now_by_type.values())[:BULLETIN_TOP_TYPOLOGIES]
    typologies = [
        {"code": r["typology__code"], "name": r["typology__name"], "count": r["n"],
         "previous": prev_by_type.get(r["typology_id"], 0), "change": _change(r["n"], prev_by_type.get(r["typology_id"], 0))}
        for r in leading
    ]

    # Hot spots: towns/streets with most cases this week (their rate per 10,000 beside them).
    town_counts: Counter = Counter()
    for path, n in cases.filter(region__level__gte=RegionLevel.TOWN).values_list("region__path").annotate(n=Count("id")):
        codes = [c for c in path.split("/") if c]
        town_counts[codes[RegionLevel.TOWN - 1]] += n
    towns = {r.code: r for r in Region.objects.filter(code__in=list(town_counts))}
    hot_spots = [
        {"name": towns[code].name, "count": n, "rate_per_10k": per_10k(n, towns[code].population)}
        for code, n in town_counts.most_common(BULLETIN_HOT_SPOTS) if code in towns
    ]

    # Typical cases: the largest losses of the leading typologies, one per typology first.
    county_names = dict(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", "name"))
    picks = list(cases.filter(typology_id__in=[r["typology_id"] for r in leading])
                 .select_related("typology", "region")
                 .prefetch_related(Prefetch("victims", queryset=Victim.objects.order_by("id")))
                 .order_by("-loss_amount", "id")[:50])
    seen, first, rest = set(), [], []
    for case in picks:
        (rest if case.typology_id in seen else first).append(case)
        seen.add(case.typology_id)
    typical = [typical_case_text(c, county_names) for c in (first + rest)[:BULLETIN_TYPICAL_CASES]]

    period = "%s至%s" % (week_start.strftime("%m月%d日"), week_end.strftime("%m月%d日"))
    lines = [
        "%s，%s共接报电信网络诈骗案件%d起，较上周（%d起）%s，涉案金额%s万元。"
        % (period, region.name, total, prev_total, _change(total, prev_total), (loss / 10000).quantize(Decimal("0.1"))),
        "",
        "一、高发类型",
    ]
    lines += ["%d. %s %d起（上周%d起，%s）" % (i, t["name"], t["count"], t["previous"], t["change"])
              for i, t in enumerate(typologies, 1)] or ["本周无发案。"]
    lines += ["", "二、典型案例"]
    lines += ["%d. %s" % (i, text) for i, text in enumerate(typical, 1)] or ["无。"]
    lines += ["", "三、发案较多区域"]
    lines += ["%s %d起（每万人%s起）" % (h["name"], h["count"], h["rate_per_10k"]) for h in hot_spots] or ["无。"]
    advice = [ADVICE[t["code"]] for t in typologies[:3] if t["code"] in ADVICE] + [GENERAL_ADVICE]
    return Draft(
        title="%s电信网络诈骗警情通报（%s）" % (region.name, period),
        body="\n".join(lines),
        advice="\n".join(advice),
        figures={
            "week_start": week_start.isoformat(), "week_end": week_end.isoformat(), "total": total,
            "previous_total": prev_total, "loss": str(loss), "typologies": typologies, "hot_spots": hot_spots,
            "typical_cases": typical,
        },
    )


def pii_problems(text: str, *, names: list[str]) -> list[str]:
    """What in ``text`` looks like personal data: phone numbers, ID or card numbers (however
    spaced, hyphenated, masked or partly written), victim names."""
    folded = unicodedata.normalize("NFKC", text)
    joined = _NUMBER_SEPARATORS.sub("", folded)
    found = set()
    if PHONE_RE.search(joined) or MASKED_PHONE_RE.search(joined):
        found.add("phone")
    if ID_RE.search(joined) or MASKED_ID_RE.search(joined):
        found.add("id_number")
    if BANK_CARD_RE.search(joined) or MASKED_CARD_RE.search(joined):
        found.add("card")
    for match in FRAGMENT_RE.finditer(joined):
        context = joined[max(0, match.start() - 8):match.end() + 6]
        found.add(next((kind for kind, words in _FRAGMENT_KIND if any(w in context for w in words)), "id_number"))
    compact = re.sub(r"\s+", "", folded)
    if any(len(n) >= 2 and re.sub(r"\s+", "", n) in compact for n in names):
        found.add("name")
    return [kind for kind in ("phone", "id_number", "card", "name") if kind in found]


def week_victim_names(*, region: Region, week_start: date) -> list[str]:
    """Victim names of the bulletin's week (and the week before), to refuse them in edits."""
    start, _end = week_bounds(week_start)
    return list(
        Victim.objects.filter(
            case__region__path__startswith=region.path,
            case__reported_at__gte=day_start(start - timedelta(days=7)),
            case__reported_at__lt=day_start(start + timedelta(days=7)),
        ).values_list("name", flat=True).distinct()
    )
