"""Claims and their evidence: content edits and the moderation workflow.

Every rule of the workflow is stated once, as a pure predicate in ``claims.rules``; these
functions gather the facts under their locks, ask the predicates, and raise the domain error
they answer. The admin, the API and the commands call these functions, and ask the same
predicates (``allowed_actions``, ``can_edit``, ``can_delete``) before they offer an action.

Locks, always in this order: sources (``_lock_sources``), then entities, then claims
(``_lock_claim``). ``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every transaction
begins IMMEDIATE, which serialises writers. Each function re-reads its state under the
lock, so of two reviewers acting at once exactly one succeeds and the other gets a
``Conflict``. A deadlock or serialization failure is retried once, then answers ``Conflict``
(``project.concurrency``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.dispatch import receiver
from django.utils import timezone

from project.concurrency import retried_transaction
from project.errors import Conflict, DomainError, InvalidInput, NotAllowed, StaleVersion, invalid_field
from project.validation import normalise_line_endings, refuse_unstorable_text, says_something
from sources.models import Source, Span
from sources.services import (
    AnchoringFailed,
    check_revision,
    content_revision,
    source_changing,
    span_create,
    spans_reanchored,
)

from . import rules
from .models import Claim, ClaimContributor, ClaimRelation, Entity, Evidence, Review
from .roles import is_analyst, is_reviewer
from .editorial import refresh_checks, warnings_for
from .versions import bump_versions, touch
from .relation_selectors import published_contradiction, shown_by

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
# The content whose change makes someone a contributor (the four-eyes rule binds them): all
# of it, the notes and the claim it corrects too (a published claim shows both).
CONTRIBUTION_FIELDS = frozenset({*CONTENT_FIELDS, "entities"})
ENTITY_FIELDS = ("name", "slug", "kind", "wikidata_id", "aliases")


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

    ``source_update`` locks a source, then re-anchors its spans and re-versions the claims
    citing them; taking sources before claims everywhere keeps the two from deadlocking,
    and keeps a source's text from changing while evidence is anchored in it.
    """
    ids = {
        item.span.source_id if item.span is not None else getattr(item.source, "pk", None)
        for item in items
    }
    ids.discard(None)
    if ids:
        locking = Source.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        list(locking.values_list("pk", flat=True))


