"""Claims and their evidence: content edits and the moderation workflow.

Every rule of the workflow is written here once; the admin, the API and the commands call
these functions. Each function that changes a claim takes a row lock on it
(``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every transaction begins IMMEDIATE, which
serialises writers) and re-reads its state under that lock, so of two reviewers acting at
once exactly one succeeds and the other gets a ``Conflict``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.dispatch import receiver
from django.utils import timezone

from project.errors import Conflict, InvalidInput, NotAllowed, StaleVersion
from project.validation import refuse_nul_characters
from sources.models import Source, Span
from sources.services import AnchoringFailed, span_create, spans_reanchored

from .models import EDITABLE_STATUSES, Claim, Entity, Evidence, Review
from .relation_selectors import published_contradiction
from .roles import can_edit_content, is_analyst, is_reviewer

Status = Claim.Status
Verdict = Claim.Verdict
Stance = Evidence.Stance
Action = Review.Action

CONTENT_FIELDS = (
    "text",
    "verdict",
    "confidence",
    "period_start",
    "period_end",
    "notes",
    "supersedes",
)


@dataclass(frozen=True)
class EvidenceInput:
    """One evidence item: an existing span, or a source with offsets or a quote."""

    stance: str = Stance.SUPPORTS
    note: str = ""
    span: Span | None = None
    source: Source | None = None
    quote: str | None = None
    start: int | None = None
    end: int | None = None
    prefix: str | None = None
    suffix: str | None = None
    occurrence: int | None = None


# ---------------------------------------------------------------------------------------------
# Helpers


def _lock_claim(claim: Claim | int, expected_version: int | None = None) -> Claim:
    """Lock the claim's row for this transaction and check the caller's version."""
    pk = claim.pk if isinstance(claim, Claim) else claim
    locked = Claim.objects.select_for_update().get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(
            f"Claim #{pk} is at version {locked.version}, not {expected_version}; "
            "reload it and try again.",
            extra={"current_version": locked.version},
        )
    return locked


def _lock_sources(items: Iterable[EvidenceInput]) -> None:
    """Lock the sources that evidence items cite, in id order, before any claim.

    ``source_update`` locks a source, then re-anchors its spans and flags the claims citing
    them; taking sources before claims everywhere keeps the two from deadlocking, and keeps
    a source's text from changing while evidence is anchored in it.
    """
    ids = {
        item.span.source_id if item.span is not None else getattr(item.source, "pk", None)
        for item in items
    }
    ids.discard(None)
    if ids:
        locking = Source.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        list(locking.values_list("pk", flat=True))


def _check_supersedes(claim: Claim) -> None:
    """A correction points at another claim, and never, through a chain, back at itself."""
    seen = {claim.pk} if claim.pk else set()
    current = claim.supersedes_id
    while current is not None:
        if current in seen:
            raise InvalidInput(
                "A claim cannot supersede itself, directly or through the claims it corrects.",
                code="supersedes_cycle",
                extra={"errors": {"supersedes": ["This would make a cycle of corrections."]}},
            )
        seen.add(current)
        current = Claim.objects.filter(pk=current).values_list("supersedes_id", flat=True).first()


def _validated(instance, exclude: Sequence[str] = ()) -> None:
    # Field validation here; the check constraints are enforced by the database, and the
    # one a person can break by typing (the period's order) is checked without a query.
    start, end = getattr(instance, "period_start", None), getattr(instance, "period_end", None)
    if start and end and start > end:
        raise InvalidInput(
            "The period cannot end before it starts.",
            code="invalid",
            extra={"errors": {"period_end": ["The period cannot end before it starts."]}},
        )
    refuse_nul_characters(instance)
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        fields = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        first = next(iter(fields.values()))[0]
        raise InvalidInput(first, code="invalid", extra={"errors": fields}) from error


def _require_content_edit(claim: Claim, user) -> None:
    if not can_edit_content(user, claim):
        raise NotAllowed(
            "Only the claim's author or a reviewer may change its content.", code="not_editor"
        )
    if claim.status not in EDITABLE_STATUSES:
        raise Conflict(
            f"Claim #{claim.pk} is {claim.get_status_display().lower()}; its content can change "
            "only in draft or changes requested.",
            code="content_frozen",
        )


def _save(claim: Claim, user, reason: str, *, bump: bool = True) -> None:
    if bump:
        claim.version += 1
    claim._history_user = user
    claim._change_reason = reason
    claim.save()


def refresh_attention(claim_ids: Iterable[int], *, bump_version: bool = False) -> None:
    """Recompute ``needs_attention`` for these claims: any orphaned evidence span, or a
    published claim contradicting another published one (``claims.relation_selectors``)."""
    orphaned = Evidence.objects.filter(
        claim=OuterRef("pk"), span__anchor_state=Span.AnchorState.ORPHANED
    )
    attention = Q(Exists(orphaned)) | published_contradiction()
    updates: dict[str, Any] = {"needs_attention": ExpressionWrapper(attention, output_field=BooleanField())}
    if bump_version:
        updates["version"] = F("version") + 1
    Claim.objects.filter(pk__in=list(claim_ids)).update(**updates)


@receiver(spans_reanchored)
def _on_spans_reanchored(sender, span_ids, **kwargs) -> None:
    # Moved or orphaned evidence changes what a claim shows: flag it and bump its version,
    # so that ETags change too.
    claim_ids = set(
        Evidence.objects.filter(span_id__in=span_ids).values_list("claim_id", flat=True)
    )
    if claim_ids:
        refresh_attention(claim_ids, bump_version=True)


def _resolve_evidence_span(item: EvidenceInput, user) -> Span:
    if item.span is not None:
        # The caller's copy may predate a re-anchoring that orphaned it.
        span = Span.objects.get(pk=item.span.pk)
    elif item.source is not None:
        span, _ = span_create(
            source=item.source,
            user=user,
            start=item.start,
            end=item.end,
            quote=item.quote,
            prefix=item.prefix,
            suffix=item.suffix,
            occurrence=item.occurrence,
        )
    else:
        raise InvalidInput("Evidence needs a span, or a source with a quote.", code="span_unspecified")
    if span.anchor_state == Span.AnchorState.ORPHANED:
        raise InvalidInput(
            f"Span #{span.pk} is orphaned: its quote is no longer in the source.",
            code="span_orphaned",
        )
    return span


def _add_evidence(claim: Claim, item: EvidenceInput, user) -> Evidence:
    if item.stance not in Stance.values:
        raise InvalidInput(f"Unknown stance {item.stance!r}.", code="invalid_stance")
    span = _resolve_evidence_span(item, user)
    if Evidence.objects.filter(claim=claim, span=span).exists():
        raise InvalidInput(
            f"Span #{span.pk} is already evidence for claim #{claim.pk}.", code="duplicate_evidence"
        )
    evidence = Evidence(claim=claim, span=span, stance=item.stance, note=item.note, added_by=user)
    evidence._history_user = user
    evidence.save()
    return evidence


def _set_entities(claim: Claim, entities: Iterable[Entity | int]) -> None:
    claim.entities.set(list(entities))


# ---------------------------------------------------------------------------------------------
# Content


@transaction.atomic
def claim_create(
    *,
    author,
    text: str,
    verdict: str = Verdict.UNVERIFIED,
    confidence: str = "",
    entities: Iterable[Entity | int] = (),
    period_start=None,
    period_end=None,
    notes: str = "",
    supersedes: Claim | None = None,
    evidence: Sequence[EvidenceInput] = (),
) -> Claim:
    """Create a draft claim, with its evidence, in one transaction: all or nothing.

    An evidence item that fails names its index (``evidence[2]: ...``) and nothing is kept.
    """
    if not is_analyst(author):
        raise NotAllowed("Only analysts and reviewers create claims.", code="not_analyst")
    _lock_sources(evidence)
    claim = Claim(
        text=text,
        verdict=verdict,
        confidence=confidence or "",
        period_start=period_start,
        period_end=period_end,
        notes=notes,
        supersedes=supersedes,
        author=author,
    )
    _validated(claim)
    _check_supersedes(claim)
    claim._history_user = author
    claim.save()
    _set_entities(claim, entities)
    for index, item in enumerate(evidence):
        try:
            _add_evidence(claim, item, author)
        except (InvalidInput, AnchoringFailed) as error:
            raise InvalidInput(
                f"evidence[{index}]: {error.message}",
                code=error.code,
                extra={**error.extra, "evidence_index": index},
            ) from error
    refresh_attention([claim.pk])
    claim.refresh_from_db()
    return claim


@transaction.atomic
def claim_update(
    *, claim: Claim, user, expected_version: int | None = None, **changes: Any
) -> Claim:
    """Change a claim's content: only in draft or changes requested, by its author or a
    reviewer. ``entities`` may be given too. Bumps ``version`` once; a call that changes
    nothing leaves the version (and so the ETag) and the history alone."""
    unknown = set(changes) - set(CONTENT_FIELDS) - {"entities"}
    if unknown:
        raise InvalidInput(f"Unknown claim fields: {', '.join(sorted(unknown))}.", code="unknown_field")
    locked = _lock_claim(claim, expected_version)
    _require_content_edit(locked, user)
    entities = changes.pop("entities", None)
    if "confidence" in changes and changes["confidence"] is None:
        changes["confidence"] = ""
    attnames = [Claim._meta.get_field(name).attname for name in changes]
    before = [getattr(locked, attname) for attname in attnames]
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.supersedes_id and locked.supersedes_id == locked.pk:
        raise InvalidInput("A claim cannot supersede itself.", code="supersedes_self")
    _validated(locked)
    _check_supersedes(locked)
    changed = before != [getattr(locked, attname) for attname in attnames]
    if entities is not None:
        entity_ids = {entity.pk if isinstance(entity, Entity) else int(entity) for entity in entities}
        if entity_ids != set(locked.entities.values_list("pk", flat=True)):
            _set_entities(locked, entity_ids)
            changed = True
    if changed:
        _save(locked, user, "Content edited")
    return locked


@transaction.atomic
def claim_delete(*, claim: Claim, user) -> None:
    """Only a never-submitted draft can be deleted; anything else is retracted instead."""
    locked = _lock_claim(claim)
    if not can_edit_content(user, locked):
        raise NotAllowed("Only the claim's author or a reviewer may delete it.", code="not_editor")
    if locked.status != Status.DRAFT or locked.submitted_at or locked.reviews.exists():
        raise Conflict(
            "A claim that was ever submitted is never deleted; retract it instead.",
            code="claim_was_submitted",
        )
    if locked.superseded_by.exists():
        raise Conflict("Another claim supersedes this one.", code="claim_is_superseded")
    # Delete the evidence one by one so that its history names who removed it.
    for evidence in locked.evidence.all():
        evidence._history_user = user
        evidence.delete()
    locked._history_user = user
    locked.delete()


@transaction.atomic
def evidence_add(
    *, claim: Claim, user, item: EvidenceInput, expected_version: int | None = None
) -> Evidence:
    """Add evidence to an editable claim; bumps the claim's version."""
    _lock_sources([item])
    locked = _lock_claim(claim, expected_version)
    _require_content_edit(locked, user)
    evidence = _add_evidence(locked, item, user)
    refresh_attention([locked.pk])
    locked.refresh_from_db()
    _save(locked, user, "Evidence added")
    return evidence


