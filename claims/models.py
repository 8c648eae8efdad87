"""Entities, claims, their evidence, and the moderation log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from project.bidi import isolated
from project.text import shortened
from project.validation import one_line, readable
from sources.models import Span

CLAIM_TEXT_MAX_LENGTH = 500
# A claim named in a heading, a breadcrumb, a select: its first words, at most this long.
TITLE_LENGTH = 80
# A claim's working notes, and the note on one item of evidence (as on a relation): room for
# a long explanation, not for a pasted document (which is a source).
NOTES_MAX_LENGTH = 50_000
NOTE_MAX_LENGTH = 10_000


ALIASES_MAX = 100
ALIAS_MAX_LENGTH = 300


def aliases_list(value) -> None:
    """Model field validator: an entity's aliases are a list of at most ``ALIASES_MAX``
    names, each one line of at most ``ALIAS_MAX_LENGTH`` characters. The column holds any
    JSON: the admin's JSON field stored ``"str"``, ``{"a": 1}`` and ``[[[1]]]``, which the
    API then showed garbled and an export carried to an import that refused them."""
    if not isinstance(value, list) or not all(isinstance(alias, str) for alias in value):
        raise ValidationError("Aliases are a list of names.", code="invalid_aliases")
    if len(value) > ALIASES_MAX:
        raise ValidationError(f"At most {ALIASES_MAX} aliases.", code="too_many_aliases")
    for alias in value:
        if not alias.strip():
            raise ValidationError("An alias is a name: not an empty one.", code="empty_alias")
        if len(alias) > ALIAS_MAX_LENGTH:
            raise ValidationError(f"An alias has at most {ALIAS_MAX_LENGTH} characters.", code="alias_too_long")
        one_line(alias)
        readable(alias)


class Entity(models.Model):
    """What claims are about: a country, a person, an organization, an event."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        PERSON = "person", "Person"
        ORGANIZATION = "organization", "Organization"
        EVENT = "event", "Event"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300, validators=[one_line, readable])
    slug = models.SlugField(max_length=300, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q159.")],
    )
    aliases = models.JSONField(default=list, blank=True, validators=[aliases_list])

    # Renaming an entity changes what published claims show: who did it, and when, is kept.
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "entities"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["country", "person", "organization", "event", "other"]),
                name="entity_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return isolated(self.name)


class Claim(models.Model):
    """One atomic, checkable statement, moderated before it is public."""

    class Verdict(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        SUPPORTED = "supported", "Supported"
        REFUTED = "refuted", "Refuted"
        DISPUTED = "disputed", "Disputed"
        UNVERIFIABLE = "unverifiable", "Unverifiable"

    class Confidence(models.TextChoices):
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        RETRACTED = "retracted", "Retracted"

    # Its identity across databases (export and import); assigned once.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    text = models.CharField(max_length=CLAIM_TEXT_MAX_LENGTH, validators=[readable])
    entities = models.ManyToManyField(Entity, blank=True, related_name="claims")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, default=Verdict.UNVERIFIED)
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # No index of its own on these columns: composite indexes (see Meta) lead with them.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_claims", db_index=False
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_claims",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The claim this one corrects; it is retracted when this one is published.",
    )
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(NOTES_MAX_LENGTH)])
    # Derived: true while any evidence span is orphaned, or while the claim is published and
    # contradicts another published claim. Kept up to date by the services
    # (see ``claims.services.claims_refresh_attention``) so that lists can filter on an index.
    needs_attention = models.BooleanField(default=False, editable=False)
    # Derived: the editorial checks' warnings (``claims/checks.py``), ``[{code, message}]``,
    # and whether there are any. Refreshed in the same transaction as every change of the
    # claim, its evidence or a cited source (``claims.editorial.refresh_checks``), so that
    # lists can filter on an index.
    check_warnings = models.JSONField(default=list, editable=False)
    has_checks = models.BooleanField(default=False, editable=False)

    # The history is read by claim (its ``id`` index) and date; it needs no other index.
    history = HistoricalRecords(
        excluded_fields=["needs_attention", "uid", "check_warnings", "has_checks"],
        no_db_index=["author", "reviewer", "supersedes"],
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_claim", "Can moderate claims (approve, reject, retract...)")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True) | ~Q(reviewer=F("author")),
                name="claim_reviewer_is_not_author",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=F("period_end")),
                name="claim_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | (Q(reviewer__isnull=False) & ~Q(confidence="")),
                name="claim_published_is_reviewed",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "in_review",
                        "changes_requested",
                        "published",
                        "rejected",
                        "retracted",
                    ]
                ),
                name="claim_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    verdict__in=["unverified", "supported", "refuted", "disputed", "unverifiable"]
                ),
                name="claim_verdict_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=["", "low", "moderate", "high"]),
                name="claim_confidence_valid",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")), name="claim_does_not_supersede_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="claim_status_created"),
            models.Index(fields=["-created_at", "-id"], name="claim_created"),
            models.Index(fields=["status", "-published_at", "-id"], name="claim_status_published"),
            models.Index(fields=["verdict"]),
            models.Index(fields=["confidence"]),
            models.Index(fields=["author", "status"]),
            # The natural key (author, text): the demo loader and import_claims find an
            # existing claim by it.
            models.Index(fields=["author", "text"], name="claim_author_text"),
            models.Index(fields=["period_start", "period_end"]),
            models.Index(
                fields=["needs_attention"],
                condition=Q(needs_attention=True),
                name="claim_needs_attention",
            ),
            models.Index(fields=["has_checks"], condition=Q(has_checks=True), name="claim_has_checks"),
        ]

    def __str__(self) -> str:
        text = isolated(shortened(self.text, TITLE_LENGTH))
        return f"#{self.pk} {text}" if self.pk else text

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


