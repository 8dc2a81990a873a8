"""What the forms, the import and the as-you-type checks ask of cases.normalize.

A thin layer so that the browser side speaks one vocabulary (a ValidationError with a message
in the user's language) whatever the normaliser raises.
"""

from django.core.exceptions import ValidationError


def error_text(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def validate_id_number(value: str) -> str:
    from . import normalize

    return normalize.validate_id_number(value)


def normalize_indicator(kind: str, value: str) -> str:
    from . import normalize

    return normalize.normalize_indicator(kind, value).value


def candidate_indicators(raw: str) -> list[tuple[str, str]]:
    """Every (kind, normalised value) the pasted text could be: a search matches any of them."""
    from . import normalize

    return [(c.kind, c.value) for c in normalize.candidate_indicators(raw)]
