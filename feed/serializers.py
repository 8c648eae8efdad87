"""The changes feed's query parameters and its answer."""

from __future__ import annotations

import re

from rest_framework import serializers

from project.validation import repeated_fields

from .models import Event

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100

# Digits 0-9 only, with an optional minus so that "-1" is refused by the bound it breaks.
_ASCII_INTEGER = re.compile(r"-?[0-9]+")


class QueryInteger(serializers.IntegerField):
    """An integer in a query string, written in ASCII digits.

    DRF's ``IntegerField`` reads a value with ``int()``, which also takes "١" (an
    Arabic-Indic one), "１" (full width), "1_000", " 7 " and "7.0": a cursor or a page size
    should have one spelling, and a value a consumer did not mean to send is a 400 naming it.
    """

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _ASCII_INTEGER.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class SingleValuedQuery(serializers.Serializer):
    """Query parameters each given at most once (``project.validation.repeated_fields``).

    DRF reads the last of ``?types=a&types=b`` and drops the others without a word, while
    the ``next`` link keeps them all: a consumer asking in the common array style would miss
    what it asked for. A parameter given twice is a 400 that names it.
    """

    repeat_hints: dict[str, str] = {}

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            repeated = repeated_fields([data], self.fields)
            if repeated:
                raise serializers.ValidationError(
                    {name: [message + self.repeat_hints.get(name, "")] for name, message in repeated.items()}
                )
        return super().to_internal_value(data)


class ChangesQuerySerializer(SingleValuedQuery):
    after = QueryInteger(min_value=0, max_value=2**62, default=0, help_text="The last seq you saw (0 from the start).")
    limit = QueryInteger(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    types = serializers.CharField(
        required=False, max_length=1000, help_text="Comma-separated event types to keep (default: all)."
    )

    repeat_hints = {"types": " Separate several types with commas: types=claim.published,source.created."}

    def validate_types(self, value: str) -> list[str]:
        types = [item.strip() for item in value.split(",") if item.strip()]
        unknown = sorted(set(types) - set(Event.Type.values))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown event types: {', '.join(unknown)}. Known: {', '.join(Event.Type.values)}."
            )
        return types


class EventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    type = serializers.ChoiceField(choices=Event.Type.choices)
    claim = serializers.IntegerField(allow_null=True)
    source = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class ChangesPageSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    next = serializers.URLField(help_text="Where to ask next (after = the last seq of this page); poll it.")
    has_more = serializers.BooleanField(help_text="More events wait beyond this page now.")
