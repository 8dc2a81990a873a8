"""Masking of personal data for every page and API answer (reveal goes through victim_reveal)."""


def mask_id_number(value: str | None) -> str:
    """110101********1234: region prefix and last four kept."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678 (the last four and the first three digits kept)."""
    if not value:
        return ""
    prefix = ""
    if value.startswith("+86"):
        prefix, value = "+86 ", value[3:]
    elif value.startswith("+"):
        prefix, value = "+", value[1:]
    digits = value
    if len(digits) <= 7:
        return prefix + "*" * len(digits)
    return prefix + digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_account(value: str | None) -> str:
    """6222 **** 0123: a card or account number with its first and last four kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:2] + "*" * (len(value) - 2)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str | None) -> str:
    """王** : a person's name with its first character kept (returns shown to a bank)."""
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)
