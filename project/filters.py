"""Filter types shared by the list endpoints: strict about their input, so that a value the
database cannot take answers 400 instead of failing in the driver."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ErrorDetail, ValidationError

from project.api import refuse_repeated_parameters, refuse_unknown_parameters
from project.validation import ascii_integer

MAX_ID = 2**63 - 1


class AsciiIntegerField(forms.IntegerField):
    """An integer in ASCII digits (``project.validation.ascii_integer``): Django's reads
    "١", "１" and "1_0" as numbers too."""

    def to_python(self, value):
        if value not in self.empty_values and ascii_integer(str(value).strip()) is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdFilter(django_filters.NumberFilter):
    """An id: a positive integer in ASCII digits, not "1.5", "abc" or "١", not one beyond
    any id (400). The OpenAPI schema says so: an integer and its bounds (a number filter is
    "number" there, with no bound)."""

    field_class = AsciiIntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        schema = {"type": "integer", "minimum": self.extra["min_value"], "maximum": self.extra["max_value"]}
        if self.extra.get("help_text"):
            schema["description"] = self.extra["help_text"]  # an override's own, or none is shown
        extend_schema_field(schema)(self)


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


def _errors_naming_choices(form) -> dict[str, list[ErrorDetail]]:
    """The filters' errors as django-filter gives them, a value that is not one of a
    filter's choices answered with the choices ("Select a valid choice. zzz is not one of
    the available choices." named none)."""
    errors = {}
    for name, error_list in form.errors.as_data().items():
        field = form.fields.get(name)
        details = []
        for error in error_list:
            if error.code == "invalid_choice" and isinstance(field, forms.ChoiceField):
                choices = ", ".join(str(value) for value, _ in field.choices if value not in ("", None))
                value = str((error.params or {}).get("value", ""))[:100]
                details.append(ErrorDetail(f"{value!r} is not one of the choices: {choices}.", code="invalid_choice"))
            else:
                details.append(ErrorDetail(error.message % (error.params or ()), code=error.code))
        errors[name] = details
    return errors


class SingleValuedFilterBackend(DjangoFilterBackend):
    """django-filter's backend, with each filter of the list given at most once: of
    ``?status=draft&status=published`` it reads the last and drops the first without a
    word (every filter of this API takes one value). A repeated one is a 400 naming it."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(_errors_naming_choices(filterset.form))
        return filterset.qs

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refuse_repeated_parameters(request.query_params, filterset_class.base_filters)
            if getattr(view, "action", None) == "list":
                refuse_unknown_list_parameters(request.query_params, filterset_class.base_filters, view)
        return super().get_filterset(request, queryset, view)


def refuse_unknown_list_parameters(query_params, filters, view) -> None:
    """``refuse_unknown_parameters`` for a list: its filters and its page's parameters."""
    paginator = getattr(view, "paginator", None)
    page = {getattr(paginator, "cursor_query_param", "cursor"), getattr(paginator, "page_size_query_param", "page_size")}
    refuse_unknown_parameters(query_params, {*filters, *page}, "No such filter for this list; it accepts: {}.")