EDITABLE_STATUSES = frozenset({Claim.Status.DRAFT, Claim.Status.CHANGES_REQUESTED})


class ClaimContributor(models.Model):
    """Someone who wrote or changed a claim's content (text, verdict, confidence, entities,
    period, evidence, notes, the claim it corrects) or what it shows (a source it cites, an
    entity it is tagged with), at any time: the four-eyes rule
    keeps them from deciding on it. Written by the services on every such change; never
    removed."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="contributions", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_contributed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim_id", "first_contributed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "user"], name="claim_contributor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on claim #{self.claim_id}"


class Evidence(models.Model):
    """Links a claim to a span of a source, with a stance."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        REFUTES = "refutes", "Refutes"
        CONTEXT = "context", "Context"

    # Indexed by the (claim, span) unique constraint and the (span, claim) index.
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence", db_index=False)
    span = models.ForeignKey(Span, on_delete=models.PROTECT, related_name="evidence", db_index=False)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.SUPPORTS)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim_id", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["claim", "span"], name="evidence_one_per_claim_span"),
            models.CheckConstraint(
                condition=Q(stance__in=["supports", "refutes", "context"]),
                name="evidence_stance_valid",
            ),
        ]
        indexes = [models.Index(fields=["span", "claim"]), models.Index(fields=["stance"])]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.span}"


class ReviewQuerySet(models.QuerySet):
    """Bulk changes would bypass ``Review.save``/``delete``; the log refuses them too."""

    def update(self, **kwargs):
        raise ValueError("The moderation log is append-only.")

    def delete(self):
        raise ValueError("The moderation log is append-only.")

    update.queryset_only = True
    delete.queryset_only = True


class Review(models.Model):
    """The moderation log: one row per transition, never changed or deleted."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "Submit"
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"
        REJECT = "reject", "Reject"
        RETRACT = "retract", "Retract"
        REOPEN = "reopen", "Reopen"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="reviews", db_index=False)  # (claim, created_at)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Claim.Status.choices)
    to_status = models.CharField(max_length=20, choices=Claim.Status.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["claim", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The moderation log is append-only.")


class ClaimRelation(models.Model):
    """A typed link between two claims: one is a duplicate of the other, contradicts it,
    or is related to it. ``supersedes`` (a correction) is a field of the claim, not this."""

    class Kind(models.TextChoices):
        DUPLICATE_OF = "duplicate_of", "Duplicate of"
        CONTRADICTS = "contradicts", "Contradicts"
        RELATED = "related", "Related"

    # Indexed by the (from, to, kind) unique constraint and the (to, kind) index.
    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_from", db_index=False)
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_to", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(no_db_index=["created_by"])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["from_claim", "to_claim", "kind"], name="claim_relation_one_per_kind"),
            models.CheckConstraint(condition=~Q(from_claim=F("to_claim")), name="claim_relation_not_to_itself"),
            models.CheckConstraint(
                condition=Q(kind__in=["duplicate_of", "contradicts", "related"]), name="claim_relation_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["to_claim", "kind"], name="claim_relation_to_kind")]

    def __str__(self) -> str:
        return f"#{self.from_claim_id} {self.get_kind_display().lower()} #{self.to_claim_id}"


class DemoEntry(models.Model):
    """What ``seed_demo`` last loaded of one entry of the demo corpus: its fingerprint.

    Loading again leaves an entry the corpus has not changed since as the people using the
    demo left it (a claim they retracted, an entity they renamed); only an entry the corpus
    changed is brought in line with it."""

    key = models.CharField(max_length=200, unique=True)  # "source:<seed>", "entity:<slug>", "claim:<key>"
    fingerprint = models.CharField(max_length=64)
    # The row loaded for it: found again by it, whatever people changed of its text.
    object_id = models.BigIntegerField(null=True, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key
