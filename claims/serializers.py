"""API shapes of entities, claims, evidence and the moderation log.

Input serializers check types and ranges only; the rules (who may edit, the freeze, the
workflow) are ``claims.services``'. Output serializers read prefetched rows and never query:
a list page costs the same number of queries for 10 claims as for 200.
"""

from __future__ import annotations

from django.utils.text import slugify
from rest_framework import serializers

from project.api import QueryInteger, SingleValuedQuery, StrictWrites, WriteSerializer
from project.calendar_fields import CalendarDateField
from sources.anchoring import MAX_CANDIDATES, MAX_CONTEXT_LENGTH, MAX_QUOTE_LENGTH
from sources.models import Source, Span
from sources.serializers import MAX_ID, MAX_OFFSET, SpanSummarySerializer, StrictInteger, id_field, username_of

from . import checks
from .models import ALIAS_MAX_LENGTH, ALIASES_MAX, CLAIM_TEXT_MAX_LENGTH, Claim, ClaimRelation, Entity, Evidence, Review, aliases_list
from .services import EvidenceInput

MAX_INLINE_EVIDENCE = 50
MAX_ENTITIES = 100

# ---------------------------------------------------------------------------------------------
# Entities


class EntitySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Entity.Kind.choices)


class EntitySerializer(StrictWrites, serializers.ModelSerializer):
    """An entity; ``slug`` is made from the name when not given."""

    slug = serializers.SlugField(max_length=300, required=False)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=ALIAS_MAX_LENGTH), max_length=ALIASES_MAX, required=False,
        validators=[aliases_list],
    )

    class Meta:
        model = Entity
        fields = ["id", "name", "slug", "kind", "wikidata_id", "aliases"]

    def validate_slug(self, value: str) -> str:
        taken = Entity.objects.filter(slug=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError("An entity with this slug exists.")
        return value

    def create(self, validated_data: dict) -> Entity:
        if not validated_data.get("slug"):
            validated_data["slug"] = self._free_slug(validated_data["name"])
        return super().create(validated_data)

    @staticmethod
    def _free_slug(name: str) -> str:
        base = slugify(name)[:280] or "entity"
        slug, number = base, 1
        while Entity.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        return slug


# ---------------------------------------------------------------------------------------------
# Evidence


class EvidenceSummarySerializer(serializers.Serializer):
    """Evidence inside a claim: the stance and the span, with its source's summary."""

    id = serializers.IntegerField()
    stance = serializers.ChoiceField(choices=Evidence.Stance.choices)
    span = SpanSummarySerializer()


class EvidenceDetailSerializer(EvidenceSummarySerializer):
    note = serializers.CharField()
    added_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_added_by(self, evidence: Evidence) -> str | None:
        return username_of(evidence.added_by)


class EvidenceSerializer(EvidenceDetailSerializer):
    """An evidence row on its own, naming its claim."""

    claim = serializers.IntegerField(source="claim_id")


class EvidenceItemSerializer(WriteSerializer):
    """One evidence item: an existing ``span`` (id), or a ``source`` (id) with a ``quote``
    (``occurrence``, ``prefix``, ``suffix`` choose among repeats) or ``start``/``end``."""

    span = id_field(Span.objects.all(), required=False)
    source = id_field(Source.objects.defer("text"), required=False)  # span_create reads the text
    quote = serializers.CharField(required=False, trim_whitespace=False, max_length=MAX_QUOTE_LENGTH)
    start = StrictInteger(min_value=0, max_value=MAX_OFFSET, required=False)
    end = StrictInteger(min_value=0, max_value=MAX_OFFSET, required=False)
    prefix = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_CONTEXT_LENGTH
    )
    suffix = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_CONTEXT_LENGTH
    )
    occurrence = StrictInteger(min_value=1, max_value=MAX_CANDIDATES, required=False)
    stance = serializers.ChoiceField(choices=Evidence.Stance.choices, default=Evidence.Stance.SUPPORTS)
    note = serializers.CharField(allow_blank=True, default="")

    def validate(self, data: dict) -> dict:
        anchoring = {"quote", "start", "end", "prefix", "suffix", "occurrence"} & set(data)
        if ("span" in data) == ("source" in data):
            raise serializers.ValidationError("Give either span (an id) or source with a quote or offsets.")
        if "span" in data and anchoring:
            raise serializers.ValidationError(
                {name: ["Not with span: the span is already anchored."] for name in sorted(anchoring)}
            )
        return data


