"""Every sentence the weekly bulletin draft generates, read in both languages: no doubled words
("通过银行转账转账"), no empty channel ("通过其他转账"), no Chinese left in the English draft but
the names of places."""

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from cases.choices import PaymentChannel
from propaganda import bulletins

CJK = re.compile(r"[\u3400-\u9fff（），。、：]")
PLACE = "东城区"
PATH = "/34/3404/340402/340402001/340402001001/"


def _case(channel, *, age=72, gender="F", occupation="退休教师", loss="180000"):
    victim = SimpleNamespace(age=age, gender=gender, occupation=occupation)
    return SimpleNamespace(
        region=SimpleNamespace(path=PATH), payment_channel=channel, loss_amount=Decimal(loss),
        typology=SimpleNamespace(name="冒充公检法", name_en="Impersonating police"),
        victims=SimpleNamespace(all=lambda: [victim]),
    )


COUNTIES = {"340402": PLACE}

CHINESE = {
    PaymentChannel.BANK_TRANSFER: "东城区一名老年女性遭遇“冒充公检法”类诈骗，通过银行转账付款，损失10万至50万元。",
    PaymentChannel.ALIPAY: "东城区一名老年女性遭遇“冒充公检法”类诈骗，通过支付宝付款，损失10万至50万元。",
    PaymentChannel.WECHAT_PAY: "东城区一名老年女性遭遇“冒充公检法”类诈骗，通过微信支付付款，损失10万至50万元。",
    PaymentChannel.CASH: "东城区一名老年女性遭遇“冒充公检法”类诈骗，以现金交付，损失10万至50万元。",
    PaymentChannel.CRYPTO: "东城区一名老年女性遭遇“冒充公检法”类诈骗，以虚拟货币付款，损失10万至50万元。",
    PaymentChannel.OTHER: "东城区一名老年女性遭遇“冒充公检法”类诈骗，损失10万至50万元。",
    "": "东城区一名老年女性遭遇“冒充公检法”类诈骗，损失10万至50万元。",
}
ENGLISH = {
    PaymentChannel.BANK_TRANSFER: "In 东城区, an elderly woman was cheated by a scam of the type “Impersonating police”, paid by bank "
                                  "transfer and lost 100,000 to 500,000 yuan.",
    PaymentChannel.ALIPAY: "In 东城区, an elderly woman was cheated by a scam of the type “Impersonating police”, paid through Alipay "
                           "and lost 100,000 to 500,000 yuan.",
    PaymentChannel.WECHAT_PAY: "In 东城区, an elderly woman was cheated by a scam of the type “Impersonating police”, paid through "
                               "WeChat Pay and lost 100,000 to 500,000 yuan.",
    PaymentChannel.CASH: "In 东城区, an elderly woman was cheated by a scam of the type “Impersonating police”, handed over cash "
                         "and lost 100,000 to 500,000 yuan.",
    PaymentChannel.CRYPTO: "In 东城区, an elderly woman was cheated by a scam of the type “Impersonating police”, paid in "
                           "cryptocurrency and lost 100,000 to 500,000 yuan.",
    PaymentChannel.OTHER: "In 东城区, an elderly woman was cheated by a scam of the type “Impersonating police” and lost 100,000 to "
                          "500,000 yuan.",
    "": "In 东城区, an elderly woman was cheated by a scam of the type “Impersonating police” and lost 100,000 to 500,000 yuan.",
}


@pytest.mark.parametrize("channel", list(CHINESE))
def test_typical_case_reads_naturally_in_chinese(channel):
    with translation.override("zh-hans"):
        text = bulletins.typical_case_text(_case(channel), COUNTIES)
    assert text == CHINESE[channel]
    assert "转账转账" not in text and "其他" not in text and "老年女性（老年人）" not in text


@pytest.mark.parametrize("channel", list(ENGLISH))
def test_typical_case_reads_naturally_in_english(channel):
    with translation.override("en"):
        text = bulletins.typical_case_text(_case(channel), COUNTIES)
    assert text == ENGLISH[channel]
    assert not CJK.search(text.replace(PLACE, "")), text


@pytest.mark.parametrize("lang, who", [
    ("zh-hans", {(24, "M", "大学学生"): "一名青年男性（在校学生）", (39, "F", "某公司出纳"): "一名中青年女性（企业财务人员）",
                 (None, "", ""): "一名群众", (15, "M", ""): "一名未成年男性", (50, "F", ""): "一名中年女性"}),
    ("en", {(24, "M", "大学学生"): "a young man (student)", (39, "F", "某公司出纳"): "a woman aged 30 to 44 (finance staff)",
            (None, "", ""): "a member of the public", (15, "M", ""): "a teenage boy", (50, "F", ""): "a middle-aged woman"}),
])
def test_the_victim_is_described_by_band_gender_and_group(lang, who):
    with translation.override(lang):
        for (age, gender, occupation), expected in who.items():
            victim = SimpleNamespace(age=age, gender=gender, occupation=occupation)
            assert bulletins.victim_text(victim) == expected


