"""The workflow table of DESIGN.md, one rule per test.

| action | from | to | who | also requires |
submit, approve, request_changes, reject, retract, reopen; and the rules under the table:
four-eyes for everyone, one Review row per transition, ``version`` bumps.
"""

from __future__ import annotations

import pytest

from claims import services
from claims.models import Claim, Review
from project.errors import Conflict, InvalidInput, NotAllowed, StaleVersion
from sources.models import Span
from sources.services import source_update_text

pytestmark = pytest.mark.django_db

ALL_STATUSES = [choice.value for choice in Claim.Status]
COMMENT = "Checked against the source."


def _snapshot(claim: Claim) -> tuple:
    claim.refresh_from_db()
    return (
        claim.status,
        claim.version,
        claim.reviewer_id,
        claim.submitted_at,
        claim.published_at,
        Review.objects.filter(claim=claim).count(),
    )


def _refused(error_class, code: str, claim: Claim, call) -> None:
    """``call`` raises ``error_class`` with ``code`` and leaves the claim and its log as they were."""
    before = _snapshot(claim)
    with pytest.raises(error_class) as caught:
        call()
    assert caught.value.code == code
    assert _snapshot(claim) == before


def _only_review(claim: Claim) -> Review:
    reviews = list(Review.objects.filter(claim=claim).order_by("-id")[:1])
    return reviews[0]


# ---------------------------------------------------------------------------------------------
# submit: draft, changes_requested -> in_review; the author, or a reviewer; at least one evidence


def test_author_submits_draft_for_review(make_claim, analyst):
    claim = make_claim(analyst)
    version = claim.version

    result = services.claim_submit(claim=claim, user=analyst)

    assert result.status == Claim.Status.IN_REVIEW
    assert result.version == version + 1
    assert result.submitted_at is not None
    assert result.published_at is None
    assert result.reviewer is None
    review = Review.objects.get(claim=claim)
    assert (review.action, review.actor, review.from_status, review.to_status) == (
        "submit",
        analyst,
        "draft",
        "in_review",
    )


def test_author_resubmits_after_changes_requested(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="changes_requested", reviewer=reviewer)
    first_submission = claim.submitted_at

    result = services.claim_submit(claim=claim, user=analyst)

    assert result.status == Claim.Status.IN_REVIEW
    assert result.submitted_at > first_submission
    review = _only_review(claim)
    assert (review.from_status, review.to_status) == ("changes_requested", "in_review")


def test_reviewer_may_submit_someone_elses_draft(make_claim, analyst, reviewer):
    claim = make_claim(analyst)
    assert services.claim_submit(claim=claim, user=reviewer).status == Claim.Status.IN_REVIEW
    assert _only_review(claim).actor == reviewer


def test_other_analyst_cannot_submit_someone_elses_draft(make_claim, analyst, analyst2):
    claim = make_claim(analyst)
    _refused(NotAllowed, "not_author", claim, lambda: services.claim_submit(claim=claim, user=analyst2))


def test_user_without_a_role_cannot_submit_even_as_author(make_claim, analyst, outsider):
    claim = make_claim(analyst)
    Claim.objects.filter(pk=claim.pk).update(author=outsider)
    _refused(NotAllowed, "not_author", claim, lambda: services.claim_submit(claim=claim, user=outsider))


def test_submit_needs_at_least_one_evidence(analyst):
    claim = services.claim_create(author=analyst, text="A claim with nothing behind it yet.")
    _refused(Conflict, "no_evidence", claim, lambda: services.claim_submit(claim=claim, user=analyst))


@pytest.mark.parametrize("status", sorted(set(ALL_STATUSES) - {"draft", "changes_requested"}))
def test_submit_only_from_draft_or_changes_requested(make_claim, analyst, reviewer, status):
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    _refused(
        Conflict, "invalid_transition", claim, lambda: services.claim_submit(claim=claim, user=analyst)
    )


# ---------------------------------------------------------------------------------------------
# approve: in_review -> published; a reviewer who is not the author; verdict, confidence, evidence