def _hold_what_it_would_show(claim: Claim) -> None:
    """Before a claim is published (and its claim's lock taken: sources and entities come
    first everywhere), hold the sources it cites and the entities it is tagged with against
    change until it commits (PostgreSQL: FOR SHARE, which an edit's FOR UPDATE or FOR NO KEY
    UPDATE waits for). An edit already under way finishes first, and the approval then sees
    the claim as the edit left it; an edit that comes after finds the claim published and is
    a reviewer's only. Without it, an analyst's edit checked the claims citing the source
    while the approval was uncommitted, and landed, unreviewed, just after the publication.
    SQLite's writers take the database's one write lock at BEGIN: nothing to do."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    tagged = Claim.entities.through._meta
    with connection.cursor() as cursor:
        for table, ids in (
            (Source._meta.db_table,
             f"SELECT s.source_id FROM {quote(Span._meta.db_table)} s JOIN {quote(Evidence._meta.db_table)} e "
             "ON e.span_id = s.id WHERE e.claim_id = %s"),
            (Entity._meta.db_table,
             f"SELECT t.{quote(tagged.get_field('entity').column)} FROM {quote(tagged.db_table)} t "
             f"WHERE t.{quote(tagged.get_field('claim').column)} = %s"),
        ):
            cursor.execute(f"SELECT id FROM {quote(table)} WHERE id IN ({ids}) ORDER BY id FOR SHARE", [claim.pk])


def _check_supersedes(claim: Claim) -> None:
    """A correction points at another claim, and never, through a chain, back at itself."""
    problem = rules.supersedes_problem(
        claim.pk,
        claim.supersedes_id,
        lambda pk: Claim.objects.filter(pk=pk).values_list("supersedes_id", flat=True).first(),
    )
    if problem is not None:
        raise InvalidInput(
            problem.message,
            code=problem.code,
            extra={"errors": {"supersedes": ["This would make a cycle of corrections."]}},
        )


def _validated(instance, exclude: Sequence[str] = ()) -> None:
    # Field validation here; the check constraints are enforced by the database, and the
    # one a person can break by typing (the period's order) is checked without a query.
    problem = rules.period_problem(getattr(instance, "period_start", None), getattr(instance, "period_end", None))
    if problem is not None:
        raise InvalidInput(problem.message, code=problem.code, extra={"errors": {"period_end": [problem.message]}})
    refuse_unstorable_text(instance)
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        fields = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        first = next(iter(fields.values()))[0]
        raise InvalidInput(first, code="invalid", extra={"errors": fields}) from error


def _content_problem(claim: Claim, user) -> rules.Problem | None:
    return rules.content_edit_problem(
        status=claim.status,
        is_author=user is not None and claim.author_id == user.pk,
        is_analyst=is_analyst(user),
        is_reviewer=is_reviewer(user),
    )


def content_edit_refusal(claim: Claim, user) -> DomainError | None:
    """The error a change of ``claim``'s content by ``user`` would raise now, or None: the
    admin shows it on a form the person typed into, rather than lose the typing."""
    problem = _content_problem(claim, user)
    if problem is None:
        return None
    if problem.code == "content_frozen":
        return Conflict(
            f"Claim #{claim.pk} is {claim.get_status_display().lower()}; its content can change "
            "only in draft or changes requested.",
            code=problem.code,
        )
    return NotAllowed(problem.message, code=problem.code)


def _require_content_edit(claim: Claim, user) -> None:
    error = content_edit_refusal(claim, user)
    if error is not None:
        raise error


def delete_problem(user, claim: Claim) -> rules.Problem | None:
    """Why ``claim_delete`` would refuse to delete ``claim`` for ``user``, or None."""
    return rules.delete_problem(
        status=claim.status,
        was_submitted=bool(claim.submitted_at) or claim.reviews.exists(),
        is_superseded=claim.superseded_by.exists(),
        is_author=user is not None and claim.author_id == user.pk,
        is_analyst=is_analyst(user),
        is_reviewer=is_reviewer(user),
    )


def _record_contribution(claim: Claim, user) -> None:
    """``user`` changed ``claim``'s content: from now on they never decide on it."""
    if user is not None and user.pk is not None:
        ClaimContributor.objects.bulk_create(
            [ClaimContributor(claim_id=claim.pk, user_id=user.pk)], ignore_conflicts=True
        )


def contributors(claim: Claim) -> list[str]:
    """The usernames of everyone who contributed to ``claim``, author first."""
    names = list(
        ClaimContributor.objects.filter(claim_id=claim.pk)
        .order_by("first_contributed_at", "id")
        .values_list("user__username", flat=True)
    )
    author = claim.author.get_username()
    return [author, *(name for name in names if name != author)]


@contextmanager
def _one_edit(claim: Claim) -> Iterator[None]:
    """Within it, the history records of ``claim`` and of its evidence are dated alike: one
    edit, one version, one moment of its history, which is how the history pages tell the
    evidence a version added, changed or removed (``claims.admin.history``)."""
    claim._history_date = timezone.now()
    try:
        yield
    finally:
        del claim._history_date


def _recorded_as_part_of(evidence: Evidence, claim: Claim, user) -> None:
    """``evidence``'s next history record names ``user`` and is dated as the edit of
    ``claim`` under way (``_one_edit``)."""
    evidence._history_user = user
    if hasattr(claim, "_history_date"):
        evidence._history_date = claim._history_date


def _save(claim: Claim, user, reason: str, *, bump: bool = True) -> None:
    if bump:
        claim.version += 1
    claim._history_user = user
    claim._change_reason = reason
    claim.save()


def _attention() -> ExpressionWrapper:
    """A claim needs attention: any orphaned evidence span, or a published claim
    contradicting another published one (``claims.relation_selectors``)."""
    orphaned = Evidence.objects.filter(
        claim=OuterRef("pk"), span__anchor_state=Span.AnchorState.ORPHANED
    )
    return ExpressionWrapper(Q(Exists(orphaned)) | published_contradiction(), output_field=BooleanField())


