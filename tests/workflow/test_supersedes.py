"""A correction (``supersedes``): publishing it retracts the published claim it corrects."""

from __future__ import annotations

import pytest

from claims import services
from sources.services import source_update_text
from claims.models import Claim, Review
from project.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


def _correction(analyst, source, previous: Claim) -> Claim:
    return services.claim_create(
        author=analyst,
        text="Russia voted six times for sanctions on Iran between 2006 and 2010.",
        verdict="supported",
        confidence="moderate",
        supersedes=previous,
        evidence=[services.EvidenceInput(source=source, quote="Russia voted six times")],
    )


def _publish(claim: Claim, author, reviewer) -> Claim:
    services.claim_submit(claim=claim, user=author)
    return services.claim_approve(claim=claim, user=reviewer, comment="The years are the correction's own reading.")


def test_publishing_a_correction_retracts_the_claim_it_supersedes(
    make_claim, analyst, analyst2, reviewer, reviewer2, source
):
    previous = make_claim(analyst, status="published", reviewer=reviewer)
    version, reviewer_before, published_at = previous.version, previous.reviewer, previous.published_at
    correction = _correction(analyst2, source, previous)

    _publish(correction, analyst2, reviewer2)

    previous.refresh_from_db()
    assert previous.status == Claim.Status.RETRACTED
    assert previous.version == version + 1
    assert previous.reviewer == reviewer_before
    assert previous.published_at == published_at
    review = previous.reviews.latest("id")
    assert (review.action, review.actor, review.from_status, review.to_status) == (
        "retract",
        reviewer2,
        "published",
        "retracted",
    )
    assert f"#{correction.pk}" in review.comment
    assert previous.reviews.count() == 3  # submit, approve, retract
    correction.refresh_from_db()
    assert correction.status == Claim.Status.PUBLISHED
    assert correction.reviews.count() == 2


def test_automatic_retraction_is_recorded_in_field_history(
    make_claim, analyst, reviewer, reviewer2, source
):
    previous = make_claim(analyst, status="published", reviewer=reviewer)
    _publish(_correction(analyst, source, previous), analyst, reviewer2)
    record = previous.history.latest()
    assert (record.status, record.history_user) == ("retracted", reviewer2)


def test_reviewer_who_wrote_the_superseded_claim_may_publish_its_correction(
    make_claim, analyst, reviewer, reviewer2, source
):
    # Retraction is not under the four-eyes rule: the approver may be the old claim's author.
    previous = make_claim(reviewer, status="published", reviewer=reviewer2)
    _publish(_correction(analyst, source, previous), analyst, reviewer)
    previous.refresh_from_db()
    assert previous.status == Claim.Status.RETRACTED
    assert previous.reviewer == reviewer2


@pytest.mark.parametrize("status", ["draft", "in_review", "changes_requested", "rejected", "retracted"])
def test_superseded_claim_that_is_not_published_is_left_alone(
    make_claim, analyst, analyst2, reviewer, reviewer2, source, status
):
    previous = make_claim(analyst, status=status, reviewer=reviewer)
    before = (previous.status, previous.version, previous.reviews.count())

    _publish(_correction(analyst2, source, previous), analyst2, reviewer2)

    previous.refresh_from_db()
    assert (previous.status, previous.version, previous.reviews.count()) == before


def test_correction_retracts_nothing_until_it_is_published(
    make_claim, analyst, analyst2, reviewer, reviewer2, source
):
    previous = make_claim(analyst, status="published", reviewer=reviewer)
    correction = _correction(analyst2, source, previous)
    services.claim_submit(claim=correction, user=analyst2)
    services.claim_reject(claim=correction, user=reviewer2, comment="The original stands.")
    previous.refresh_from_db()
    assert previous.status == Claim.Status.PUBLISHED
    assert previous.reviews.count() == 2


def test_failed_approval_of_a_correction_retracts_nothing(
    make_claim, analyst, analyst2, reviewer, reviewer2, source
):
    previous = make_claim(analyst, status="published", reviewer=reviewer)
    correction = _correction(analyst2, source, previous)
    services.claim_submit(claim=correction, user=analyst2)
    # Its evidence's words leave the source: approval is refused (orphaned evidence).
    source_update_text(source=source, user=reviewer, text=source.text.replace("Russia voted six times", "Moscow abstained", 1))
    with pytest.raises(Conflict):
        services.claim_approve(claim=correction, user=reviewer2, comment="The years are the correction's own reading.")
    previous.refresh_from_db()
    assert previous.status == Claim.Status.PUBLISHED


def test_claim_cannot_supersede_itself(make_claim, analyst):
    claim = make_claim(analyst)
    with pytest.raises(InvalidInput):
        services.claim_update(claim=claim, user=analyst, supersedes=claim)
    assert Claim.objects.get(pk=claim.pk).supersedes_id is None


def test_corrections_cannot_form_a_cycle(make_claim, analyst, source):
    first = make_claim(analyst)
    second = _correction(analyst, source, first)
    third = _correction(analyst, source, second)
    with pytest.raises(InvalidInput) as caught:
        services.claim_update(claim=first, user=analyst, supersedes=third)
    assert caught.value.code == "supersedes_cycle"
    assert Claim.objects.get(pk=first.pk).supersedes_id is None


def test_superseded_draft_cannot_be_deleted(make_claim, analyst, source):
    previous = make_claim(analyst)
    _correction(analyst, source, previous)
    with pytest.raises(Conflict) as caught:
        services.claim_delete(claim=previous, user=analyst)
    assert caught.value.code == "claim_is_superseded"
    assert Claim.objects.filter(pk=previous.pk).exists()


def test_retracted_by_correction_writes_one_review_row_per_claim(
    make_claim, analyst, reviewer, reviewer2, source
):
    previous = make_claim(analyst, status="published", reviewer=reviewer)
    correction = _correction(analyst, source, previous)
    services.claim_submit(claim=correction, user=analyst)
    before = Review.objects.count()
    services.claim_approve(claim=correction, user=reviewer2, comment="The years are the correction's own reading.")
    assert sorted(Review.objects.order_by("id")[before:].values_list("claim_id", "action")) == sorted(
        [(correction.pk, "approve"), (previous.pk, "retract")]
    )


def test_a_claim_whose_correction_is_published_cannot_be_published_after_it(
    make_claim, analyst, analyst2, reviewer, source
):
    previous = make_claim(analyst, status="in_review")
    correction = _correction(analyst2, source, previous)
    _publish(correction, analyst2, reviewer)

    with pytest.raises(Conflict) as refused:
        services.claim_approve(claim=previous, user=reviewer, comment="Approving the old reading.")

    assert refused.value.code == "superseded" and refused.value.extra == {"superseded_by": correction.pk}
    previous.refresh_from_db()
    assert previous.status == "in_review"
    assert not Review.objects.filter(claim=previous, action="approve").exists()


def test_a_claim_whose_correction_was_retracted_may_be_published(make_claim, analyst, analyst2, reviewer, source):
    previous = make_claim(analyst, status="in_review")
    correction = _correction(analyst2, source, previous)
    _publish(correction, analyst2, reviewer)
    services.claim_retract(claim=correction, user=reviewer, comment="The correction was wrong.")

    services.claim_approve(claim=previous, user=reviewer, comment="The first reading stands.")
    assert Claim.objects.get(pk=previous.pk).status == "published"