@transaction.atomic
def evidence_update(
    *, evidence: Evidence, user, stance: str | None = None, note: str | None = None
) -> Evidence:
    """Change an evidence row's stance or note, under the same freeze as the claim."""
    locked = _lock_claim(evidence.claim_id)
    _require_content_edit(locked, user)
    evidence = Evidence.objects.get(pk=evidence.pk)
    before = (evidence.stance, evidence.note)
    if stance is not None:
        if stance not in Stance.values:
            raise InvalidInput(f"Unknown stance {stance!r}.", code="invalid_stance")
        evidence.stance = stance
    if note is not None:
        evidence.note = note
    if (evidence.stance, evidence.note) == before:
        return evidence
    evidence._history_user = user
    evidence.save()
    _save(locked, user, "Evidence edited")
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user) -> None:
    """Remove evidence from an editable claim; the span stays."""
    locked = _lock_claim(evidence.claim_id)
    _require_content_edit(locked, user)
    evidence = Evidence.objects.get(pk=evidence.pk)
    evidence._history_user = user
    evidence.delete()
    refresh_attention([locked.pk])
    locked.refresh_from_db()
    _save(locked, user, "Evidence removed")


# ---------------------------------------------------------------------------------------------
# Workflow


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    comment_required: bool
    four_eyes: bool


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(Action.SUBMIT, frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}), Status.IN_REVIEW, False, False),
        Transition(Action.APPROVE, frozenset({Status.IN_REVIEW}), Status.PUBLISHED, False, True),
        Transition(Action.REQUEST_CHANGES, frozenset({Status.IN_REVIEW}), Status.CHANGES_REQUESTED, True, True),
        Transition(Action.REJECT, frozenset({Status.IN_REVIEW}), Status.REJECTED, True, True),
        Transition(Action.RETRACT, frozenset({Status.PUBLISHED}), Status.RETRACTED, True, False),
        Transition(Action.REOPEN, frozenset({Status.REJECTED, Status.RETRACTED}), Status.DRAFT, True, False),
    )
}


