"""Reads of relations between claims: who sees which, and which published claims
contradict each other.

Visibility follows the claims': staff see every relation; anybody else sees a relation only
when both of its claims are public (published or retracted).
"""

from __future__ import annotations

import hashlib

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Claim, ClaimRelation
from .selectors import HISTORY_TYPES, PUBLIC_STATUSES, sees_all_claims

Kind = ClaimRelation.Kind


def visible_relations(user, relations: QuerySet[ClaimRelation] | None = None) -> QuerySet[ClaimRelation]:
    relations = ClaimRelation.objects.all() if relations is None else relations
    if sees_all_claims(user):
        return relations
    return relations.filter(from_claim__status__in=PUBLIC_STATUSES, to_claim__status__in=PUBLIC_STATUSES)


def shown_by(statuses: dict[int, str]) -> list[int]:
    """Of the two claims of a relation (``{id: status}``), those that show it to everybody
    who may see them: a claim that is not public (only staff see it, and staff see every
    relation), and a public claim whose other side is public too. A relation between a
    public claim and a hidden one changes nothing anybody else sees of the public claim:
    its version, which everybody sees, must not change with it."""
    public = {pk for pk, status in statuses.items() if status in PUBLIC_STATUSES}
    if len(public) == len(statuses):
        return sorted(statuses)
    return sorted(set(statuses) - public)


def public_partners(claim_id: int) -> set[int]:
    """The public claims related to ``claim_id``, whichever way round, of any kind."""
    pairs = ClaimRelation.objects.filter(Q(from_claim_id=claim_id) | Q(to_claim_id=claim_id))
    partners = set()
    for from_id, to_id, from_status, to_status in pairs.values_list(
        "from_claim_id", "to_claim_id", "from_claim__status", "to_claim__status"
    ):
        other, status = (to_id, to_status) if from_id == claim_id else (from_id, from_status)
        if status in PUBLIC_STATUSES:
            partners.add(other)
    return partners


def relations_digest(claim_id: int, user) -> str:
    """The relations of ``claim_id`` that ``user`` sees, in a few hex digits. A signed-in
    caller's representation of a claim is not the public's (it adds the contributors and
    the editorial checks; staff's, relations to hidden claims, which give a public claim no
    new version): their ETag adds this, so that no tag names two representations. A
    relation's fields never change (it is recorded or removed), and the detail names the
    other claim by id only: the relations' ids say it all. Whether the caller sees every
    claim is in it too: staff's representation names the hidden claim a public claim
    supersedes, which others' does not (``selectors.hidden_claim_ids``)."""
    relations = ClaimRelation.objects.filter(Q(from_claim_id=claim_id) | Q(to_claim_id=claim_id))
    ids = sorted(visible_relations(user, relations).values_list("id", flat=True))
    return hashlib.blake2b(repr((ids, sees_all_claims(user))).encode(), digest_size=6).hexdigest()


def relations_of(claim: Claim | int, user) -> QuerySet[ClaimRelation]:
    """The relations from and to ``claim`` that ``user`` may see, with both claims' summary."""
    pk = claim.pk if isinstance(claim, Claim) else claim
    relations = ClaimRelation.objects.filter(Q(from_claim_id=pk) | Q(to_claim_id=pk))
    return (
        visible_relations(user, relations)
        .select_related("from_claim", "to_claim", "created_by")
        .only(
            "id", "kind", "note", "created_at", "created_by__username",
            *(f"{side}__{name}" for side in ("from_claim", "to_claim") for name in ("id", "text", "status", "verdict")),
        )
        .order_by("id")
    )


def published_contradiction() -> Q:
    """The claims (as an outer query) that are published and contradict, or are contradicted
    by, another published claim: an editorial emergency that ``needs_attention`` shows."""
    published = Claim.Status.PUBLISHED
    outgoing = ClaimRelation.objects.filter(
        kind=Kind.CONTRADICTS, from_claim_id=OuterRef("pk"), to_claim__status=published
    )
    incoming = ClaimRelation.objects.filter(
        kind=Kind.CONTRADICTS, to_claim_id=OuterRef("pk"), from_claim__status=published
    )
    return Q(status=published) & (Q(Exists(outgoing)) | Q(Exists(incoming)))


def contradiction_partners(claim_ids) -> set[int]:
    """The claims on the other side of a ``contradicts`` relation of any of ``claim_ids``."""
    claim_ids = list(claim_ids)
    pairs = ClaimRelation.objects.filter(kind=Kind.CONTRADICTS).filter(
        Q(from_claim_id__in=claim_ids) | Q(to_claim_id__in=claim_ids)
    )
    partners = set()
    for from_id, to_id in pairs.values_list("from_claim_id", "to_claim_id"):
        partners.update((from_id, to_id))
    return partners - set(claim_ids)


def published_contradictions() -> QuerySet[ClaimRelation]:
    """``contradicts`` relations between two published claims, for the review queue."""
    return (
        ClaimRelation.objects.filter(
            kind=Kind.CONTRADICTS,
            from_claim__status=Claim.Status.PUBLISHED,
            to_claim__status=Claim.Status.PUBLISHED,
        )
        .select_related("from_claim", "to_claim", "created_by")
        .order_by("created_at", "id")
    )


# ---------------------------------------------------------------------------------------------
# Field history of a claim's relations

RELATION_HISTORY_FIELDS = ("from_claim", "to_claim", "kind", "note")


def relation_history(claim: Claim, user) -> list[dict]:
    """The history records of the relations from and to ``claim`` that ``user`` may see
    (anonymous callers: those whose other claim is public), as ``claim_history`` entries."""
    records = (
        ClaimRelation.history.filter(Q(from_claim_id=claim.pk) | Q(to_claim_id=claim.pk))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if not sees_all_claims(user):
        public = set(
            Claim.objects.filter(status__in=PUBLIC_STATUSES)
            .filter(pk__in={record.from_claim_id for record in records} | {record.to_claim_id for record in records})
            .values_list("pk", flat=True)
        )
        records = [r for r in records if r.from_claim_id in public and r.to_claim_id in public]
    entries = []
    for record in records:
        kind_of_change = HISTORY_TYPES.get(record.history_type, "changed")
        changes = [] if kind_of_change == "deleted" else [
            {"field": name, "old": None, "new": getattr(record, record._meta.get_field(name).attname)}
            for name in RELATION_HISTORY_FIELDS
            if getattr(record, record._meta.get_field(name).attname) not in (None, "")
        ]
        user_of_record = record.history_user
        entries.append({
            "object": "relation",
            "object_id": record.id,
            "type": kind_of_change,
            "at": record.history_date,
            "user": user_of_record.get_username() if user_of_record is not None else None,
            "reason": record.history_change_reason or None,
            "changes": changes,
        })
    return entries