class EvidenceCreateSerializer(EvidenceItemSerializer):
    claim = id_field(Claim.objects.all())


class EvidenceUpdateSerializer(WriteSerializer):
    stance = serializers.ChoiceField(choices=Evidence.Stance.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)


# ---------------------------------------------------------------------------------------------
# Claims


class ClaimSerializer(serializers.Serializer):
    """A claim as lists show it: lean, with evidence (span and source summary) and entities."""

    id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=Claim.Status.choices)
    verdict = serializers.ChoiceField(choices=Claim.Verdict.choices)
    confidence = serializers.ChoiceField(
        choices=Claim.Confidence.choices, allow_null=True, help_text="Null until set (required for approval)."
    )
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    author = serializers.SerializerMethodField()
    reviewer = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    needs_attention = serializers.BooleanField(
        help_text="True while any evidence span is orphaned, or the claim is published and contradicts another published claim."
    )
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    entities = EntitySummarySerializer(many=True, source="entities.all")
    evidence = EvidenceSummarySerializer(many=True, source="evidence.all")

    def get_author(self, claim: Claim) -> str:
        return claim.author.get_username()

    def get_reviewer(self, claim: Claim) -> str | None:
        return username_of(claim.reviewer)

    def to_representation(self, claim: Claim) -> dict:
        data = super().to_representation(claim)
        data["confidence"] = data["confidence"] or None
        return data


class ContributorsField(serializers.ListField):
    """A claim's contributors (prefetched ``contributions``), author first."""

    child = serializers.CharField()

    def to_representation(self, claim: Claim) -> list[str]:
        author = claim.author.get_username()
        others = [contribution.user.get_username() for contribution in claim.contributions.all()]
        return [author, *(name for name in others if name != author)]


class CheckWarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[(code, code) for code in checks.CODES])
    message = serializers.CharField()


class ClaimDetailSerializer(ClaimSerializer):
    """A claim with everything: notes, evidence with its note and who added it, and (for
    authenticated callers) the editorial checks' warnings."""

    notes = serializers.CharField()
    evidence = EvidenceDetailSerializer(many=True, source="evidence.all")
    contributors = ContributorsField(
        source="*",
        required=False,  # absent for anonymous callers
        help_text="Usernames of everyone who wrote or changed its content, author first "
        "(authenticated callers only): none of them may decide on it.",
    )
    checks = CheckWarningSerializer(
        many=True,
        source="check_warnings",
        required=False,
        help_text="Editorial warnings (claims/checks.py); authenticated callers only.",
    )

    def to_representation(self, claim: Claim) -> dict:
        data = super().to_representation(claim)
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            data.pop("contributors", None)
            data.pop("checks", None)
        return data


