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
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agencies.choices import RegionLevel
from agencies.models import Region
from cases.choices import Gender, PaymentChannel
from cases.models import Case, Victim

from .choices import TargetGroup
from .constants import (
    ADVICE,
    AGE_BANDS,
    AMOUNT_BANDS,
    BULLETIN_HOT_SPOTS,
    BULLETIN_TOP_TYPOLOGIES,
    BULLETIN_TYPICAL_CASES,
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


# What the bands and the advice read as in the user's language (the constants hold the Chinese).
AGE_BAND_TEXT = {"未成年": _("未成年"), "青年": _("青年"), "中青年": _("中青年"), "中年": _("中年"), "老年": _("老年")}
AMOUNT_BAND_TEXT = {"万元以下": _("万元以下"), "1万至5万元": _("1万至5万元"), "5万至10万元": _("5万至10万元"),
                    "10万至50万元": _("10万至50万元"), "50万元以上": _("50万元以上")}
# How the money went, as a clause of its own: "通过银行转账付款", never "通过银行转账转账". A channel
# not known ("其他", blank) leaves the clause out rather than saying "通过其他转账".
PAID_TEXT = {
    PaymentChannel.BANK_TRANSFER: _("通过银行转账付款"),
    PaymentChannel.ALIPAY: _("通过支付宝付款"),
    PaymentChannel.WECHAT_PAY: _("通过微信支付付款"),
    PaymentChannel.CASH: _("以现金交付"),
    PaymentChannel.CRYPTO: _("以虚拟货币付款"),
}
ADVICE_TEXT = {
    "brushing": _("凡是刷单返利、做任务赚佣金的都是诈骗，先垫付后返利一律不信。"),
    "online-shopping": _("网购请走正规平台担保交易，不点陌生链接，不私下转账。"),
    "fake-loan": _("正规贷款放款前不收任何费用，要求先交保证金、解冻费的都是诈骗。"),
    "impersonate-police": _("公检法机关不会通过电话、网络办案，更没有“安全账户”，接到此类电话立即挂断并拨打 96110 核实。"),
    "refund": _("客服主动联系退款、理赔，要求下载会议软件或共享屏幕的一律是诈骗。"),
    "investment": _("网上“导师”“内幕消息”荐股荐币，高收益无风险的投资理财都是陷阱。"),
    "game-trading": _("游戏装备、账号交易请走官方平台，不到第三方网站付款。"),
    "romance": _("网上交友谈感情、却引导投资或借钱的，一律是诈骗。"),
    "impersonate-acquaintance": _("“领导”“熟人”通过社交软件要求转账，务必电话或当面核实。"),
    "flight-rebooking": _("航班退改签请通过航空公司官方渠道办理，不向所谓“客服”转账。"),
}
GENERAL_ADVICE_TEXT = _("牢记“三不一多”：未知链接不点击，陌生来电不轻信，个人信息不透露，转账汇款多核实。如遇可疑情况请拨打 96110。")


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
    """The change on last week as words: 上升200% / 下降50% / 持平 / 新增 (nothing last week)."""
    if before == 0:
        return str(_("新增")) if now else str(_("持平"))
    pct = round((now - before) * 100 / before)
    if pct == 0:
        return str(_("持平"))
    return (_("上升%(pct)d%%") if pct > 0 else _("下降%(pct)d%%")) % {"pct": abs(pct)}


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _day(d: date) -> str:
    """"3月10日" / "10 March" (no leading zero: "03月10日" is how a form prints, not how one writes)."""
    return "%d月%d日" % (d.month, d.day) if _chinese() else "%d %s" % (d.day, d.strftime("%B"))


def money_text(amount: Decimal) -> str:
    """"20.6万元" in Chinese, "206,000 yuan" in English (nobody reads "20.6 ten-thousand yuan")."""
    if _chinese():
        return "%s万元" % (amount / 10000).quantize(Decimal("0.1"))
    return "{:,.0f} yuan".format(amount)


def typology_name(name: str, name_en: str = "") -> str:
    return name_en if name_en and get_language() == "en" else name


# Who was cheated, by age band and gender, as whole phrases (so that each language can say it
# its own way: "一名未成年男性", "a teenage boy").
WHO_TEXT = {
    ("未成年", Gender.MALE): _("一名未成年男性"), ("未成年", Gender.FEMALE): _("一名未成年女性"),
    ("未成年", None): _("一名未成年人"),
    ("青年", Gender.MALE): _("一名青年男性"), ("青年", Gender.FEMALE): _("一名青年女性"), ("青年", None): _("一名青年群众"),
    ("中青年", Gender.MALE): _("一名中青年男性"), ("中青年", Gender.FEMALE): _("一名中青年女性"),
    ("中青年", None): _("一名中青年群众"),
    ("中年", Gender.MALE): _("一名中年男性"), ("中年", Gender.FEMALE): _("一名中年女性"), ("中年", None): _("一名中年群众"),
    ("老年", Gender.MALE): _("一名老年男性"), ("老年", Gender.FEMALE): _("一名老年女性"), ("老年", None): _("一名老年群众"),
    ("", Gender.MALE): _("一名男性"), ("", Gender.FEMALE): _("一名女性"), ("", None): _("一名群众"),
}
GROUP_TEXT = {
    TargetGroup.STUDENTS: pgettext_lazy("bulletin", "在校学生"),
    TargetGroup.FINANCE_STAFF: pgettext_lazy("bulletin", "企业财务人员"),
    TargetGroup.RURAL_LEFT_BEHIND: pgettext_lazy("bulletin", "农村留守人员"),
    TargetGroup.YOUTH_JOB_SEEKERS: pgettext_lazy("bulletin", "求职青年"),
    TargetGroup.HOUSEWIVES: pgettext_lazy("bulletin", "家庭主妇/宝妈"),
}


def victim_text(victim) -> str:
    """"一名老年女性" / "一名青年男性（在校学生）": the age band, the gender and the target group
    (left out where it only repeats the age band: every elderly victim is in the elderly group)."""
    if victim is None:
        return str(WHO_TEXT[("", None)])
    gender = victim.gender if victim.gender in (Gender.MALE, Gender.FEMALE) else None
    who = str(WHO_TEXT[(age_band(victim.age), gender)])
    group = GROUP_TEXT.get(victim_group(victim))
    if group is not None:
        who += _("（%(group)s）") % {"group": group}
    return who


def typical_case_text(case: Case, county_names: dict[str, str]) -> str:
    """One typical case in a sentence, from structured fields only (no name, number or place)."""
    where = county_names.get(ancestor_code(case.region.path, RegionLevel.COUNTY) or "") or str(_("辖区"))
    values = {
        "where": where, "who": victim_text(next(iter(case.victims.all()), None)),
        "typology": typology_name(case.typology.name, case.typology.name_en),
        "band": AMOUNT_BAND_TEXT.get(amount_band(case.loss_amount), ""),
    }
    paid = PAID_TEXT.get(case.payment_channel)
    if paid is None:
        return _("%(where)s%(who)s遭遇“%(typology)s”类诈骗，损失%(band)s。") % values
    return _("%(where)s%(who)s遭遇“%(typology)s”类诈骗，%(paid)s，损失%(band)s。") % {**values, "paid": paid}


def headline(*, period: str, region: str, total: int, previous: int, loss: Decimal) -> str:
    """The bulletin's first sentence: the week's cases, the change on last week, the money."""
    values = {"period": period, "region": region, "total": total, "prev": previous, "loss": money_text(loss),
              "change": _change(total, previous)}
    if total == 0:
        return _("%(period)s，%(region)s未接报电信网络诈骗案件（上周%(prev)d起）。") % values
    if previous == 0:
        return ngettext(
            "%(period)s，%(region)s共接报电信网络诈骗案件%(total)d起（上周无发案），涉案金额%(loss)s。",
            "%(period)s，%(region)s共接报电信网络诈骗案件%(total)d起（上周无发案），涉案金额%(loss)s。",
            total) % values
    return ngettext(
        "%(period)s，%(region)s共接报电信网络诈骗案件%(total)d起，较上周（%(prev)d起）%(change)s，涉案金额%(loss)s。",
        "%(period)s，%(region)s共接报电信网络诈骗案件%(total)d起，较上周（%(prev)d起）%(change)s，涉案金额%(loss)s。",
        total) % values


def typology_line(i: int, t: dict) -> str:
    values = {"n": i, "name": t["label"], "count": t["count"], "prev": t["previous"], "change": t["change"]}
    if t["previous"] == 0:
        return ngettext("%(n)d. %(name)s %(count)d起（上周无）", "%(n)d. %(name)s %(count)d起（上周无）", t["count"]) % values
    return ngettext("%(n)d. %(name)s %(count)d起（上周%(prev)d起，%(change)s）",
                    "%(n)d. %(name)s %(count)d起（上周%(prev)d起，%(change)s）", t["count"]) % values


def hot_spot_line(h: dict) -> str:
    return ngettext("%(name)s %(count)d起（每万人%(rate)s起）", "%(name)s %(count)d起（每万人%(rate)s起）",
                    h["count"]) % {"name": h["name"], "count": h["count"], "rate": h["rate_per_10k"]}


def build_draft(*, region: Region, week_start: date) -> Draft:
    """The draft for the week starting ``week_start`` over the cases reported in ``region``, in the
    active language (every sentence is a translatable pattern: see test_bulletin_text)."""
    week_start, week_end = week_bounds(week_start)
    cases = _week_cases(region, week_start)
    previous = _week_cases(region, week_start - timedelta(days=7))
    totals = cases.aggregate(n=Count("id"), loss=Sum("loss_amount"))
    total, loss = totals["n"], totals["loss"] or Decimal("0")
    prev_total = previous.count()

    now_by_type = {r["typology_id"]: r for r in cases.values("typology_id", "typology__code", "typology__name",
                                                             "typology__name_en")
                   .annotate(n=Count("id")).order_by("-n", "typology__name")}
    prev_by_type = dict(previous.values("typology_id").annotate(n=Count("id")).values_list("typology_id", "n"))
    leading = list(now_by_type.values())[:BULLETIN_TOP_TYPOLOGIES]
    typologies = [
        {"code": r["typology__code"], "name": r["typology__name"], "count": r["n"],
         "previous": prev_by_type.get(r["typology_id"], 0), "change": _change(r["n"], prev_by_type.get(r["typology_id"], 0))}
        for r in leading
    ]
    labels = {r["typology__code"]: typology_name(r["typology__name"], r["typology__name_en"]) for r in leading}

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

    period = _("%(start)s至%(end)s") % {"start": _day(week_start), "end": _day(week_end)}
    lines = [
        headline(period=period, region=region.name, total=total, previous=prev_total, loss=loss),
        "",
        str(_("一、高发类型")),
    ]
    lines += [typology_line(i, {**t, "label": labels[t["code"]]}) for i, t in enumerate(typologies, 1)] or [
        str(_("本周无发案。"))]
    lines += ["", str(_("二、典型案例"))]
    lines += ["%d. %s" % (i, text) for i, text in enumerate(typical, 1)] or [str(_("无。"))]
    lines += ["", str(_("三、发案较多区域"))]
    lines += [hot_spot_line(h) for h in hot_spots] or [str(_("无。"))]
    advice = [str(ADVICE_TEXT[t["code"]]) for t in typologies[:3] if t["code"] in ADVICE_TEXT]
    advice += [ADVICE[t["code"]] for t in typologies[:3] if t["code"] in ADVICE and t["code"] not in ADVICE_TEXT]
    advice.append(str(GENERAL_ADVICE_TEXT))
    return Draft(
        title=_("%(region)s电信网络诈骗警情通报（%(period)s）") % {"region": region.name, "period": period},
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
