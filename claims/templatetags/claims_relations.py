"""Template tags for relations between claims: a claim's relations on its admin page, and the
published claims that contradict each other on the review queue."""

from __future__ import annotations

from django import template
from django.urls import reverse

from ..models import EDITABLE_STATUSES, Claim, ClaimRelation
from ..relation_selectors import published_contradictions, relations_of
from ..similar import similar_claims

register = template.Library()

CONTRADICTIONS_SHOWN = 50
SIMILAR_SHOWN = 5


# "This claim ... #N": each kind of relation as seen from its first claim, and from its second.
PHRASES = {
    ClaimRelation.Kind.DUPLICATE_OF: ("is a duplicate of", "is duplicated by"),
    ClaimRelation.Kind.CONTRADICTS: ("contradicts", "is contradicted by"),
    ClaimRelation.Kind.RELATED: ("is related to", "is related to"),
}


def _side(claim: Claim) -> dict:
    return {"claim": claim, "url": reverse("admin:claims_claim_change", args=[claim.pk])}


@register.inclusion_tag("admin/claims/claim/relations_panel.html", takes_context=True)
def claim_relations(context, claim: Claim) -> dict:
    """The relations of ``claim`` that the person may see; a contradiction between two
    published claims is marked as the emergency it is. A claim whose text can no longer be
    edited also lists the claims most similar to it (an editable one gets them, with the
    buttons to record a duplicate, from ``claims/similar.js`` as its text is typed)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    rows = []
    for relation in relations_of(claim, user):
        outgoing = relation.from_claim_id == claim.pk
        other = relation.to_claim if outgoing else relation.from_claim
        label = PHRASES[relation.kind][0 if outgoing else 1]
        emergency = (
            relation.kind == ClaimRelation.Kind.CONTRADICTS
            and claim.status == Claim.Status.PUBLISHED
            and other.status == Claim.Status.PUBLISHED
        )
        rows.append({"relation": relation, "label": label, "other": _side(other), "emergency": emergency})
    similar = []
    if claim.status not in EDITABLE_STATUSES:
        related = {row["other"]["claim"].pk for row in rows}
        similar = [
            {
                "claim": result.claim,
                "status": Claim.Status(result.claim["status"]).label,
                "verdict": Claim.Verdict(result.claim["verdict"]).label,
                "score": round(result.score * 100),
                "url": reverse("admin:claims_claim_change", args=[result.claim["id"]]),
            }
            for result in similar_claims(claim.text, user=user, limit=SIMILAR_SHOWN, exclude=claim.pk)
            if result.claim["id"] not in related
        ]
    return {"rows": rows, "claim": claim, "similar": similar}


@register.inclusion_tag("admin/claims/claim/contradictions.html")
def published_contradiction_list() -> dict:
    """Published claims that contradict each other, oldest relation first."""
    relations = list(published_contradictions()[: CONTRADICTIONS_SHOWN + 1])
    return {
        "pairs": [
            {"relation": relation, "first": _side(relation.from_claim), "second": _side(relation.to_claim)}
            for relation in relations[:CONTRADICTIONS_SHOWN]
        ],
        "more": len(relations) > CONTRADICTIONS_SHOWN,
        "relations_url": reverse("admin:claims_claimrelation_changelist") + "?kind__exact=contradicts",
    }