def allowed_actions(claim: Claim, user) -> list[str]:
    """The actions ``user`` may take on ``claim`` now (for buttons and queues)."""
    allowed = []
    for action, transition in TRANSITIONS.items():
        if claim.status not in transition.sources:
            continue
        try:
            _check_actor(transition, claim, user)
        except NotAllowed:
            continue
        allowed.append(action)
    return allowed


def _check_actor(transition: Transition, claim: Claim, user) -> None:
    action = transition.action
    if action == Action.SUBMIT:
        if not (is_analyst(user) and (claim.author_id == user.pk or is_reviewer(user))):
            raise NotAllowed("Only the claim's author or a reviewer may submit it.", code="not_author")
        return
    if action == Action.REOPEN:
        is_author = user is not None and claim.author_id == user.pk
        author_of_rejected = claim.status == Status.REJECTED and is_author
        if not (is_reviewer(user) or (author_of_rejected and is_analyst(user))):
            raise NotAllowed(
                "Only a reviewer, or the author of a rejected claim, may reopen it.",
                code="not_reviewer",
            )
        return
    if not is_reviewer(user):
        raise NotAllowed("Only reviewers may do this.", code="not_reviewer")
    if transition.four_eyes and claim.author_id == user.pk:
        raise NotAllowed(
            "Four-eyes rule: nobody approves, rejects or requests changes on a claim they wrote.",
            code="four_eyes",
        )


