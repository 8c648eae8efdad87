"""A published claim as schema.org ClaimReview JSON-LD, the fact-check markup search engines
read (https://developers.google.com/search/docs/appearance/structured-data/factcheck).

Google requires ``claimReviewed``, ``reviewRating`` (with ``alternateName``, the verdict in
words) and ``url``; ``itemReviewed`` is the Claim, whose ``appearance`` lists the sources
its evidence quotes.
"""

from __future__ import annotations

from .models import Claim

PUBLISHER_NAME = "Claimbase"

# verdict -> (ratingValue on a 1..5 scale, or None when the scale does not apply; words)
RATINGS: dict[str, tuple[int | None, str]] = {
    Claim.Verdict.SUPPORTED: (5, "Supported"),
    Claim.Verdict.DISPUTED: (3, "Disputed"),
    Claim.Verdict.REFUTED: (1, "Refuted"),
    Claim.Verdict.UNVERIFIABLE: (None, "Unverifiable"),
    Claim.Verdict.UNVERIFIED: (None, "Unverified"),
}


def _rating(claim: Claim) -> dict:
    value, words = RATINGS[claim.verdict]
    rating: dict = {"@type": "Rating", "alternateName": words}
    if value is not None:
        rating.update(ratingValue=value, bestRating=5, worstRating=1)
    return rating


def _appearance(source) -> dict:
    work: dict = {"@type": "CreativeWork", "headline": source.title}
    if source.url:
        work["url"] = source.url
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.authors:
        work["author"] = {"@type": "Person", "name": source.authors}
    if source.published_on:
        work["datePublished"] = source.published_on.isoformat()
    return work


def _relation(relation, claim: Claim, claim_url) -> dict:
    # The other claim, and how this one relates to it ("duplicate_of": this claim is the
    # duplicate; "duplicated_by": the other is), by its address.
    outgoing = relation.from_claim_id == claim.pk
    other = relation.to_claim if outgoing else relation.from_claim
    kind = relation.kind if outgoing or relation.kind != "duplicate_of" else "duplicated_by"
    return {"relation": kind, "claim": claim_url(other.pk), "text": other.text, "status": other.status}


def claim_review(claim: Claim, *, url: str, relations=(), claim_url=None) -> dict:
    """The ClaimReview of ``claim`` (its evidence, spans, sources and entities prefetched);
    ``url`` is the address of the review. ``relations`` (those the reader may see) go under
    ``claimbase:relations``, each other claim named by ``claim_url(id)``: schema.org has no
    term for a duplicate or a contradiction."""
    sources = {}
    for evidence in claim.evidence.all():
        sources.setdefault(evidence.span.source_id, evidence.span.source)
    item: dict = {
        "@type": "Claim",
        "appearance": [_appearance(source) for source in sources.values()],
    }
    dated = [source.published_on for source in sources.values() if source.published_on]
    if dated:
        item["datePublished"] = min(dated).isoformat()
    about = [
        {
            "@type": "Thing",
            "name": entity.name,
            **({"sameAs": f"https://www.wikidata.org/wiki/{entity.wikidata_id}"} if entity.wikidata_id else {}),
        }
        for entity in claim.entities.all()
    ]
    if about:
        item["about"] = about
    review: dict = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.text,
        "author": {"@type": "Organization", "name": PUBLISHER_NAME},
        "reviewRating": _rating(claim),
        "itemReviewed": item,
    }
    if claim.published_at:
        review["datePublished"] = claim.published_at.date().isoformat()
    related = [_relation(relation, claim, claim_url) for relation in relations]
    if related:
        review["claimbase:relations"] = related
    return review
