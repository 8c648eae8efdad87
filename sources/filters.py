"""Filters of the source and span lists. Invalid values answer 400 with a message.

Date ranges are half-open, like offsets: ``*_after`` is inclusive, ``*_before`` exclusive.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q

from project.filters import IdFilter

from .models import Source, Span

class SourceFilter(django_filters.FilterSet):
    publisher = django_filters.CharFilter(lookup_expr="iexact", max_length=300, help_text="Exact, case-insensitive.")
    kind = django_filters.ChoiceFilter(choices=Source.Kind.choices)
    reliability = django_filters.ChoiceFilter(choices=Source.Reliability.choices)
    language = django_filters.CharFilter(lookup_expr="iexact", max_length=35)
    published_after = django_filters.DateFilter(
        field_name="published_on", lookup_expr="gte", help_text="Published on or after this date."
    )
    published_before = django_filters.DateFilter(
        field_name="published_on", lookup_expr="lt", help_text="Published before this date."
    )
    q = django_filters.CharFilter(
        method="filter_q", max_length=200, help_text="Words in the title, publisher or authors."
    )

    class Meta:
        model = Source
        fields = ["publisher", "kind", "reliability", "language", "published_after", "published_before", "q"]

    def filter_q(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(publisher__icontains=word) | Q(authors__icontains=word)
            )
        return queryset


class SpanFilter(django_filters.FilterSet):
    source = IdFilter(field_name="source_id", help_text="Spans of this source.")
    anchor_state = django_filters.ChoiceFilter(choices=Span.AnchorState.choices)

    class Meta:
        model = Span
        fields = ["source", "anchor_state"]
