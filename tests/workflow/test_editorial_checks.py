"""The editorial checks stored on claims: refreshed with every change, in the same
transaction, on every path; approving a claim with warnings takes a comment."""

from __future__ import annotations

import datetime as dt

import pytest

from claims import services
from claims.models import Claim, Review
from project.errors import InvalidInput
from sources.services import source_create, source_update

pytestmark = pytest.mark.django_db

TEXT = "Russia voted seven times for UN Security Council sanctions on Iran."


def codes(claim: Claim) -> list[str]:
    claim.refresh_from_db()
    return [warning["code"] for warning in claim.check_warnings]


def test_claim_create_stores_the_warnings(make_claim, analyst):
    claim = make_claim(analyst, text=TEXT)
    assert codes(claim) == ["number_not_in_evidence"]
    assert claim.has_checks
    assert '"seven"' in claim.check_warnings[0]["message"]


def test_a_clean_claim_has_no_warnings(make_claim, analyst):
    claim = make_claim(analyst)
    assert codes(claim) == [] and not claim.has_checks


def test_claim_update_refreshes_the_warnings(make_claim, analyst):
    claim = make_claim(analyst, text=TEXT)
    services.claim_update(claim=claim, user=analyst, text="Russia voted six times for sanctions on Iran.")
    assert codes(claim) == [] and not claim.has_checks
    services.claim_update(claim=claim, user=analyst, confidence="high")
    assert codes(claim) == ["single_source", "low_reliability"]


def test_evidence_changes_refresh_the_warnings(make_claim, analyst, source):
    claim = make_claim(analyst, text="The sanctions went too far.", quote="Moscow later said")
    assert codes(claim) == []
    other = source_create(user=analyst, title="Other", text="The sanctions may have gone too far.", reliability="B")
    evidence = services.evidence_add(
        claim=claim, user=analyst, item=services.EvidenceInput(source=other, quote="may have gone too far")
    )
    assert codes(claim) == ["hedged_evidence"]
    services.evidence_update(evidence=evidence, user=analyst, stance="context")
    assert codes(claim) == []
    services.evidence_update(evidence=evidence, user=analyst, stance="supports")
    services.evidence_remove(evidence=evidence, user=analyst)
    assert codes(claim) == []


def test_a_cited_sources_publication_date_refreshes_its_claims_and_their_version(make_claim, analyst, reviewer, source):
    claim = make_claim(analyst, text="In 2016 Russia voted six times for sanctions.", status="published", reviewer=reviewer)
    assert codes(claim) == ["date_not_in_evidence"]
    version = claim.version
    source_update(source=source, user=reviewer, published_on=dt.date(2016, 3, 1))
    assert codes(claim) == []
    assert claim.version == version + 1  # its detail shows the warnings: the ETag changes
    source_update(source=source, user=reviewer, title="Renamed")
    claim.refresh_from_db()
    assert codes(claim) == []
    assert claim.version == version + 2  # once: its detail shows the source's title


def test_approving_a_claim_with_warnings_requires_a_comment(make_claim, analyst, reviewer):
    claim = make_claim(analyst, text=TEXT, status="in_review")
    with pytest.raises(InvalidInput) as refused:
        services.claim_approve(claim=claim, user=reviewer)
    assert refused.value.code == "comment_required"
    assert refused.value.extra["checks"][0]["code"] == "number_not_in_evidence"
    claim.refresh_from_db()
    assert claim.status == "in_review"
    services.claim_approve(claim=claim, user=reviewer, comment="Seven counts the 2015 vote the paper omits.")
    review = Review.objects.filter(claim=claim).last()
    assert (review.action, review.comment) == ("approve", "Seven counts the 2015 vote the paper omits.")


def test_approving_a_clean_claim_needs_no_comment(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    assert services.claim_approve(claim=claim, user=reviewer).status == "published"


def test_the_approval_reads_the_warnings_afresh_not_a_stale_flag(make_claim, analyst, reviewer):
    claim = make_claim(analyst, text=TEXT, status="in_review")
    # As a bulk update or an old database would leave it.
    Claim.objects.filter(pk=claim.pk).update(check_warnings=[], has_checks=False)
    with pytest.raises(InvalidInput, match="comment"):
        services.claim_approve(claim=claim, user=reviewer)


def test_a_failed_create_stores_nothing(analyst, source):
    with pytest.raises(InvalidInput):
        services.claim_create(
            author=analyst, text=TEXT, evidence=[services.EvidenceInput(source=source, quote="not in the text")]
        )
    assert not Claim.objects.filter(text=TEXT).exists()
