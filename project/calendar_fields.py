"""Dates and times in the API's bodies: one written in the right shape that names no day or
time of the calendar (``2024-02-30``, ``T25:00``) is said to be so. DRF answers "Date has
wrong format. Use one of these formats instead: YYYY-MM-DD" to a date in that very format."""

from __future__ import annotations

from django.utils.dateparse import date_re, datetime_re
from rest_framework import serializers


class _SaysNoSuch:
    """DRF's date or time field, its ``invalid`` said otherwise when the value has the
    ``shape`` (ISO 8601's) of a ``what`` the calendar lacks."""

    shape = None
    what = ""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError as error:
            if not (isinstance(value, str) and self.shape.fullmatch(value.strip())):
                raise
            raise serializers.ValidationError(
                f"{value.strip()} is in the right format, but there is no such {self.what}."
            ) from error


class CalendarDateField(_SaysNoSuch, serializers.DateField):
    shape, what = date_re, "day"


class CalendarDateTimeField(_SaysNoSuch, serializers.DateTimeField):
    shape, what = datetime_re, "time"
