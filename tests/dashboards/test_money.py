"""Money as the dashboards show it: 万元 (亿元 from 100 million), separators, exact yuan on hover."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from dashboards.templatetags.dashboards_money import grouped_int, wan, wan_num


@pytest.mark.parametrize("value, shown, title", [
    (Decimal("116632530"), "1.17 亿元", "116,632,530.00 元"),
    (Decimal("36000"), "3.60 万元", "36,000.00 元"),
    (Decimal("12345678.9"), "1,234.57 万元", "12,345,678.90 元"),
    (Decimal("0"), "0.00 万元", "0.00 元"),
    (Decimal("-25000"), "-2.50 万元", "-25,000.00 元"),
])
def test_wan_in_chinese(value, shown, title):
    with translation.override("zh-hans"):
        html = str(wan(value))
    number, unit = shown.split(" ")
    assert '>%s<span class="money-unit"> %s</span></span>' % (number, unit) in html and 'title="%s"' % title in html
    assert 'data-yuan="%s"' % value.quantize(Decimal("0.01")) in html


def test_wan_in_english_and_the_column_form():
    with translation.override("en"):
        html = str(wan(Decimal("36000")))
    assert '>3.60<span class="money-unit"> × 10k yuan</span>' in html and 'title="36,000.00 yuan"' in html
    assert ">11,663.25</span>" in str(wan_num(Decimal("116632530")))
    assert str(wan(None)).endswith(">—</span>") and grouped_int(3030000) == "3,030,000"


def test_filter_in_a_template_escapes_and_loads():
    html = Template("{% load dashboards_money %}{{ v|wan }}").render(Context({"v": Decimal("50000")}))
    assert '>5.00<span class="money-unit"> 万元</span>' in html
