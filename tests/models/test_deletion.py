"""What may be deleted: never-submitted drafts, sources without spans, spans no evidence
uses. Everything else is refused with a ``Conflict`` (409) that says why."""

from __future__ import annotations

import pytest

from claims import services
from claims.models import Claim, Evidence
from project.errors import Conflict, NotAllowed
from sources.models import Source, Span
from sources.services import source_create, source_delete, span_create, span_delete

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Sources


def test_source_with_spans_cannot_be_deleted(source):
    span_create(source=source, quote="Moscow later said")
    with pytest.raises(Conflict) as caught:
        source_delete(source=source)
    assert caught.value.code == "source_has_spans"
    assert caught.value.status_code == 409
    assert "1 span" in caught.value.message
    assert Source.objects.filter(pk=source.pk).exists()


def test_a_cited_source_is_refused_saying_claims_cite_it_never_to_delete_the_evidence(source, make_claim, analyst):
    """The refusal had told the analyst to delete the spans, cited evidence and all."""
    make_claim(analyst)
    make_claim(analyst, text="Russia voted six times, as Moscow later said.")
    with pytest.raises(Conflict) as caught:
        source_delete(source=source)
    assert caught.value.message == (
        "Claims cite it: 2 claims, through its 1 span. A source stays while its text grounds evidence."
    )
    assert "delete them" not in caught.value.message


def test_source_without_spans_is_deleted(analyst):
    source = source_create(user=analyst, title="Unused", text="Nothing cited here.")
    source_id = source.pk
    source_delete(source=source, user=analyst)
    assert not Source.objects.filter(pk=source_id).exists()


def test_source_becomes_deletable_once_its_spans_are_gone(source):
    span, _ = span_create(source=source, quote="Moscow later said")
    with pytest.raises(Conflict):
        source_delete(source=source)
    span_delete(span=span)
    source_delete(source=source)
    assert not Source.objects.exists()


# ---------------------------------------------------------------------------------------------
# Spans


def test_span_used_as_evidence_cannot_be_deleted(make_claim, analyst):
    claim = make_claim(analyst)
    span = claim.evidence.get().span
    with pytest.raises(Conflict) as caught:
        span_delete(span=span)
    assert caught.value.code == "span_in_use"
    assert caught.value.status_code == 409
    assert Span.objects.filter(pk=span.pk).exists()
    assert claim.evidence.count() == 1


def test_span_used_as_evidence_of_a_published_claim_cannot_be_deleted(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    with pytest.raises(Conflict):
        span_delete(span=claim.evidence.get().span)


def test_span_no_evidence_uses_is_deleted(source):
    span, _ = span_create(source=source, quote="Moscow later said")
    span_id = span.pk
    span_delete(span=span)
    assert not Span.objects.filter(pk=span_id).exists()


def test_span_is_deletable_once_its_evidence_is_removed(make_claim, analyst):
    claim = make_claim(analyst)
    evidence = claim.evidence.get()
    span = evidence.span
    services.evidence_remove(evidence=evidence, user=analyst)
    span_delete(span=span)
    assert not Span.objects.filter(pk=evidence.span_id).exists()


# ---------------------------------------------------------------------------------------------
# Claims: only never-submitted drafts


def test_author_deletes_a_never_submitted_draft_with_its_evidence(make_claim, analyst):
    claim = make_claim(analyst)
    claim_id, span_id = claim.pk, claim.evidence.get().span_id
    services.claim_delete(claim=claim, user=analyst)
    assert not Claim.objects.filter(pk=claim_id).exists()
    assert not Evidence.objects.filter(claim_id=claim_id).exists()
    # The span is the source's, not the claim's: it stays.
    assert Span.objects.filter(pk=span_id).exists()


def test_reviewer_may_delete_someone_elses_draft(make_claim, analyst, reviewer):
    claim = make_claim(analyst)
    claim_id = claim.pk
    services.claim_delete(claim=claim, user=reviewer)
    assert not Claim.objects.filter(pk=claim_id).exists()


@pytest.mark.parametrize("who", ["analyst2", "outsider"])
def test_only_the_author_or_a_reviewer_deletes_a_draft(make_claim, analyst, request, who):
    claim = make_claim(analyst)
    with pytest.raises(NotAllowed):
        services.claim_delete(claim=claim, user=request.getfixturevalue(who))
    assert Claim.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize(
    "status", ["in_review", "changes_requested", "published", "rejected", "retracted"]
)
def test_submitted_claim_cannot_be_deleted(make_claim, analyst, reviewer, status):
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    with pytest.raises(Conflict) as caught:
        services.claim_delete(claim=claim, user=analyst)
    assert caught.value.code == "claim_was_submitted"
    assert caught.value.status_code == 409
    assert Claim.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize("via", ["rejected", "retracted"])
def test_reopened_draft_that_was_once_submitted_cannot_be_deleted(make_claim, analyst, reviewer, via):
    claim = make_claim(analyst, status=via, reviewer=reviewer)
    services.claim_reopen(claim=claim, user=reviewer, comment="Back to the drawing board.")
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DRAFT
    with pytest.raises(Conflict) as caught:
        services.claim_delete(claim=claim, user=reviewer)
    assert caught.value.code == "claim_was_submitted"
    assert Claim.objects.filter(pk=claim.pk).exists()
    assert claim.reviews.count() == (3 if via == "rejected" else 4)


def test_superuser_cannot_delete_a_submitted_claim_either(make_claim, analyst, reviewer, superuser):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    with pytest.raises(Conflict):
        services.claim_delete(claim=claim, user=superuser)