def refresh_attention(claim_ids: Iterable[int], *, bump_version: bool = False) -> None:
    """Recompute ``needs_attention`` for these claims, which the caller is changing (and
    bumps itself); ``bump_version``: every one of them renders differently (its evidence
    moved), and gets a new version here (``claims.versions.bump_versions``)."""
    ids = list(claim_ids)
    Claim.objects.filter(pk__in=ids).update(needs_attention=_attention())
    if bump_version:
        bump_versions(ids)


def refresh_others_attention(claim_ids: Iterable[int]) -> list[int]:
    """Recompute ``needs_attention`` for claims that nobody is editing (the other side of a
    contradiction that started or ended): each whose flag changes renders differently, and
    gets a new version and a feed event. Returns those ids."""
    changed = list(
        Claim.objects.filter(pk__in=list(claim_ids))
        .annotate(attention=_attention())
        .exclude(needs_attention=F("attention"))
        .values_list("pk", flat=True)
    )
    if changed:
        Claim.objects.filter(pk__in=changed).update(needs_attention=_attention())
    return bump_versions(changed)


@receiver(spans_reanchored)
def _on_spans_reanchored(sender, span_ids, in_announced_edit: bool = False, **kwargs) -> None:
    # Moved or orphaned evidence changes what a claim shows: flag it and bump its version,
    # so that ETags change too. In a source's edit, ``_on_source_changing`` gave every claim
    # citing the source its new version already: one edit, one version and one event.
    claim_ids = set(
        Evidence.objects.filter(span_id__in=span_ids).values_list("claim_id", flat=True)
    )
    if claim_ids:
        refresh_attention(claim_ids, bump_version=not in_announced_edit)


# What a claim shows or checks of a source it cites (its evidence's words, the citation,
# the grade and date the editorial checks read). A change to any of these changes the claim:
# a new version, and its maker a contributor. The source's notes, kind, language and the
# day it was read are the source's own: a reviewer who corrected them had become a
# contributor to every claim citing it, and once each reviewer had, none could decide them.
SOURCE_FIELDS_CLAIMS_SHOW = frozenset({"text", "title", "url", "publisher", "authors", "published_on", "reliability"})


def _guard_reviewed(claims, user, what: str, *, changes_claims: bool = True) -> None:
    """What a published or retracted claim shows was reviewed: only a reviewer changes it.
    Every claim rendering it gets a new version (and so a new ETag), in this transaction.

    And whoever changes what a claim shows (a source it cites, an entity it is tagged with
    or that is deleted) changed that claim: they become its contributor, and never decide
    on it. A reviewer who re-graded the sources of a claim in review, which silenced its
    editorial warnings, could approve it alone; one who changed a published claim's source,
    then retracted and reopened it, could approve what no second person had seen.

    ``changes_claims`` false (a change of what no claim shows): the rule on who may change
    it holds, and nothing else follows."""
    reviewer = is_reviewer(user)
    problem = rules.reviewed_content_problem(
        is_reviewer=reviewer,
        shown_by_reviewed_claims=not reviewer and claims.filter(status__in=rules.REVIEWED_STATUSES).exists(),
        what=what,
    )
    if problem is not None:
        raise NotAllowed(problem.message, code=problem.code)
    if not changes_claims:
        return
    if user is not None and user.pk is not None:
        ClaimContributor.objects.bulk_create(
            [ClaimContributor(claim_id=pk, user_id=user.pk) for pk in claims.order_by().values_list("pk", flat=True)],
            ignore_conflicts=True,
            batch_size=1000,
        )
    bump_versions(claims.values_list("pk", flat=True))


@receiver(source_changing)
def _on_source_changing(sender, source, user, fields=SOURCE_FIELDS_CLAIMS_SHOW, **kwargs) -> None:
    # Runs under the source's lock, before the change is written (sources, then claims).
    _guard_reviewed(
        Claim.objects.filter(Exists(Evidence.objects.filter(claim=OuterRef("pk"), span__source_id=source.pk))),
        user,
        "source",
        changes_claims=bool(fields & SOURCE_FIELDS_CLAIMS_SHOW),
    )


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
        raise invalid_field("span", "Evidence needs a span, or a source with a quote.", code="span_unspecified")
    if span.anchor_state == Span.AnchorState.ORPHANED:
        raise invalid_field("span", f"Span #{span.pk} is orphaned: its quote is no longer in the source.", code="span_orphaned")
    return span


