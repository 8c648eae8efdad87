"""Writing the outbox: receivers that turn saved rows into events, inside the transaction
that saved them (so an event exists if and only if its change committed).

They listen to the models, not the services, so every path that saves through the ORM
(API, admin, history restore, commands) records its changes without knowing about the
feed. What each row means:

- a Review row (one per workflow transition) gives ``claim.published`` (approve),
  ``claim.retracted`` (retract) or ``claim.status_changed`` (the other actions);
- a Claim saved with the same status is ``claim.updated``; a new one ``claim.created``; a
  deleted draft ``claim.deleted``;
- claims whose versions were bumped together (``claims.versions.claims_changed``: evidence
  re-anchored, a reviewed source or entity edited, a contradiction's other side flagged or
  cleared, warnings recomputed) are ``claim.updated`` each;
- a Source saved is ``source.created`` or ``source.updated``; a deleted one (it had no
  spans) ``source.deleted``;
- a relation between two claims recorded or removed is ``claim.updated`` for both claims
  (their detail lists their relations; the service bumps their versions first), public
  only when both claims are (a public claim related to a hidden one keeps its version);

Public (shown to anonymous callers): what happens to a public claim (published or
retracted), its publication and retraction, a public claim leaving public view (reopened),
and source changes (source metadata is public). Draft work is not.

``import_claims`` writes its rows in bulk, without these signals; it sends ``rows_imported``
for each batch instead: ``claim.created`` for each new claim (public if it arrives published
or retracted: a consumer mirroring published claims reads the event's ``status``),
``source.created`` for each new source, and ``claim.updated`` for a claim already present
that an imported relation changed. Rows written raw (fixtures) record no events.
"""

from __future__ import annotations

from django.db import connections
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver
from django.utils import timezone

from claims.models import Claim, ClaimRelation, Review
from claims.transfer.importing import rows_imported
from claims.transfer.rows import RowWriter
from claims.selectors import PUBLIC_STATUSES
from claims.versions import claims_changed
from sources.models import Source

from .models import Event
from .sequencing import write_alias

Type = Event.Type
Action = Review.Action

TRANSITION_TYPES = {
    Action.APPROVE: Type.CLAIM_PUBLISHED,
    Action.RETRACT: Type.CLAIM_RETRACTED,
}


def record(type: str, *, using: str, public: bool, claim: int | None = None, source: int | None = None,
           version: int | None = None, status: str = "") -> Event:
    """Write one event in the current transaction; it is numbered after that commits, when
    the feed or the webhook worker next needs it (``feed.sequencing``)."""
    return Event.objects.using(using).create(
        type=type, claim=claim, source=source, version=version, status=status, public=public
    )


@receiver(post_init, sender=Claim, dispatch_uid="feed_claim_loaded")
def _claim_loaded(sender, instance: Claim, **kwargs) -> None:
    # The status as loaded (the services load a claim under its row lock, then save it): a
    # save that changes it is a transition, and its Review row tells which.
    instance._feed_status_loaded = instance.__dict__.get("status")


def _status_before(instance: Claim, using: str) -> str | None:
    loaded = getattr(instance, "_feed_status_loaded", None)
    if loaded is not None:
        return loaded
    # Loaded without its status (a deferred field): ask the database.
    return Claim._default_manager.using(using).filter(pk=instance.pk).values_list("status", flat=True).first()


@receiver(post_save, sender=Claim, dispatch_uid="feed_claim_saved")
def _claim_saved(sender, instance: Claim, created: bool, raw: bool, using: str, **kwargs) -> None:
    if raw:
        return
    if created:
        kind = Type.CLAIM_CREATED
    elif _status_before(instance, using) == instance.status:
        kind = Type.CLAIM_UPDATED
    else:
        kind = None  # a transition: recorded from its Review row
    instance._feed_status_loaded = instance.status  # saved again later: compared with this
    if kind is not None:
        record(kind, using=using, claim=instance.pk, version=instance.version, status=instance.status,
               public=instance.status in PUBLIC_STATUSES)


