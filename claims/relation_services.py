"""Relations between claims: record one, remove one, and keep contradictions in sight.

Rules, written once here for the API, the admin and the commands:

- analysts and reviewers record relations; the relation's author or a reviewer removes one;
- what a published claim shows is reviewed: a relation between two published (or
  retracted) claims, which everybody sees with both, is recorded or removed by a reviewer
  only (``rules.reviewed_content_problem``, as for the sources and entities they show);
- a claim is never related to itself, and a pair of claims has at most one relation of each
  kind, whichever way round it was recorded (``contradicts`` and ``related`` are symmetric;
  two claims are not each a duplicate of the other);
- both claims must be visible to the person relating them;
- a published claim that contradicts another published claim ``needs_attention`` until one
  of them is no longer published or the relation is removed (``refresh_contradictions``,
  run when a relation changes and on every transition to or from ``published``).

Relating claims changes what both of them show (their detail lists their relations): the
versions of the claims that show it to everybody who may see them are bumped, so ETags
change (``relation_selectors.shown_by``: a public claim related to a hidden one keeps its
version, which would tell everybody that hidden work relates to it; staff's ETags add the
relations' digest). When a claim becomes public or stops being public, the public claims
related to it show that to everybody, and get a new version.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from project.errors import Conflict, NotAllowed, invalid_field
from project.validation import refuse_nul_characters

from . import rules, services
from .models import Claim, ClaimRelation, Review
from .relation_selectors import contradiction_partners, public_partners, shown_by
from .roles import is_analyst, is_reviewer
from .selectors import PUBLIC_STATUSES, public_correctors, visible_claims
from .versions import bump_versions, touch

Kind = ClaimRelation.Kind


def _lock_claims(ids: Iterable[int]) -> dict[int, Claim]:
    """Lock the claims' rows in id order (the one order every service takes them in)."""
    return {claim.pk: claim for claim in Claim.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")}


def refresh_contradictions(claim_ids: Iterable[int]) -> list[int]:
    """Recompute ``needs_attention`` of these claims (which the caller is changing) and of
    the claims they contradict (which get a new version if their flag changes: their ids
    are returned)."""
    claim_ids = set(claim_ids)
    services.refresh_attention(claim_ids)
    return services.refresh_others_attention(contradiction_partners(claim_ids) - claim_ids)


def _reviewed_problem(statuses: dict[int, str], user) -> rules.Problem | None:
    """A relation shown by reviewed claims to everybody (``statuses``: its two claims') is a
    reviewer's to change."""
    return rules.reviewed_content_problem(
        is_reviewer=is_reviewer(user),
        shown_by_reviewed_claims=any(statuses[pk] in rules.REVIEWED_STATUSES for pk in shown_by(statuses)),
        what="relation",
    )


def _guard_reviewed(locked: dict[int, Claim], user) -> None:
    if (problem := _reviewed_problem({pk: claim.status for pk, claim in locked.items()}, user)) is not None:
        raise NotAllowed(problem.message, code=problem.code)


def relation_create(*, from_claim: Claim, to_claim: Claim | int, kind: str, user, note: str = "") -> ClaimRelation:
    """Record that ``from_claim`` is a duplicate of, contradicts, or is related to
    ``to_claim``; see the module docstring for the rules."""
    if not is_analyst(user):
        raise NotAllowed("Only analysts and reviewers relate claims.", code="not_analyst")
    to_id = to_claim.pk if isinstance(to_claim, Claim) else to_claim
    note = note or ""
    problem = rules.relation_problem(from_id=from_claim.pk, to_id=to_id, kind=kind, note=note)
    if problem is not None:
        raise invalid_field(problem.field, problem.message, code=problem.code)
    with transaction.atomic():
        locked = _lock_claims([from_claim.pk, to_id])
        visible = set(visible_claims(user).filter(pk__in=locked).values_list("pk", flat=True))
        if from_claim.pk not in visible or to_id not in visible:
            missing = to_id if from_claim.pk in visible else from_claim.pk
            raise invalid_field("to_claim", f"No claim #{missing}.", code="unknown_claim")
        _guard_reviewed(locked, user)
        existing = ClaimRelation.objects.filter(
            Q(from_claim_id=from_claim.pk, to_claim_id=to_id) | Q(from_claim_id=to_id, to_claim_id=from_claim.pk),
            kind=kind,
        ).first()
        if existing is not None:
            raise Conflict(
                f"Claims #{from_claim.pk} and #{to_id} already have this relation ({existing}).",
                code="relation_exists",
                extra={"relation": existing.pk},
            )
        relation = ClaimRelation(from_claim_id=from_claim.pk, to_claim_id=to_id, kind=kind, note=note, created_by=user)
        refuse_nul_characters(relation)
        relation._history_user = user
        try:
            with transaction.atomic():
                # Bumped first, so that whoever listens to the save (the changes feed) reads
                # the versions that show the relation.
                touch(shown_by({pk: claim.status for pk, claim in locked.items()}))
                relation.save()
        except IntegrityError as error:  # a concurrent writer recorded it first
            raise Conflict("These claims already have this relation.", code="relation_exists") from error
        if kind == Kind.CONTRADICTS:
            refresh_contradictions([from_claim.pk, to_id])
    return relation


def _author_problem(relation: ClaimRelation, user) -> rules.Problem | None:
    if not (is_reviewer(user) or (is_analyst(user) and relation.created_by_id == user.pk)):
        return rules.Problem("not_relation_author", "Only the relation's author or a reviewer may remove it.")
    return None


def relation_delete_problem(relation: ClaimRelation, user) -> rules.Problem | None:
    """Why ``user`` may not remove ``relation``, or None: only its author or a reviewer
    removes one, and one between two published (or retracted) claims only a reviewer (the
    admin asks before offering it; ``relation_delete`` asks again under the claims' locks)."""
    statuses = dict(Claim.objects.filter(pk__in=[relation.from_claim_id, relation.to_claim_id]).values_list("pk", "status"))
    return _author_problem(relation, user) or _reviewed_problem(statuses, user)


def relation_delete(*, relation: ClaimRelation, user) -> None:
    """Remove a relation (``relation_delete_problem`` says who may)."""
    if (problem := _author_problem(relation, user)) is not None:
        raise NotAllowed(problem.message, code=problem.code)
    with transaction.atomic():
        locked = _lock_claims([relation.from_claim_id, relation.to_claim_id])
        current = ClaimRelation.objects.filter(pk=relation.pk).first()
        if current is None:
            return  # removed meanwhile: the caller's wish is already true
        _guard_reviewed(locked, user)
        current._history_user = user
        touch(shown_by({pk: claim.status for pk, claim in locked.items()}))
        current.delete()
        if relation.kind == Kind.CONTRADICTS:
            refresh_contradictions([relation.from_claim_id, relation.to_claim_id])


@receiver(post_save, sender=Review)
def _on_transition(sender, instance: Review, created: bool, **kwargs) -> None:
    # Every transition writes one Review row in its transaction: publishing or retracting a
    # claim starts or ends its contradictions' emergency; and the public claims related to
    # a claim that becomes public or stops being public show it to everybody (the relation
    # appears or goes).
    if not created:
        return
    bumped: list[int] = []
    if Claim.Status.PUBLISHED in (instance.from_status, instance.to_status):
        bumped = refresh_contradictions([instance.claim_id])
    if (instance.from_status in PUBLIC_STATUSES) != (instance.to_status in PUBLIC_STATUSES):
        # And the public claims that supersede it name it now, or no longer (``hidden_claim_ids``).
        bump_versions((public_partners(instance.claim_id) | public_correctors(instance.claim_id)) - set(bumped))