def _check_approvable(claim: Claim) -> None:
    if claim.verdict == Verdict.UNVERIFIED:
        raise Conflict("Set a verdict other than unverified before approving.", code="verdict_unverified")
    if not claim.confidence:
        raise Conflict("Set a confidence before approving.", code="confidence_missing")
    stances = set(claim.evidence.values_list("stance", flat=True))
    needed = {
        Verdict.SUPPORTED: {Stance.SUPPORTS},
        Verdict.REFUTED: {Stance.REFUTES},
        Verdict.DISPUTED: {Stance.SUPPORTS, Stance.REFUTES},
    }.get(claim.verdict, set())
    missing = needed - stances
    if missing:
        names = " and ".join(f"'{stance}'" for stance in sorted(missing))
        raise Conflict(
            f"A {claim.verdict} verdict needs {names} evidence.", code="evidence_mismatch"
        )
    if claim.evidence.filter(span__anchor_state=Span.AnchorState.ORPHANED).exists():
        raise Conflict(
            "Some evidence is orphaned (its quote left the source); fix it first.",
            code="evidence_orphaned",
        )


def _log(claim: Claim, user, action: str, from_status: str, comment: str) -> Review:
    return Review.objects.create(
        claim=claim,
        actor=user,
        action=action,
        from_status=from_status,
        to_status=claim.status,
        comment=comment,
    )


