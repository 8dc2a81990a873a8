"""Template helpers of the victim's transactions: the paying account masked (cases.masking)."""

from django import template

from ..masking import mask_account

register = template.Library()


@register.filter
def masked_account(value) -> str:
    return mask_account(value)
