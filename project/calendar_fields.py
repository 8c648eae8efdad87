"""Dates and times in the API's bodies: one written in the right shape that names no day or
time of the calendar (``2024-02-30``, ``T25:00``) is said to be so. DRF answers "Date has
wrong format. Use one of these formats instead: YYYY-MM-DD" to a date in that very format."""

from __future__ import annotations

from django.utils.dateparse import date_re, datetime_re
from rest_framework import serializers


def _no_such(value, shape, what: str) -> serializers.ValidationError | None:
    if isinstance(value, str) and shape.fullmatch(value.strip()):
        return serializers.ValidationError(f"{value.strip()} is in the right format, but there is no such {what}.")
    return None


class CalendarDateField(serializers.DateField):
    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError as error:
            problem = _no_such(value, date_re, "day")
            if problem is None:
                raise
            raise problem from error


class CalendarDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError as error:
            problem = _no_such(value, datetime_re, "time")
            if problem is None:
                raise
            raise problem from error
