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