HEADLINES = [
    # (total, previous, loss) -> Chinese, English
    ((3, 1, Decimal("206000")), "3月10日至3月16日，W市共接报电信网络诈骗案件3起，较上周（1起）上升200%，涉案金额20.6万元。",
     "From 10 March to 16 March, W市 received 3 reports of telecom and online fraud, up 200% on last week (1); "
     "the money involved was 206,000 yuan."),
    ((1, 2, Decimal("5000")), "3月10日至3月16日，W市共接报电信网络诈骗案件1起，较上周（2起）下降50%，涉案金额0.5万元。",
     "From 10 March to 16 March, W市 received 1 report of telecom and online fraud, down 50% on last week (2); "
     "the money involved was 5,000 yuan."),
    ((2, 2, Decimal("5000")), "3月10日至3月16日，W市共接报电信网络诈骗案件2起，较上周（2起）持平，涉案金额0.5万元。",
     "From 10 March to 16 March, W市 received 2 reports of telecom and online fraud, unchanged on last week (2); "
     "the money involved was 5,000 yuan."),
    ((2, 0, Decimal("5000")), "3月10日至3月16日，W市共接报电信网络诈骗案件2起（上周无发案），涉案金额0.5万元。",
     "From 10 March to 16 March, W市 received 2 reports of telecom and online fraud (none the week before); "
     "the money involved was 5,000 yuan."),
    ((0, 4, Decimal("0")), "3月10日至3月16日，W市未接报电信网络诈骗案件（上周4起）。",
     "From 10 March to 16 March, W市 received no report of telecom and online fraud (4 the week before)."),
]


@pytest.mark.parametrize("figures, chinese, english", HEADLINES)
def test_headline_in_both_languages(figures, chinese, english):
    from datetime import date

    total, previous, loss = figures
    for lang, expected in (("zh-hans", chinese), ("en", english)):
        with translation.override(lang):
            period = bulletins._("%(start)s至%(end)s") % {"start": bulletins._day(date(2025, 3, 10)),
                                                          "end": bulletins._day(date(2025, 3, 16))}
            assert bulletins.headline(period=period, region="W市", total=total, previous=previous, loss=loss) == expected


def test_list_lines_in_both_languages():
    new = {"label": "冒充公检法", "count": 2, "previous": 0, "change": "新增"}
    with translation.override("zh-hans"):
        up = {"label": "刷单返利", "count": 3, "previous": 1, "change": bulletins._change(3, 1)}
        assert bulletins.typology_line(1, up) == "1. 刷单返利 3起（上周1起，上升200%）"
        assert bulletins.typology_line(2, new) == "2. 冒充公检法 2起（上周无）"
        assert bulletins.hot_spot_line({"name": "人民路街道", "count": 2, "rate_per_10k": "0.45"}) == "人民路街道 2起（每万人0.45起）"
    with translation.override("en"):
        up = {"label": "Brushing", "count": 3, "previous": 1, "change": bulletins._change(3, 1)}
        assert bulletins.typology_line(1, up) == "1. Brushing: 3 cases (last week 1, up 200%)"
        assert bulletins.typology_line(2, {**new, "label": "Impersonating police", "count": 1}) == (
            "2. Impersonating police: 1 case (none last week)")
        assert bulletins.hot_spot_line({"name": "人民路街道", "count": 1, "rate_per_10k": "0.45"}) == (
            "人民路街道: 1 case (0.45 per 10,000 residents)")
        assert bulletins._change(1, 2) == "down 50%" and bulletins._change(2, 2) == "unchanged"


def test_whole_draft_in_english_has_no_chinese_but_place_names(pw):
    from datetime import timedelta

    from django.utils import timezone

    from agencies.models import Region

    start, _end = bulletins.week_bounds(timezone.localdate() - timedelta(days=7))
    pw.case(day=start, typology="impersonate-police", loss="180000",
            victims=[{"name": "王秀英", "age": 72, "gender": "F", "occupation": "退休教师"}])
    pw.case(day=start + timedelta(days=1), typology="brushing", loss="6000",
            victims=[{"name": "李建国", "age": 24, "gender": "M", "occupation": "大学学生"}], region="340421101001")
    city = Region.objects.get(code="340400")
    with translation.override("en"):
        draft = bulletins.build_draft(region=city, week_start=start)
    places = set(Region.objects.values_list("name", flat=True))
    text = "\n".join([draft.title, draft.body, draft.advice])
    for name in sorted(places, key=len, reverse=True):
        text = text.replace(name, "")
    assert not CJK.search(text), [line for line in text.splitlines() if CJK.search(line)]
    assert "Typical cases" in draft.body and "96110" in draft.advice
    with translation.override("zh-hans"):
        chinese = bulletins.build_draft(region=city, week_start=start)
    assert "转账转账" not in chinese.body and "通过其他" not in chinese.body
    assert "通过微信支付付款" in chinese.body  # the test cases were paid by WeChat Pay
