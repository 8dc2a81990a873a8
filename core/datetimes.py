"""Datetimes from outside (query filters, API bodies) within ranges the platform can store.

Python parses offsets up to ±23:59 and years 1 to 9999; PostgreSQL refuses offsets past ±15:59
("time zone displacement out of range", a 500 on ``?since=...+99:00``) and converting an edge
year to UTC overflows. Real offsets run from -12:00 to +14:00, and no case, request or event
of this platform lies outside 1900-2999.
"""

from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

def iso_local(value):
    """The platform's one rule for timestamps leaving it (API bodies, event payloads, exports
    in JSON): ISO 8601 in Beijing time with its offset, ``2024-05-01T14:30:00+08:00``
    (``TIME_ZONE``; DRF's DateTimeField writes the same). None stays None; a naive value is
    taken as already local."""
    if value is None:
        return None
    from django.utils import timezone

    if timezone.is_naive(value):
        return timezone.make_aware(value).isoformat()
    return timezone.localtime(value).isoformat()


MIN_OFFSET = timedelta(hours=-12)
MAX_OFFSET = timedelta(hours=14)
MIN_YEAR, MAX_YEAR = 1900, 2999


def datetime_check_range(value) -> None:
    """Raise Django's ValidationError (translated) for an offset or year out of range."""
    if value is None:
        return
    offset = value.utcoffset()
    if offset is not None and not (MIN_OFFSET <= offset <= MAX_OFFSET):
        raise ValidationError(_("时区偏移超出范围（须在 -12:00 至 +14:00 之间）。"), code="offset_range")
    if not (MIN_YEAR <= value.year <= MAX_YEAR):
        raise ValidationError(_("年份超出范围（须在 1900 至 2999 之间）。"), code="year_range")


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        datetime_check_range(value)
        return value


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """django-filter's ISO 8601 datetime filter, with the range checked (400, not 500)."""

    field_class = BoundedIsoDateTimeField


class BoundedDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, with the range checked."""

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        try:
            datetime_check_range(parsed)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return parsed



class BoundedDateTimeFormField(forms.DateTimeField):
    """Django's form DateTimeField (which also takes ISO 8601 with an offset), range checked."""

    def to_python(self, value):
        value = super().to_python(value)
        datetime_check_range(value)
        return value