def test_reviewer_approves_claim_in_review(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    version, submitted_at = claim.version, claim.submitted_at

    result = services.claim_approve(claim=claim, user=reviewer, comment="Well sourced.")

    assert result.status == Claim.Status.PUBLISHED
    assert result.reviewer == reviewer
    assert result.published_at is not None
    assert result.submitted_at == submitted_at
    assert result.version == version + 1
    review = _only_review(claim)
    assert (review.action, review.actor, review.from_status, review.to_status, review.comment) == (
        "approve",
        reviewer,
        "in_review",
        "published",
        "Well sourced.",
    )


def test_approve_needs_no_comment(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    assert services.claim_approve(claim=claim, user=reviewer).status == Claim.Status.PUBLISHED
    assert _only_review(claim).comment == ""


def test_reviewer_cannot_approve_own_claim(make_claim, reviewer, reviewer2):
    claim = make_claim(reviewer, status="in_review")
    _refused(NotAllowed, "four_eyes", claim, lambda: services.claim_approve(claim=claim, user=reviewer))
    # Another reviewer may.
    assert services.claim_approve(claim=claim, user=reviewer2).status == Claim.Status.PUBLISHED


def test_superuser_cannot_approve_own_claim(make_claim, superuser):
    claim = make_claim(superuser, status="in_review")
    _refused(NotAllowed, "four_eyes", claim, lambda: services.claim_approve(claim=claim, user=superuser))


def test_superuser_may_approve_someone_elses_claim(make_claim, analyst, superuser):
    claim = make_claim(analyst, status="in_review")
    result = services.claim_approve(claim=claim, user=superuser)
    assert (result.status, result.reviewer) == (Claim.Status.PUBLISHED, superuser)


def test_analyst_cannot_approve(make_claim, analyst, analyst2):
    claim = make_claim(analyst, status="in_review")
    _refused(NotAllowed, "not_reviewer", claim, lambda: services.claim_approve(claim=claim, user=analyst2))


def test_inactive_reviewer_cannot_approve(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    reviewer.is_active = False
    reviewer.save()
    _refused(NotAllowed, "not_reviewer", claim, lambda: services.claim_approve(claim=claim, user=reviewer))


@pytest.mark.parametrize("status", sorted(set(ALL_STATUSES) - {"in_review"}))
def test_approve_only_from_in_review(make_claim, analyst, reviewer, reviewer2, status):
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    _refused(
        Conflict, "invalid_transition", claim, lambda: services.claim_approve(claim=claim, user=reviewer2)
    )


def test_submit_needs_a_verdict_other_than_unverified(make_claim, analyst, reviewer):
    claim = make_claim(analyst, verdict="unverified", status="draft")
    _refused(
        Conflict, "verdict_unverified", claim, lambda: services.claim_submit(claim=claim, user=analyst)
    )


def test_submit_needs_a_confidence(make_claim, analyst, reviewer):
    claim = make_claim(analyst, confidence="", status="draft")
    _refused(
        Conflict, "confidence_missing", claim, lambda: services.claim_submit(claim=claim, user=analyst)
    )


def test_submit_of_supported_verdict_needs_supports_evidence(make_claim, analyst, reviewer):
    claim = make_claim(analyst, verdict="supported", stance="refutes", status="draft")
    _refused(
        Conflict, "evidence_mismatch", claim, lambda: services.claim_submit(claim=claim, user=analyst)
    )


def test_submit_of_supported_verdict_is_not_satisfied_by_context_evidence(make_claim, analyst, reviewer):
    claim = make_claim(analyst, verdict="supported", stance="context", status="draft")
    _refused(
        Conflict, "evidence_mismatch", claim, lambda: services.claim_submit(claim=claim, user=analyst)
    )


def test_submit_of_refuted_verdict_needs_refutes_evidence(make_claim, analyst, reviewer):
    claim = make_claim(analyst, verdict="refuted", stance="supports", status="draft")
    _refused(
        Conflict, "evidence_mismatch", claim, lambda: services.claim_submit(claim=claim, user=analyst)
    )


def test_refuted_verdict_with_refutes_evidence_is_approved(make_claim, analyst, reviewer):
    claim = make_claim(analyst, verdict="refuted", stance="refutes", status="in_review")
    assert services.claim_approve(claim=claim, user=reviewer).status == Claim.Status.PUBLISHED


@pytest.mark.parametrize("stance", ["supports", "refutes"])
def test_submit_of_disputed_verdict_needs_both_supports_and_refutes_evidence(
    make_claim, analyst, reviewer, source, stance
):
    claim = make_claim(analyst, verdict="disputed", stance=stance, status="draft")
    _refused(
        Conflict, "evidence_mismatch", claim, lambda: services.claim_submit(claim=claim, user=analyst)
    )


def test_disputed_verdict_with_both_stances_is_approved(analyst, reviewer, source):
    claim = services.claim_create(
        author=analyst,
        text="The sanctions went too far.",
        verdict="disputed",
        confidence="low",
        evidence=[
            services.EvidenceInput(source=source, quote="Russia voted six times", stance="supports"),
            services.EvidenceInput(
                source=source, quote="the sanctions went too far", stance="refutes"
            ),
        ],
    )
    services.claim_submit(claim=claim, user=analyst)
    assert services.claim_approve(claim=claim, user=reviewer).status == Claim.Status.PUBLISHED


def test_unverifiable_verdict_is_approved_on_context_evidence(make_claim, analyst, reviewer):
    claim = make_claim(analyst, verdict="unverifiable", stance="context", status="in_review")
    assert services.claim_approve(claim=claim, user=reviewer).status == Claim.Status.PUBLISHED


def test_approve_refused_while_evidence_is_orphaned(make_claim, analyst, reviewer, source):
    claim = make_claim(analyst, status="in_review")
    source_update_text(source=source, text=source.text.replace("six times", "often"), user=analyst)
    assert Span.objects.get(evidence__claim=claim).anchor_state == Span.AnchorState.ORPHANED
    _refused(
        Conflict, "evidence_orphaned", claim, lambda: services.claim_approve(claim=claim, user=reviewer)
    )


# ---------------------------------------------------------------------------------------------
# request_changes: in_review -> changes_requested; a reviewer who is not the author; a comment


def test_reviewer_requests_changes_with_a_comment(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    version = claim.version

    result = services.claim_request_changes(claim=claim, user=reviewer, comment="  Cite the vote.  ")

    assert result.status == Claim.Status.CHANGES_REQUESTED
    assert result.reviewer == reviewer
    assert result.published_at is None
    assert result.version == version + 1
    review = _only_review(claim)
    assert (review.action, review.from_status, review.to_status, review.comment) == (
        "request_changes",
        "in_review",
        "changes_requested",
        "Cite the vote.",
    )


@pytest.mark.parametrize("comment", ["", "   \n\t"])
def test_request_changes_needs_a_comment(make_claim, analyst, reviewer, comment):
    claim = make_claim(analyst, status="in_review")
    _refused(
        InvalidInput,
        "comment_required",
        claim,
        lambda: services.claim_request_changes(claim=claim, user=reviewer, comment=comment),
    )


def test_reviewer_cannot_request_changes_on_own_claim(make_claim, reviewer):
    claim = make_claim(reviewer, status="in_review")
    _refused(
        NotAllowed,
        "four_eyes",
        claim,
        lambda: services.claim_request_changes(claim=claim, user=reviewer, comment=COMMENT),
    )


def test_superuser_cannot_request_changes_on_own_claim(make_claim, superuser):
    claim = make_claim(superuser, status="in_review")
    _refused(
        NotAllowed,
        "four_eyes",
        claim,
        lambda: services.claim_request_changes(claim=claim, user=superuser, comment=COMMENT),
    )


def test_analyst_cannot_request_changes(make_claim, analyst, analyst2):
    claim = make_claim(analyst, status="in_review")
    _refused(
        NotAllowed,
        "not_reviewer",
        claim,
        lambda: services.claim_request_changes(claim=claim, user=analyst2, comment=COMMENT),
    )


@pytest.mark.parametrize("status", sorted(set(ALL_STATUSES) - {"in_review"}))
def test_request_changes_only_from_in_review(make_claim, analyst, reviewer, reviewer2, status):
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    _refused(
        Conflict,
        "invalid_transition",
        claim,
        lambda: services.claim_request_changes(claim=claim, user=reviewer2, comment=COMMENT),
    )


# ---------------------------------------------------------------------------------------------
# reject: in_review -> rejected; a reviewer who is not the author; a comment


def test_reviewer_rejects_with_a_comment(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    version = claim.version

    result = services.claim_reject(claim=claim, user=reviewer, comment="Not a checkable claim.")

    assert result.status == Claim.Status.REJECTED
    assert result.reviewer == reviewer
    assert result.published_at is None
    assert result.version == version + 1
    review = _only_review(claim)
    assert (review.action, review.from_status, review.to_status, review.comment) == (
        "reject",
        "in_review",
        "rejected",
        "Not a checkable claim.",
    )


@pytest.mark.parametrize("comment", ["", "  "])
def test_reject_needs_a_comment(make_claim, analyst, reviewer, comment):
    claim = make_claim(analyst, status="in_review")
    _refused(
        InvalidInput,
        "comment_required",
        claim,
        lambda: services.claim_reject(claim=claim, user=reviewer, comment=comment),
    )


def test_reviewer_cannot_reject_own_claim(make_claim, reviewer):
    claim = make_claim(reviewer, status="in_review")
    _refused(
        NotAllowed,
        "four_eyes",
        claim,
        lambda: services.claim_reject(claim=claim, user=reviewer, comment=COMMENT),
    )


def test_superuser_cannot_reject_own_claim(make_claim, superuser):
    claim = make_claim(superuser, status="in_review")
    _refused(
        NotAllowed,
        "four_eyes",
        claim,
        lambda: services.claim_reject(claim=claim, user=superuser, comment=COMMENT),
    )


def test_analyst_cannot_reject(make_claim, analyst, analyst2):
    claim = make_claim(analyst, status="in_review")
    _refused(
        NotAllowed,
        "not_reviewer",
        claim,
        lambda: services.claim_reject(claim=claim, user=analyst2, comment=COMMENT),
    )


@pytest.mark.parametrize("status", sorted(set(ALL_STATUSES) - {"in_review"}))
def test_reject_only_from_in_review(make_claim, analyst, reviewer, reviewer2, status):
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    _refused(
        Conflict,
        "invalid_transition",
        claim,
        lambda: services.claim_reject(claim=claim, user=reviewer2, comment=COMMENT),
    )


# ---------------------------------------------------------------------------------------------
# retract: published -> retracted; a reviewer; a comment


def test_reviewer_retracts_published_claim_with_a_comment(make_claim, analyst, reviewer, reviewer2):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    version, published_at = claim.version, claim.published_at

    result = services.claim_retract(claim=claim, user=reviewer2, comment="The vote count was wrong.")

    assert result.status == Claim.Status.RETRACTED
    # Retracting does not rewrite who approved it, nor when it was public.
    assert result.reviewer == reviewer
    assert result.published_at == published_at
    assert result.version == version + 1
    review = _only_review(claim)
    assert (review.action, review.actor, review.from_status, review.to_status) == (
        "retract",
        reviewer2,
        "published",
        "retracted",
    )


def test_retract_needs_a_comment(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    _refused(
        InvalidInput,
        "comment_required",
        claim,
        lambda: services.claim_retract(claim=claim, user=reviewer, comment=""),
    )


def test_reviewer_may_retract_own_published_claim(make_claim, reviewer, reviewer2):
    # The four-eyes rule covers approve, reject and request changes; taking a claim back
    # is always allowed to a reviewer.
    claim = make_claim(reviewer, status="published", reviewer=reviewer2)
    result = services.claim_retract(claim=claim, user=reviewer, comment="I got it wrong.")
    assert result.status == Claim.Status.RETRACTED
    assert result.reviewer == reviewer2


def test_analyst_cannot_retract_even_own_claim(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    _refused(
        NotAllowed,
        "not_reviewer",
        claim,
        lambda: services.claim_retract(claim=claim, user=analyst, comment=COMMENT),
    )


@pytest.mark.parametrize("status", sorted(set(ALL_STATUSES) - {"published"}))
def test_retract_only_from_published(make_claim, analyst, reviewer, status):
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    _refused(
        Conflict,
        "invalid_transition",
        claim,
        lambda: services.claim_retract(claim=claim, user=reviewer, comment=COMMENT),
    )


# ---------------------------------------------------------------------------------------------
# reopen: rejected, retracted -> draft; a reviewer, or the author of a rejected claim; a comment


def test_reviewer_reopens_rejected_claim_as_draft(make_claim, analyst, reviewer, reviewer2):
    claim = make_claim(analyst, status="rejected", reviewer=reviewer)
    version, submitted_at = claim.version, claim.submitted_at

    result = services.claim_reopen(claim=claim, user=reviewer2, comment="Worth another look.")

    assert result.status == Claim.Status.DRAFT
    assert result.version == version + 1
    # Submitted once, always: it stays undeletable.
    assert result.submitted_at == submitted_at
    review = _only_review(claim)
    assert (review.action, review.from_status, review.to_status) == ("reopen", "rejected", "draft")


def test_reviewer_reopens_retracted_claim_and_it_is_no_longer_published(
    make_claim, analyst, reviewer
):
    claim = make_claim(analyst, status="retracted", reviewer=reviewer)
    assert claim.published_at is not None

    result = services.claim_reopen(claim=claim, user=reviewer, comment="New evidence.")

    assert result.status == Claim.Status.DRAFT
    assert result.published_at is None
    assert _only_review(claim).from_status == "retracted"


def test_author_may_reopen_own_rejected_claim(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="rejected", reviewer=reviewer)
    result = services.claim_reopen(claim=claim, user=analyst, comment="Reworded it.")
    assert result.status == Claim.Status.DRAFT
    assert _only_review(claim).actor == analyst


def test_author_cannot_reopen_own_retracted_claim(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="retracted", reviewer=reviewer)
    _refused(
        NotAllowed,
        "not_reviewer",
        claim,
        lambda: services.claim_reopen(claim=claim, user=analyst, comment=COMMENT),
    )


def test_other_analyst_cannot_reopen_rejected_claim(make_claim, analyst, analyst2, reviewer):
    claim = make_claim(analyst, status="rejected", reviewer=reviewer)
    _refused(
        NotAllowed,
        "not_reviewer",
        claim,
        lambda: services.claim_reopen(claim=claim, user=analyst2, comment=COMMENT),
    )


def test_reopen_needs_a_comment(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="rejected", reviewer=reviewer)
    _refused(
        InvalidInput,
        "comment_required",
        claim,
        lambda: services.claim_reopen(claim=claim, user=analyst, comment=" "),
    )


@pytest.mark.parametrize("status", ["draft", "in_review", "changes_requested", "published"])
def test_reopen_only_from_rejected_or_retracted(make_claim, analyst, reviewer, status):
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    _refused(
        Conflict,
        "invalid_transition",
        claim,
        lambda: services.claim_reopen(claim=claim, user=reviewer, comment=COMMENT),
    )


def test_reopened_claim_can_go_round_again_with_a_new_reviewer(
    make_claim, analyst, reviewer, reviewer2
):
    claim = make_claim(analyst, status="rejected", reviewer=reviewer)
    services.claim_reopen(claim=claim, user=analyst, comment="Reworded it.")
    services.claim_submit(claim=claim, user=analyst)
    result = services.claim_approve(claim=claim, user=reviewer2)
    assert (result.status, result.reviewer) == (Claim.Status.PUBLISHED, reviewer2)
    assert [(r.from_status, r.to_status) for r in claim.reviews.order_by("id")] == [
        ("draft", "in_review"),
        ("in_review", "rejected"),
        ("rejected", "draft"),
        ("draft", "in_review"),
        ("in_review", "published"),
    ]


# ---------------------------------------------------------------------------------------------
# Rules that hold for every transition


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        ("draft", "submit", "in_review"),
        ("changes_requested", "submit", "in_review"),
        ("in_review", "approve", "published"),
        ("in_review", "request_changes", "changes_requested"),
        ("in_review", "reject", "rejected"),
        ("published", "retract", "retracted"),
        ("rejected", "reopen", "draft"),
        ("retracted", "reopen", "draft"),
    ],
)
def test_each_transition_writes_exactly_one_review_row_and_bumps_version_once(
    make_claim, analyst, reviewer, reviewer2, status, action, target
):
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    reviews_before = Review.objects.count()
    version = claim.version

    result = services.claim_transition(claim=claim, user=reviewer2, action=action, comment=COMMENT)

    assert result.status == target
    assert result.version == version + 1
    assert Review.objects.count() == reviews_before + 1
    review = Review.objects.latest("id")
    assert (review.claim_id, review.action, review.actor, review.from_status, review.to_status) == (
        claim.pk,
        action,
        reviewer2,
        status,
        target,
    )


def test_transition_refreshes_the_callers_claim(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    services.claim_approve(claim=claim, user=reviewer)
    assert claim.status == Claim.Status.PUBLISHED


def test_action_names_accept_the_api_spelling(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    result = services.claim_transition(
        claim=claim, user=reviewer, action="request-changes", comment=COMMENT
    )
    assert result.status == Claim.Status.CHANGES_REQUESTED


def test_unknown_action_is_invalid_input(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    _refused(
        InvalidInput,
        "unknown_action",
        claim,
        lambda: services.claim_transition(claim=claim, user=reviewer, action="publish"),
    )


def test_transition_on_a_stale_version_is_refused(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="in_review")
    _refused(
        StaleVersion,
        "stale_version",
        claim,
        lambda: services.claim_approve(claim=claim, user=reviewer, expected_version=claim.version - 1),
    )
    result = services.claim_approve(claim=claim, user=reviewer, expected_version=claim.version)
    assert result.status == Claim.Status.PUBLISHED


def test_who_is_checked_before_the_state(make_claim, analyst, analyst2):
    # An analyst pressing "approve" on a draft learns they may not approve at all (403),
    # not that the claim is in the wrong state.
    claim = make_claim(analyst)
    _refused(NotAllowed, "not_reviewer", claim, lambda: services.claim_approve(claim=claim, user=analyst2))


@pytest.mark.parametrize(
    ("status", "who", "expected"),
    [
        ("draft", "analyst", ["submit"]),
        ("draft", "analyst2", []),
        ("draft", "reviewer", ["submit"]),
        ("in_review", "analyst", []),
        ("in_review", "reviewer", ["approve", "request_changes", "reject"]),
        ("in_review", "superuser", ["approve", "request_changes", "reject"]),
        ("published", "analyst", []),
        ("published", "reviewer", ["retract"]),
        ("rejected", "analyst", ["reopen"]),
        ("rejected", "analyst2", []),
        ("retracted", "analyst", []),
        ("retracted", "reviewer", ["reopen"]),
    ],
)
def test_allowed_actions_follow_the_table(make_claim, request, reviewer2, status, who, expected):
    author = request.getfixturevalue("analyst")
    claim = make_claim(author, status=status, reviewer=reviewer2)
    user = request.getfixturevalue(who)
    assert sorted(services.allowed_actions(claim, user)) == sorted(expected)


def test_allowed_actions_respect_four_eyes_for_the_author(make_claim, superuser, reviewer):
    claim = make_claim(superuser, status="in_review")
    assert services.allowed_actions(claim, superuser) == []
    assert sorted(services.allowed_actions(claim, reviewer)) == ["approve", "reject", "request_changes"]