# Set by the services themselves: not checked again (each would cost a query).
EVIDENCE_REFERENCES = ("claim", "span", "added_by")


def _add_evidence_items(claim: Claim, items: Sequence[EvidenceInput], user, *, listed: bool = True) -> list[Evidence]:
    """Add a write's evidence items, in order; nothing of the write is kept if one is
    refused. ``listed``: the request sent them as a list (``evidence``), and a refused one
    is named by its index (``evidence[2]: ...``, ``evidence_index``, its fields' messages
    under ``errors.evidence[2]``); else the request was the item itself, and its errors are
    its own fields'."""
    added: list[Evidence] = []
    index_of: dict[int, int] = {}  # span id -> the index of the item that added it
    for index, item in enumerate(items):
        try:
            evidence = _add_evidence(claim, item, user, index_of)
        except DomainError as error:
            if not listed:
                raise
            kind = InvalidInput if isinstance(error, AnchoringFailed) else type(error)
            extra = {**error.extra, "evidence_index": index}
            if "errors" in error.extra:
                # Nested like the request, as a serializer's errors are.
                extra["errors"] = {"evidence": [{} for _ in range(index)] + [error.extra["errors"]]}
            raise kind(f"evidence[{index}]: {error.message}", code=error.code, extra=extra) from error
        index_of[evidence.span_id] = index
        added.append(evidence)
    return added


def _add_evidence(claim: Claim, item: EvidenceInput, user, index_of: dict[int, int]) -> Evidence:
    """Add one item of a write's evidence; ``index_of``: the spans the write added before."""
    if item.stance not in Stance.values:
        raise invalid_field("stance", f"Unknown stance {item.stance!r}.", code="invalid_stance")
    span = _resolve_evidence_span(item, user)
    if span.pk in index_of:
        # Nothing of this write is kept: no id it made may be named.
        field = "span" if item.span is not None else "quote"
        raise invalid_field(field, f"The same passage as evidence[{index_of[span.pk]}].", code="repeated_evidence")
    existing = Evidence.objects.filter(claim=claim, span=span).values_list("pk", flat=True).first()
    if existing is not None:
        raise Conflict(
            f"Span #{span.pk} is already evidence #{existing} of claim #{claim.pk}.", code="duplicate_evidence",
            extra={"evidence": existing},
        )
    evidence = Evidence(claim=claim, span=span, stance=item.stance, note=normalise_line_endings(item.note or ""), added_by=user)
    _validated(evidence, exclude=EVIDENCE_REFERENCES)
    _recorded_as_part_of(evidence, claim, user)
    evidence.save()
    return evidence


def _change_evidence(claim: Claim, evidence: Evidence, user, stance: str | None, note: str | None) -> Evidence | None:
    """Change one evidence row of the locked ``claim``; the row, or None when unchanged."""
    evidence = Evidence.objects.get(pk=evidence.pk, claim_id=claim.pk)
    before = (evidence.stance, evidence.note)
    if stance is not None:
        if stance not in Stance.values:
            raise InvalidInput(f"Unknown stance {stance!r}.", code="invalid_stance")
        evidence.stance = stance
    if note is not None:
        evidence.note = normalise_line_endings(note) if isinstance(note, str) else note
    if (evidence.stance, evidence.note) == before:
        return None
    _validated(evidence, exclude=EVIDENCE_REFERENCES)
    _recorded_as_part_of(evidence, claim, user)
    evidence.save()
    return evidence


def _remove_evidence(claim: Claim, evidence: Evidence, user) -> None:
    evidence = Evidence.objects.get(pk=evidence.pk, claim_id=claim.pk)
    _recorded_as_part_of(evidence, claim, user)
    evidence.delete()


def _set_entities(claim: Claim, entities: Iterable[Entity | int]) -> None:
    claim.entities.set(list(entities))


