"""Money as officials read it: 万元 (亿元 from one hundred million up), with separators, and the
exact yuan on hover (the ``title``); exports keep the exact yuan.

    {% load dashboards_money %}
    {{ f.loss|wan }}        -> <span title="116,632,530.00 元" data-yuan="116632530.00">1.17 亿元</span>
    {{ r.loss|wan_num }}    -> <span title="...">11,663.25</span>   (a column headed "（万元）")
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

TEN_THOUSAND = Decimal("10000")
HUNDRED_MILLION = Decimal("100000000")
CENT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def grouped(value: Decimal, places: int = 2) -> str:
    """1234567.891 -> "1,234,567.89" (the same separators in both languages)."""
    quantum = Decimal(1).scaleb(-places)
    return "{:,.{p}f}".format(value.quantize(quantum, ROUND_HALF_UP), p=places)


def yuan_text(value) -> str:
    amount = _decimal(value)
    if amount is None:
        return "—"
    return _("%(amount)s 元") % {"amount": grouped(amount)}


def wan_parts(value) -> tuple[str, str]:
    """(number, unit): in 万元, or in 亿元 from 100,000,000 yuan up."""
    amount = _decimal(value)
    if amount is None:
        return "—", ""
    if abs(amount) >= HUNDRED_MILLION:
        return grouped(amount / HUNDRED_MILLION), _("亿元")
    return grouped(amount / TEN_THOUSAND), _("万元")


def wan_text(value) -> str:
    """The figure with its unit: "3.60 万元", "1.17 亿元"."""
    number, unit = wan_parts(value)
    return "%s %s" % (number, unit) if unit else number


def wan_number(value) -> str:
    amount = _decimal(value)
    return "—" if amount is None else grouped(amount / TEN_THOUSAND)


def _span(text: str, value):
    amount = _decimal(value)
    if amount is None:
        return mark_safe('<span class="text-muted">—</span>')  # a constant: nothing to escape
    return format_html('<span class="money" title="{}" data-yuan="{}">{}</span>', yuan_text(amount),
                       amount.quantize(CENT), text)


@register.filter
def wan(value):
    """Yuan shown in 万元/亿元 with the unit (which may wrap under a long number); exact yuan on hover."""
    amount = _decimal(value)
    if amount is None:
        return _span("", None)
    number, unit = wan_parts(amount)
    return format_html('<span class="money" title="{}" data-yuan="{}">{}<span class="money-unit"> {}</span></span>',
                       yuan_text(amount), amount.quantize(CENT), number, unit)


@register.filter
def wan_num(value):
    """Yuan shown as a number of 万元 (the column header says the unit); exact yuan on hover."""
    return _span(wan_number(value), value)


@register.filter
def grouped_int(value):
    """Whole numbers with separators: 1234567 -> 1,234,567."""
    amount = _decimal(value)
    return "—" if amount is None else grouped(amount, 0)
