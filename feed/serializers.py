"""The changes feed's query parameters and its answer."""

from __future__ import annotations

from rest_framework import serializers

from project.api import QueryInteger, SingleValuedQuery

from .models import Event

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100

class ChangesQuerySerializer(SingleValuedQuery):
    after = QueryInteger(min_value=0, max_value=2**62, default=0, help_text="The last seq you saw (0 from the start).")
    limit = QueryInteger(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT, help_text="Events per page.")
    types = serializers.CharField(
        required=False, max_length=1000, help_text="Comma-separated event types to keep (default: all)."
    )

    repeat_hints = {"types": " Separate several types with commas: types=claim.published,source.created."}

    def validate_types(self, value: str) -> list[str]:
        types = [item.strip() for item in value.split(",") if item.strip()]
        if not types:
            raise serializers.ValidationError("No event type given: name at least one, or leave types out.")
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
    numbering = serializers.ChoiceField(
        choices=["all", "public"],
        help_text="What `seq` (and `after`) count: `all` events (staff), or the `public` events among "
        "themselves (everybody else). A stored `after` belongs to the numbering it was read in: "
        "a consumer whose access changes starts again from 0.",
    )