# Text a person types, whose line breaks are stored as LF (``normalise_line_endings``).
_TYPED_FIELDS = ("text", "notes")


def _with_lf_breaks(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the line breaks of its typed text as LF: browsers post a textarea's as
    CR LF, so an admin form saved unchanged would change the text (and make whoever saved
    it a contributor, barred from deciding on the claim)."""
    return {
        name: normalise_line_endings(value) if name in _TYPED_FIELDS and isinstance(value, str) else value
        for name, value in values.items()
    }


def _apply_content(locked: Claim, changes: dict[str, Any]) -> set[str]:
    """Set content fields (and ``entities``) on the locked claim; the names that changed."""
    unknown = set(changes) - set(CONTENT_FIELDS) - {"entities"}
    if unknown:
        raise InvalidInput(f"Unknown claim fields: {', '.join(sorted(unknown))}.", code="unknown_field")
    changes = _with_lf_breaks(changes)
    entities = changes.pop("entities", None)
    if "confidence" in changes and changes["confidence"] is None:
        changes["confidence"] = ""
    before = {name: getattr(locked, Claim._meta.get_field(name).attname) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.supersedes_id and locked.supersedes_id == locked.pk:
        raise invalid_field("supersedes", "A claim cannot supersede itself.", code="supersedes_self")
    _validated(locked)
    _check_supersedes(locked)
    changed = {name for name in changes if before[name] != getattr(locked, Claim._meta.get_field(name).attname)}
    if entities is not None:
        entity_ids = {entity.pk if isinstance(entity, Entity) else int(entity) for entity in entities}
        if entity_ids != set(locked.entities.values_list("pk", flat=True)):
            _set_entities(locked, entity_ids)
            changed.add("entities")
    return changed


# ---------------------------------------------------------------------------------------------
# Content


@retried_transaction
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
    """Create a draft claim, with its evidence, in one transaction: all or nothing. Its
    author is its first contributor.

    An evidence item that fails names its index (``evidence[2]: ...``) and nothing is kept.
    """
    if not is_analyst(author):
        raise NotAllowed("Only analysts and reviewers create claims.", code="not_analyst")
    _lock_sources(evidence)
    claim = Claim(
        **_with_lf_breaks({"text": text, "notes": notes}),
        verdict=verdict,
        confidence=confidence or "",
        period_start=period_start,
        period_end=period_end,
        supersedes=supersedes,
        author=author,
    )
    _validated(claim)
    _check_supersedes(claim)
    claim._history_user = author
    with _one_edit(claim):
        claim.save()
        _record_contribution(claim, author)
        _set_entities(claim, entities)
        _add_evidence_items(claim, evidence, author)
    refresh_attention([claim.pk])
    refresh_checks([claim.pk])  # editorial checks: after the claim's last save
    claim.refresh_from_db()
    return claim


@retried_transaction
def claim_save(
    *,
    claim: Claim,
    user,
    expected_version: int | None = None,
    changes: dict[str, Any] | None = None,
    add: Sequence[EvidenceInput] = (),
    change: Sequence[tuple[Evidence, str | None, str | None]] = (),
    remove: Sequence[Evidence] = (),
    reason: str = "Content edited",
    evidence_listed: bool = True,
) -> Claim:
    """Change a claim's content and its evidence at once, as one edit: one lock order
    (the cited sources, then the claim), one check of the freeze, one version bump, and
    nothing kept if any part is refused. ``change``: ``(evidence, stance, note)``, None
    for what stays. Content changes only in draft or changes requested, by its author or a
    reviewer; whoever changes text, verdict, confidence, entities, period or evidence
    becomes a contributor. A call that changes nothing leaves the version (and so the ETag)
    and the history alone. ``evidence_listed``: ``add`` came as a list of the request
    (``_add_evidence_items``), not as the request itself."""
    _lock_sources(add)
    locked = _lock_claim(claim, expected_version)
    _require_content_edit(locked, user)
    with _one_edit(locked):
        changed = _apply_content(locked, changes or {})
        evidence_changed = False
        for evidence in remove:
            _remove_evidence(locked, evidence, user)
            evidence_changed = True
        for evidence, stance, note in change:
            evidence_changed |= _change_evidence(locked, evidence, user, stance, note) is not None
        locked.added_evidence = _add_evidence_items(locked, add, user, listed=evidence_listed)
        evidence_changed |= bool(locked.added_evidence)
        if not (changed or evidence_changed):
            return locked
        if evidence_changed:
            refresh_attention([locked.pk])
            locked.needs_attention = Claim.objects.values_list("needs_attention", flat=True).get(pk=locked.pk)
        if evidence_changed or changed & CONTRIBUTION_FIELDS:
            _record_contribution(locked, user)
        _save(locked, user, reason)
    refresh_checks([locked.pk])  # editorial checks: after the claim's last save
    return locked


def claim_update(
    *, claim: Claim, user, expected_version: int | None = None, **changes: Any
) -> Claim:
    """Change a claim's content (``entities`` too); see ``claim_save``."""
    return claim_save(claim=claim, user=user, expected_version=expected_version, changes=changes)


@retried_transaction
def claim_delete(*, claim: Claim, user, expected_version: int | None = None) -> None:
    """Only a never-submitted draft that no claim supersedes is deleted, by its author or a
    reviewer; anything else is retracted instead (``rules.delete_problem``). With
    ``expected_version``, only the version the caller saw is deleted: an edit made since
    is not thrown away unseen."""
    locked = _lock_claim(claim, expected_version)
    problem = delete_problem(user, locked)
    if problem is not None:
        error = NotAllowed if problem.code == "not_editor" else Conflict
        raise error(problem.message, code=problem.code)
    # Delete the evidence one by one so that its history names who removed it.
    for evidence in locked.evidence.all():
        evidence._history_user = user
        evidence.delete()
    _remove_relations(locked, user)
    locked._history_user = user
    locked.delete()


def _remove_relations(claim: Claim, user) -> None:
    """A deleted draft's relations go with it, as ``relation_services.relation_delete``
    removes one: the claim on the other side lists its relations, so it gets a new version
    first (the feed's event reads it) when it shows them to everybody who may see it (a
    hidden claim; ``shown_by``), and its contradiction flag is recomputed after."""
    relations = list(
        ClaimRelation.objects.filter(Q(from_claim=claim) | Q(to_claim=claim))
        .select_related("from_claim", "to_claim").order_by("pk")
    )
    if not relations:
        return
    others = {relation.to_claim if relation.from_claim_id == claim.pk else relation.from_claim for relation in relations}
    touch(pk for pk in shown_by({other.pk: other.status for other in others} | {claim.pk: claim.status}) if pk != claim.pk)
    for relation in relations:
        relation._history_user = user
        relation.delete()
    refresh_attention(other.pk for other in others)


def evidence_add(
    *, claim: Claim, user, item: EvidenceInput, expected_version: int | None = None
) -> Evidence:
    """Add evidence to an editable claim; bumps the claim's version (see ``claim_save``).
    A refusal names the item's own fields (the request was the item, not a list of them)."""
    locked = claim_save(
        claim=claim, user=user, expected_version=expected_version, add=[item], reason="Evidence added",
        evidence_listed=False,
    )
    return locked.added_evidence[0]


def evidence_update(
    *, evidence: Evidence, user, stance: str | None = None, note: str | None = None
) -> Evidence:
    """Change an evidence row's stance or note, under the same freeze as the claim."""
    claim_save(claim=evidence.claim, user=user, change=[(evidence, stance, note)], reason="Evidence edited")
    return Evidence.objects.get(pk=evidence.pk)


def evidence_remove(*, evidence: Evidence, user) -> None:
    """Remove evidence from an editable claim; the span stays."""
    claim_save(claim=evidence.claim, user=user, remove=[evidence], reason="Evidence removed")


# ---------------------------------------------------------------------------------------------
# Entities


def entity_revision(entity) -> str:
    """The revision of an entity's content (``sources.services.content_revision``)."""
    return content_revision(entity, ENTITY_FIELDS)


@retried_transaction
def entity_update(*, entity: Entity, user, expected_revision: str | None = None, **fields: Any) -> Entity:
    """Change an entity. One that a published or retracted claim is tagged with changes
    only by a reviewer, and every claim tagged with it gets a new version (its ETag).
    ``expected_revision`` (``entity_revision`` of the entity the edit began from): an
    entity changed since is refused (``StaleVersion``) rather than overwritten."""
    unknown = set(fields) - set(ENTITY_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown entity fields: {', '.join(sorted(unknown))}.", code="unknown_field")
    # FOR NO KEY UPDATE: a claim being tagged with it at this moment (a KEY SHARE lock
    # through the foreign key) neither waits for nor blocks this.
    locked = Entity.objects.select_for_update(no_key=True).get(pk=entity.pk)
    check_revision(locked, entity_revision(locked), expected_revision)
    before = {name: getattr(locked, name) for name in fields}
    for name, value in fields.items():
        setattr(locked, name, value)
    if before == {name: getattr(locked, name) for name in fields}:
        return locked
    refuse_unstorable_text(locked)
    try:
        locked.full_clean(validate_constraints=False)
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise InvalidInput(next(iter(messages.values()))[0], code="invalid", extra={"errors": messages}) from error
    _guard_reviewed(Claim.objects.filter(entities=locked), user, "entity")
    locked._history_user = user
    locked.save()
    return locked


@retried_transaction
def entity_delete(*, entity: Entity, user) -> None:
    """Delete an entity, untagging every claim tagged with it: as a change, one that a
    published or retracted claim shows is a reviewer's, and each tagged claim gets a new
    version (its ETag, and the feed's event) before the tag goes."""
    locked = Entity.objects.select_for_update(no_key=True).get(pk=entity.pk)
    _guard_reviewed(Claim.objects.filter(entities=locked), user, "entity")
    locked._history_user = user
    locked.delete()


# ---------------------------------------------------------------------------------------------
# Workflow

Transition = rules.Transition
TRANSITIONS = rules.TRANSITIONS


def _contributed(claim: Claim, user) -> bool:
    return bool(user and user.pk) and (
        claim.author_id == user.pk or ClaimContributor.objects.filter(claim_id=claim.pk, user_id=user.pk).exists()
    )


def _actor_problem(transition: Transition, claim: Claim, user) -> rules.Problem | None:
    is_author = user is not None and claim.author_id == user.pk
    return rules.actor_problem(
        transition.action,
        status=claim.status,
        is_author=is_author,
        is_analyst=is_analyst(user),
        is_reviewer=is_reviewer(user),
        is_contributor=transition.four_eyes and _contributed(claim, user),
    )


def allowed_actions(claim: Claim, user) -> list[str]:
    """The actions ``user`` may take on ``claim`` now (for buttons and queues): the same
    predicates ``claim_transition`` enforces."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if claim.status in transition.sources and _actor_problem(transition, claim, user) is None
    ]


def withheld_by_four_eyes(claim: Claim, user) -> rules.Problem | None:
    """The four-eyes rule's refusal when it alone keeps ``user`` from the decisions that
    ``claim``'s status offers (they are a reviewer who contributed to it), to say so where
    the decisions would be; None otherwise."""
    for transition in TRANSITIONS.values():
        if transition.four_eyes and claim.status in transition.sources:
            problem = _actor_problem(transition, claim, user)
            if problem is not None and problem.code == "four_eyes" and is_reviewer(user):
                return problem
    return None


def possible_actions(user) -> list[str]:
    """The actions ``user``'s roles allow on some claim (the bulk actions to offer); each
    claim is still checked when the action runs."""
    analyst, reviewer = is_analyst(user), is_reviewer(user)
    return [
        action
        for action, transition in TRANSITIONS.items()
        if any(
            rules.actor_problem(
                action, status=status, is_author=is_author, is_analyst=analyst, is_reviewer=reviewer, is_contributor=False
            )
            is None
            for status in transition.sources
            for is_author in (True, False)
        )
    ]


def can_edit(user, claim: Claim | None) -> bool:
    """Whether ``user`` may change ``claim``'s content now (``None``: a new claim)."""
    if claim is None:
        return is_analyst(user)
    return _content_problem(claim, user) is None


def can_delete(user, claim: Claim) -> bool:
    """Whether ``claim_delete`` would delete ``claim`` for ``user``."""
    return delete_problem(user, claim) is None


def _check_actor(transition: Transition, claim: Claim, user) -> None:
    problem = _actor_problem(transition, claim, user)
    if problem is not None:
        raise NotAllowed(problem.message, code=problem.code)


def _approval_problems(claim: Claim, evidence: list[tuple[str, str]] | None = None) -> list[rules.Problem]:
    """``evidence``: the claim's (stance, span's anchor state) pairs, when the caller holds
    them already (a page of the review queue); else read here."""
    if evidence is None:
        evidence = list(claim.evidence.values_list("stance", "span__anchor_state"))
    return rules.approval_problems(
        verdict=claim.verdict,
        confidence=claim.confidence,
        stances=[stance for stance, _ in evidence],
        orphaned=any(state == Span.AnchorState.ORPHANED for _, state in evidence),
    )


# The transitions that ask what approval needs (``_check_ready``), with the words for it.
READINESS_CHECKED = {Action.SUBMIT: "submitting", Action.APPROVE: "approving"}


def readiness_problem(claim: Claim, action: str, evidence: list[tuple[str, str]] | None = None) -> rules.Problem | None:
    """What ``action`` (submit or approve) would be refused for, every missing thing named
    in one message, or None: for buttons not to be offered to fail. ``evidence`` as
    ``_approval_problems`` takes it."""
    doing = READINESS_CHECKED.get(action)
    problems = _approval_problems(claim, evidence) if doing else []
    return rules.summarize(problems, doing) if problems else None


def _check_ready(claim: Claim, doing: str) -> None:
    """What approval needs, checked at submission and at approval alike, every missing
    thing named in one message."""
    problems = _approval_problems(claim)
    if problems:
        summary = rules.summarize(problems, doing)
        raise Conflict(summary.message, code=summary.code, extra={"missing": [problem.code for problem in problems]})


def _require_comment_on_warnings(claim: Claim) -> None:
    """Approving a claim that the editorial checks warn about takes a comment saying why the
    warnings do not apply; the Review row keeps it."""
    warnings = warnings_for(claim)
    if warnings:
        messages = [warning["message"] for warning in warnings]
        found = "a problem" if len(warnings) == 1 else f"{len(warnings)} problems"
        raise InvalidInput(
            f"The editorial checks found {found}; approving needs a comment saying why "
            f"{'it does' if len(warnings) == 1 else 'they do'} not apply.",
            code="comment_required",
            extra={"errors": {"comment": messages}, "checks": warnings},
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


@retried_transaction
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
    if action == Action.APPROVE:
        _hold_what_it_would_show(claim)
    locked = _lock_claim(claim, expected_version)
    if action == Action.APPROVE:
        _hold_what_it_would_show(locked)  # and what evidence added just before the lock cites
    _check_actor(transition, locked, user)
    if rules.state_problem(action, locked.status) is not None:
        raise Conflict(
            f"Cannot {action.replace('_', ' ')} claim #{locked.pk}: it is "
            f"{locked.get_status_display().lower()}.",
            code="invalid_transition",
            extra={"status": locked.status},
        )
    if (problem := rules.comment_problem(action, comment)) is not None:
        raise InvalidInput(
            problem.message, code=problem.code, extra={"errors": {"comment": ["This field is required."]}}
        )
    from_status = locked.status
    now = timezone.now()
    if action == Action.SUBMIT:
        _check_ready(locked, "submitting it")
        locked.submitted_at = now
    elif action == Action.APPROVE:
        _check_not_superseded(locked)
        _check_ready(locked, "approving it")
        if not says_something(comment):
            _require_comment_on_warnings(locked)
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


def _check_not_superseded(claim: Claim) -> None:
    # The correction's approval locks it, then this claim: a correction approved at the same
    # moment either is seen published here, or retracts this claim once it commits.
    correction = (
        Claim.objects.filter(supersedes_id=claim.pk, status=Status.PUBLISHED).order_by("pk").values_list("pk", flat=True).first()
    )
    if (problem := rules.superseded_problem(correction)) is not None:
        raise Conflict(problem.message, code=problem.code, extra={"superseded_by": correction})


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