class ClaimWriteSerializer(WriteSerializer):
    """Content fields. ``entities`` are ids; ``supersedes`` is the id of the claim this one
    corrects."""

    text = serializers.CharField(max_length=CLAIM_TEXT_MAX_LENGTH)
    verdict = serializers.ChoiceField(choices=Claim.Verdict.choices, required=False)
    confidence = serializers.ChoiceField(
        choices=Claim.Confidence.choices, required=False, allow_null=True, allow_blank=True
    )
    period_start = CalendarDateField(required=False, allow_null=True)
    period_end = CalendarDateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    supersedes = id_field(Claim.objects.all(), required=False, allow_null=True)
    entities = serializers.ListField(
        child=StrictInteger(min_value=1, max_value=MAX_ID), max_length=MAX_ENTITIES, required=False
    )

    def validate_entities(self, ids: list[int]) -> list[Entity]:
        found = {entity.pk: entity for entity in Entity.objects.filter(pk__in=ids)}
        missing = sorted(set(ids) - set(found))
        if missing:
            raise serializers.ValidationError(f"No entity with id {', '.join(map(str, missing))}.")
        return [found[pk] for pk in dict.fromkeys(ids)]

    def validate(self, data: dict) -> dict:
        start = data.get("period_start", getattr(self.instance, "period_start", None))
        end = data.get("period_end", getattr(self.instance, "period_end", None))
        if start and end and start > end:
            raise serializers.ValidationError({"period_end": ["The period ends before it starts."]})
        if data.get("confidence") is None and "confidence" in data:
            data["confidence"] = ""
        return data


class ClaimCreateSerializer(ClaimWriteSerializer):
    evidence = EvidenceItemSerializer(many=True, required=False, max_length=MAX_INLINE_EVIDENCE)

    def validated_evidence(self) -> list[EvidenceInput]:
        return [EvidenceInput(**item) for item in self.validated_data.get("evidence", [])]


class TransitionSerializer(WriteSerializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10_000,
        help_text="Required to reject, request changes, retract and reopen.",
    )


class ReviewSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "claim", "action", "from_status", "to_status", "actor", "comment", "created_at"]
        read_only_fields = fields

    def get_actor(self, review: Review) -> str:
        return review.actor.get_username()


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True, help_text="The value before; a user (`author`, `reviewer`) by username.")
    new = serializers.JSONField(allow_null=True, help_text="The value after; a user (`author`, `reviewer`) by username.")


class HistoryEntrySerializer(serializers.Serializer):
    """One record of the field history: who changed what, when."""

    object = serializers.ChoiceField(choices=["claim", "evidence", "relation"])
    object_id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


# ---------------------------------------------------------------------------------------------
# Relations and similar claims


class ClaimRelationSerializer(serializers.Serializer):
    """A relation between two claims: ``from_claim`` is a duplicate of, contradicts, or is
    related to ``to_claim``."""

    id = serializers.IntegerField()
    from_claim = serializers.IntegerField(source="from_claim_id")
    to_claim = serializers.IntegerField(source="to_claim_id")
    kind = serializers.ChoiceField(choices=ClaimRelation.Kind.choices)
    note = serializers.CharField()
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_created_by(self, relation: ClaimRelation) -> str | None:
        return username_of(relation.created_by)


class _TextOnly(serializers.CharField):
    """Text, and only text: a number or a list is refused rather than turned into a string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ClaimRelationCreateSerializer(WriteSerializer):
    to_claim = StrictInteger(min_value=1, max_value=MAX_ID, help_text="The other claim's id.")
    kind = serializers.ChoiceField(choices=ClaimRelation.Kind.choices)
    note = _TextOnly(required=False, allow_blank=True, max_length=10_000, default="")


class ClaimWithRelationsSerializer(ClaimDetailSerializer):
    """A claim's detail, with the relations the caller may see (set by the view)."""

    relations = ClaimRelationSerializer(many=True, source="visible_relations")


class SimilarQuerySerializer(SingleValuedQuery):
    text = _TextOnly(max_length=1000, help_text="The statement to look for (up to 1,000 characters).")
    limit = QueryInteger(min_value=1, max_value=50, default=10)
    exclude = QueryInteger(
        min_value=1, max_value=MAX_ID, required=False, help_text="A claim id to leave out (the claim being edited)."
    )


class ClaimSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=Claim.Status.choices)
    verdict = serializers.ChoiceField(choices=Claim.Verdict.choices)
    confidence = serializers.ChoiceField(choices=Claim.Confidence.choices, allow_null=True)


class SimilarClaimSerializer(serializers.Serializer):
    claim = ClaimSummarySerializer()
    score = serializers.FloatField(min_value=0, max_value=1)