@receiver(post_delete, sender=Claim, dispatch_uid="feed_claim_deleted")
def _claim_deleted(sender, instance: Claim, using: str, **kwargs) -> None:
    record(Type.CLAIM_DELETED, using=using, claim=instance.pk, version=instance.version,
           status=instance.status, public=instance.status in PUBLIC_STATUSES)


@receiver(post_save, sender=Review, dispatch_uid="feed_review_saved")
def _review_saved(sender, instance: Review, created: bool, raw: bool, using: str, **kwargs) -> None:
    if raw or not created:
        return
    claim = instance.claim  # the services pass the locked, just-saved claim
    kind = TRANSITION_TYPES.get(instance.action, Type.CLAIM_STATUS_CHANGED)
    public = instance.from_status in PUBLIC_STATUSES or instance.to_status in PUBLIC_STATUSES
    record(kind, using=using, claim=claim.pk, version=claim.version, status=instance.to_status,
           public=public)


@receiver(post_save, sender=Source, dispatch_uid="feed_source_saved")
def _source_saved(sender, instance: Source, created: bool, raw: bool, using: str, **kwargs) -> None:
    if raw:
        return
    record(Type.SOURCE_CREATED if created else Type.SOURCE_UPDATED, using=using,
           source=instance.pk, public=True)


@receiver(post_delete, sender=Source, dispatch_uid="feed_source_deleted")
def _source_deleted(sender, instance: Source, using: str, **kwargs) -> None:
    record(Type.SOURCE_DELETED, using=using, source=instance.pk, public=True)


@receiver(post_save, sender=ClaimRelation, dispatch_uid="feed_relation_saved")
@receiver(post_delete, sender=ClaimRelation, dispatch_uid="feed_relation_deleted")
def _relation_changed(sender, instance: ClaimRelation, using: str, raw: bool = False, created: bool = True, **kwargs) -> None:
    if raw or not created:
        return  # a note edited: what the claims show of it is not in the feed's payload
    claims = (
        Claim.objects.using(using).filter(pk__in=[instance.from_claim_id, instance.to_claim_id])
        .order_by("pk").values_list("pk", "version", "status")
    )
    claims = list(claims)
    # Anybody else sees a relation only when both claims are public (and then each claim's
    # version changed): a public claim related to a hidden one is staff's news.
    public = all(status in PUBLIC_STATUSES for _, _, status in claims)
    for pk, version, status in claims:
        record(Type.CLAIM_UPDATED, using=using, claim=pk, version=version, status=status, public=public)


@receiver(claims_changed, dispatch_uid="feed_claims_changed")
def _claims_changed(sender, claim_ids, **kwargs) -> None:
    # Sent after the versions were bumped (``claims.versions.bump_versions``).
    using = write_alias()
    claims = Claim.objects.using(using).filter(pk__in=claim_ids).order_by("pk").values_list("pk", "version", "status")
    Event.objects.using(using).bulk_create(
        Event(type=Type.CLAIM_UPDATED, claim=pk, version=version, status=status, public=status in PUBLIC_STATUSES)
        for pk, version, status in claims
    )


@receiver(rows_imported, dispatch_uid="feed_rows_imported")
def _rows_imported(sender, claims, sources, touched, **kwargs) -> None:
    using = write_alias()
    connection = connections[using]
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    created, updated, source_created = Type.CLAIM_CREATED.value, Type.CLAIM_UPDATED.value, Type.SOURCE_CREATED.value
    rows = [(created, pk, None, version, status, status in PUBLIC_STATUSES, at) for pk, version, status in claims]
    rows += [(updated, pk, None, version, status, status in PUBLIC_STATUSES, at) for pk, version, status in touched]
    rows += [(source_created, None, pk, None, "", True, at) for pk in sources]
    # The import's own bulk writer (COPY on PostgreSQL): a hundred thousand events in a
    # fraction of the time of as many INSERTs, even pipelined.
    RowWriter(connection).insert(Event, ("type", "claim", "source", "version", "status", "public", "at"), rows, adapted=True)