def claim_transition(
    *, claim: Claim, user, action: str, comment: str = "", expected_version: int | None = None
) -> Claim:
    """Move a claim along the workflow; one Review row per transition.

    The checks run under a row lock, in the order a person would want them explained:
    who may act (403), the claim's state (409), the required comment (400), then what
    the target state needs (409).
    """
    if isinstance(action, str):
        action = action.replace("-", "_")
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(f"Unknown action {action!r}.", code="unknown_action")
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = _lock_claim(claim, expected_version)
        _check_actor(transition, locked, user)
        if locked.status not in transition.sources:
            raise Conflict(
                f"Cannot {action.replace('_', ' ')} claim #{locked.pk}: it is "
                f"{locked.get_status_display().lower()}.",
                code="invalid_transition",
                extra={"status": locked.status},
            )
        if transition.comment_required and not comment:
            raise InvalidInput(
                f"A comment is required to {action.replace('_', ' ')}.",
                code="comment_required",
                extra={"errors": {"comment": ["This field is required."]}},
            )
        from_status = locked.status
        now = timezone.now()
        if action == Action.SUBMIT:
            if not locked.evidence.exists():
                raise Conflict("Add at least one evidence before submitting.", code="no_evidence")
            locked.submitted_at = now
        elif action == Action.APPROVE:
            _check_approvable(locked)
            locked.reviewer = user
            locked.published_at = now
        elif action in (Action.REQUEST_CHANGES, Action.REJECT):
            locked.reviewer = user
        elif action == Action.REOPEN:
            # Back to draft: no longer published. ``reviewer`` keeps who decided last, and
            # ``submitted_at`` stays, since a claim that was ever submitted is never deleted.
            locked.published_at = None
        locked.status = transition.target
        _save(locked, user, f"{transition.action}: {comment}" if comment else transition.action)
        _log(locked, user, action, from_status, comment)
        if action == Action.APPROVE and locked.supersedes_id:
            _retract_superseded(locked, user)
    claim.refresh_from_db()
    return locked


def _retract_superseded(successor: Claim, user) -> None:
    """Publishing a correction retracts the claim it supersedes, automatically, with a
    Review row that says why. A superseded claim that is not published is left alone."""
    previous = _lock_claim(successor.supersedes_id)
    if previous.status != Status.PUBLISHED:
        return
    previous.status = Status.RETRACTED
    comment = f"Superseded by claim #{successor.pk}."
    _save(previous, user, f"retract: {comment}")
    _log(previous, user, Action.RETRACT, Status.PUBLISHED, comment)


def claim_submit(*, claim: Claim, user, comment: str = "", expected_version: int | None = None) -> Claim:
    """draft/changes requested -> in review; the author or a reviewer; needs evidence."""
    return claim_transition(claim=claim, user=user, action=Action.SUBMIT, comment=comment, expected_version=expected_version)


def claim_approve(*, claim: Claim, user, comment: str = "", expected_version: int | None = None) -> Claim:
    """in review -> published; a reviewer who is not the author; verdict, confidence and
    evidence must agree. Retracts the claim this one supersedes."""
    return claim_transition(claim=claim, user=user, action=Action.APPROVE, comment=comment, expected_version=expected_version)


def claim_request_changes(*, claim: Claim, user, comment: str, expected_version: int | None = None) -> Claim:
    """in review -> changes requested; a reviewer who is not the author; a comment."""
    return claim_transition(claim=claim, user=user, action=Action.REQUEST_CHANGES, comment=comment, expected_version=expected_version)


def claim_reject(*, claim: Claim, user, comment: str, expected_version: int | None = None) -> Claim:
    """in review -> rejected; a reviewer who is not the author; a comment."""
    return claim_transition(claim=claim, user=user, action=Action.REJECT, comment=comment, expected_version=expected_version)


def claim_retract(*, claim: Claim, user, comment: str, expected_version: int | None = None) -> Claim:
    """published -> retracted; a reviewer; a comment."""
    return claim_transition(claim=claim, user=user, action=Action.RETRACT, comment=comment, expected_version=expected_version)


def claim_reopen(*, claim: Claim, user, comment: str, expected_version: int | None = None) -> Claim:
    """rejected/retracted -> draft; a reviewer, or the author of a rejected claim; a comment."""
    return claim_transition(claim=claim, user=user, action=Action.REOPEN, comment=comment, expected_version=expected_version)
