"""Filters of the claim, evidence and entity lists. Invalid values answer 400 with a message.

Date and time ranges are half-open, like offsets: ``*_after`` is inclusive, ``*_before``
exclusive. A date given to a date-time filter means its midnight (UTC).
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q

from project.errors import NotAllowed
from project.filters import IdFilter, StrictBooleanFilter, UTCDateTimeFilter

from .models import Claim, Entity, Evidence
from .search import search_claims

ORDERINGS = [
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "published_at",
    "-published_at",
    "submitted_at",
    "-submitted_at",
    "id",
    "-id",
]


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Claim.Status.choices)
    verdict = django_filters.ChoiceFilter(choices=Claim.Verdict.choices)
    confidence = django_filters.ChoiceFilter(choices=Claim.Confidence.choices)
    entity = django_filters.CharFilter(
        method="filter_entity", max_length=300, help_text="Claims about the entity with this slug."
    )
    source = IdFilter(method="filter_source", help_text="Claims with evidence from this source (id).")
    author = django_filters.CharFilter(field_name="author__username", max_length=150, help_text="Username.")
    stance = django_filters.ChoiceFilter(
        choices=Evidence.Stance.choices, method="filter_stance", help_text="Claims with evidence of this stance."
    )
    needs_attention = StrictBooleanFilter(
        field_name="needs_attention",
        help_text="true: claims with orphaned evidence spans, and published claims contradicting another published claim.",
    )
    has_checks = StrictBooleanFilter(
        method="filter_has_checks",
        help_text="true: claims the editorial checks warn about (authenticated callers only).",
    )
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")
    published_after = UTCDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = UTCDateTimeFilter(field_name="published_at", lookup_expr="lt")
    period_on = django_filters.DateFilter(
        method="filter_period_on",
        help_text="A date inside the claim's period (bounds inclusive; a missing bound is open, "
        "a claim without any period never matches).",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=500,
        help_text='Full-text search over the claim and its evidence quotes: words, "phrases", '
        "`or`, `-word`.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(value, value) for value in ORDERINGS],
        method="filter_ordering",
        help_text="Sort key (default -created_at); ties broken by id in the same direction.",
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_entity(self, queryset, name, value):
        tagged = Claim.entities.through.objects.filter(claim_id=OuterRef("pk"), entity__slug=value)
        return queryset.filter(Exists(tagged))

    def filter_source(self, queryset, name, value):
        cited = Evidence.objects.filter(claim_id=OuterRef("pk"), span__source_id=value)
        return queryset.filter(Exists(cited))

    def filter_stance(self, queryset, name, value):
        return queryset.filter(Exists(Evidence.objects.filter(claim_id=OuterRef("pk"), stance=value)))

    def filter_has_checks(self, queryset, name, value):
        # The warnings are for the newsroom: anonymous callers cannot sort claims by them.
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            raise NotAllowed("The has_checks filter is for authenticated users.", code="not_authenticated")
        return queryset.filter(has_checks=value == "true")

    def filter_period_on(self, queryset, name, value):
        return queryset.filter(
            Q(period_start__isnull=False) | Q(period_end__isnull=False),
            Q(period_start__isnull=True) | Q(period_start__lte=value),
            Q(period_end__isnull=True) | Q(period_end__gte=value),
        )

    def filter_q(self, queryset, name, value):
        return search_claims(queryset, value)

    def filter_ordering(self, queryset, name, value):
        # The pagination reads the key from the queryset's ordering.
        return queryset.order_by(value)


class EvidenceFilter(django_filters.FilterSet):
    claim = IdFilter(field_name="claim_id")
    stance = django_filters.ChoiceFilter(choices=Evidence.Stance.choices)

    class Meta:
        model = Evidence
        fields = ["claim", "stance"]


class EntityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Entity.Kind.choices)
    q = django_filters.CharFilter(method="filter_q", max_length=200, help_text="Words in the name or slug.")

    class Meta:
        model = Entity
        fields = ["kind", "q"]

    def filter_q(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(slug__icontains=word))
        return queryset
