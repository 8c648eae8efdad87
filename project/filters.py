"""Filter types shared by the list endpoints: strict about their input, so that a value the
database cannot take answers 400 instead of failing in the driver."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An id: a positive integer, not "1.5" or "abc", not one beyond any id (400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time (a date alone means its midnight, UTC), converted to UTC.

    Python accepts offsets up to ±24 h and PostgreSQL only ±15:59, and a moment near year 1
    or 9999 may leave the calendar once converted: both answer 400 here.
    """

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return result.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("This date-time is out of range.", code="invalid") from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.ChoiceFilter):
    """``true`` or ``false``; anything else answers 400 (django-filter's own boolean filter
    silently ignores values it does not understand)."""

    def __init__(self, *args, **kwargs):
        kwargs["choices"] = [("true", "true"), ("false", "false")]
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if value in ("", None):
            return queryset
        return queryset.filter(**{self.field_name: value == "true"})
