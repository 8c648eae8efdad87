"""The changes feed (an outbox written in the same transaction as each change) and the
webhooks that push it to other systems."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Event(models.Model):
    """One change, written by the transaction that made it.

    ``seq`` is not known at insert: it is assigned after the transaction commits, by the
    sequencer (``feed.sequencing``), in the order events became visible. The feed shows
    numbered events only, so a number once seen is never followed by a smaller one.
    """

    class Type(models.TextChoices):
        CLAIM_CREATED = "claim.created", "Claim created"
        CLAIM_UPDATED = "claim.updated", "Claim updated"
        CLAIM_STATUS_CHANGED = "claim.status_changed", "Claim status changed"
        CLAIM_PUBLISHED = "claim.published", "Claim published"
        CLAIM_RETRACTED = "claim.retracted", "Claim retracted"
        CLAIM_DELETED = "claim.deleted", "Claim deleted"
        SOURCE_CREATED = "source.created", "Source created"
        SOURCE_UPDATED = "source.updated", "Source updated"
        SOURCE_DELETED = "source.deleted", "Source deleted"

    seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    # The public events' own numbers, given with ``seq`` (1, 2, 3... among public events):
    # what anonymous callers see and page by. Their ``seq``, with a gap for every hidden
    # event, would tell them how much draft work went on, and when.
    public_seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    type = models.CharField(max_length=40, choices=Type.choices)
    # Plain ids, not foreign keys: a deleted draft keeps its events, and the outbox never
    # holds a lock on the rows it describes.
    claim = models.BigIntegerField(null=True, blank=True)
    source = models.BigIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, blank=True, help_text="The claim's status after the change.")
    public = models.BooleanField(default=False, help_text="Shown to anonymous callers.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq"]
        indexes = [
            # The sequencer's work list; empty almost always.
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="event_unsequenced"),
            # A page of the feed of some types (``?types=``, a webhook's types): each type's
            # events after a number, a range scan (``selectors.events_after``). Walking the
            # whole feed after that number for a rare type took 0.26 s at a million events.
            models.Index(fields=["type", "seq"], condition=Q(seq__isnull=False), name="event_type_seq"),
            models.Index(fields=["type", "public_seq"], condition=Q(public_seq__isnull=False), name="event_type_public_seq"),
        ]

    def __str__(self) -> str:
        subject = f"claim #{self.claim}" if self.claim is not None else f"source #{self.source}"
        number = f"#{self.seq}" if self.seq is not None else "(unnumbered)"
        return f"{number} {self.type} {subject}"

    def as_payload(self, *, public: bool = False) -> dict:
        """The event as the feed and webhooks send it; ``public``: as anonymous callers see
        it, numbered among public events (``public_seq``)."""
        return {
            "seq": self.public_seq if public else self.seq,
            "type": self.type,
            "claim": self.claim,
            "source": self.source,
            "version": self.version,
            "status": self.status or None,
            "at": self.at.isoformat().replace("+00:00", "Z"),
        }


class Numbering(models.TextChoices):
    """How a webhook's receiver is sent the events' numbers (``X-Claimbase-Numbering``)."""

    PUBLIC = "public", "The public events' own numbers (public_seq)"
    ALL = "all", "The feed's own seq"


# A receiver keeps the last seq it saw and drops what comes numbered below it: a webhook
# switched to the smaller public numbers after sending would lose every later event for it.
# Its log cannot tell (the worker prunes it), so the first event sent fixes the numbering.
NUMBERING_FIXED = models.CheckConstraint(
    condition=Q(sent_numbering="")
    | Q(sent_numbering=Numbering.PUBLIC, public_only=True)
    | Q(sent_numbering=Numbering.ALL, public_only=False),
    name="webhook_numbering_fixed_once_sent",
    violation_error_message=(
        "This webhook has sent events, numbered for its receiver by the numbering this box sets now; changing "
        "it would renumber the events that follow, and a receiver that keeps the last seq it saw would drop "
        "them. Add a new webhook for the other kind of events."
    ),
)


class Webhook(models.Model):
    """A URL that receives every event of the chosen types, in ``seq`` order, signed.

    ``public_only`` decides the numbering its receiver is sent, and is fixed once an event
    was sent (``sent_numbering``, ``NUMBERING_FIXED``): the database refuses the change on
    every path, and ``clean`` says why to a form."""

    url = models.URLField(max_length=2048)
    secret = models.CharField(
        max_length=200, help_text="Signs each body: X-Claimbase-Signature: sha256=<HMAC-SHA256 hex>."
    )
    types = models.JSONField(
        default=list, blank=True, help_text="Event types to deliver (a list); empty for all."
    )
    public_only = models.BooleanField(
        default=True, help_text="Deliver only the events anonymous callers may see."
    )
    active = models.BooleanField(default=True)
    # Delivery state, kept by the worker.
    last_seq = models.BigIntegerField(
        default=0,
        help_text="Events up to this seq are queued for this webhook: delivered, waiting, or not sent (see the delivery log).",
    )
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_owner = models.CharField(max_length=64, blank=True, editable=False)
    # Set by the worker before it sends the first event; never cleared.
    # Its database default too: the code of the release before, serving while this one's
    # migration runs, inserts webhooks without it (a NOT NULL refusal had been a 500).
    sent_numbering = models.CharField(
        max_length=6, choices=Numbering.choices, blank=True, editable=False, default="", db_default="",
        help_text="The numbering of the events sent so far, fixed by the first one sent.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [NUMBERING_FIXED]

    def __str__(self) -> str:
        return self.url

    @property
    def numbering(self) -> str:
        """The numbering its receiver is sent now (``X-Claimbase-Numbering``)."""
        return Numbering.PUBLIC if self.public_only else Numbering.ALL

    def clean(self) -> None:
        """``NUMBERING_FIXED`` asked of these values (a form's) before they are saved, and
        said on the field it concerns. A form leaves the constraint out of its own checks,
        ``sent_numbering`` being none of its fields."""
        try:
            NUMBERING_FIXED.validate(Webhook, self)
        except ValidationError as error:
            raise ValidationError({"public_only": error.messages}) from error

    def wants(self, event: Event) -> bool:
        """Whether this webhook takes ``event``: ``wanted`` as a test of one event."""
        return (event.public or not self.public_only) and (not self.types or event.type in self.types)

    def wanted(self) -> Q:
        """The events this webhook takes, as a query: ``wants`` over a table."""
        condition = Q()
        if self.public_only:
            condition &= Q(public=True)
        if self.types:
            condition &= Q(type__in=self.types)
        return condition


class Delivery(models.Model):
    """One event to one webhook: its attempts and outcome (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        # Queued, then not sent: the webhook's types or public_only changed meanwhile.
        SKIPPED = "skipped", "Skipped"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    # X-Claimbase-Delivery: the same for each attempt, and telling nothing (the row's number
    # would count the deliveries to every other webhook).
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    seq = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When the attempt in flight was sent; cleared when its answer (or its failure) is
    # recorded. Left set by a worker that stopped while it waited.
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["webhook_id", "seq"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="delivery_one_per_webhook_event"),
        ]
        indexes = [models.Index(fields=["webhook", "status", "seq"], name="delivery_webhook_queue")]

    def __str__(self) -> str:
        return f"#{self.seq} to {self.webhook}: {self.get_status_display()}"
