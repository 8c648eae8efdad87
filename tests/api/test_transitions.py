"""The workflow over HTTP: one endpoint per action, 200 with the claim, 409 with a code."""

from __future__ import annotations

import pytest

from claims.models import Review

pytestmark = pytest.mark.django_db


def _act(client, claim, action, comment=None):
    body = {} if comment is None else {"comment": comment}
    return client.post(f"/api/v1/claims/{claim.pk}/{action}/", body, format="json")


def test_full_path_from_draft_to_retracted_and_back(client_for, analyst, reviewer, corpus):
    author, decider = client_for(analyst), client_for(reviewer)
    claim = corpus.draft
    response = _act(author, claim, "submit")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_review"
    assert response["ETag"].startswith(f'"claim-{claim.pk}-v{response.json()["version"]}-r')
    assert _act(decider, claim, "request-changes", "Cite the vote count.").json()["status"] == "changes_requested"
    assert _act(author, claim, "submit").json()["status"] == "in_review"
    published = _act(decider, claim, "approve", "One source suffices for what it says of itself.").json()
    assert published["status"] == "published" and published["reviewer"] == "reviewer"
    assert _act(decider, claim, "retract", "Source withdrawn.").json()["status"] == "retracted"
    assert _act(decider, claim, "reopen", "New source found.").json()["status"] == "draft"
    actions = list(Review.objects.filter(claim=claim).values_list("action", flat=True))
    assert actions == ["submit", "request_changes", "submit", "approve", "retract", "reopen"]


def test_reject_needs_a_comment(client_for, reviewer, corpus):
    response = _act(client_for(reviewer), corpus.in_review, "reject", "")
    assert response.status_code == 400
    assert response.json()["code"] == "comment_required"
    assert "comment" in response.json()["errors"]


def test_transition_from_the_wrong_state_is_a_conflict(client_for, reviewer, corpus):
    response = _act(client_for(reviewer), corpus.published, "approve")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition"
    assert body["status"] == "published"
    assert set(body) >= {"detail", "code"}


def test_four_eyes_binds_superusers(client_for, superuser, corpus, make_claim):
    own = make_claim(superuser, status="in_review", text="Written by the superuser.")
    response = _act(client_for(superuser), own, "approve")
    assert response.status_code == 403
    assert response.json()["code"] == "four_eyes"
    assert _act(client_for(superuser), corpus.in_review, "approve").status_code == 200


def test_submit_needs_matching_evidence(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="draft", verdict="refuted", stance="supports", text="Refuted?")
    response = _act(client_for(analyst), claim, "submit")
    assert response.status_code == 409
    assert response.json()["code"] == "evidence_mismatch"


def test_reviews_endpoint_is_the_moderation_log(anonymous, client_for, analyst, corpus):
    staff_rows = client_for(analyst).get(f"/api/v1/claims/{corpus.retracted.pk}/reviews/").json()
    assert [row["action"] for row in staff_rows] == ["submit", "approve", "retract"]
    response = anonymous.get(f"/api/v1/claims/{corpus.retracted.pk}/reviews/")
    assert response.status_code == 200
    rows = response.json()
    assert [row["action"] for row in rows] == ["approve", "retract"]  # the public decisions
    assert rows[-1]["actor"] == "reviewer2"
    assert rows[-1]["from_status"] == "published" and rows[-1]["to_status"] == "retracted"
    assert rows[-1]["comment"] == "retract for the test"


def test_review_queue_lists_what_the_caller_may_decide_oldest_first(
    client_for, analyst, reviewer, reviewer2, make_claim
):
    first = make_claim(analyst, status="in_review", text="First submitted.")
    second = make_claim(analyst, status="in_review", text="Second submitted.")
    own = make_claim(reviewer, status="in_review", text="The reviewer's own.")
    make_claim(analyst, status="published", reviewer=reviewer2, text="Already decided.")
    ids = [row["id"] for row in client_for(reviewer).get("/api/v1/review-queue/").json()["results"]]
    assert ids == [first.pk, second.pk]
    ids = [row["id"] for row in client_for(reviewer2).get("/api/v1/review-queue/").json()["results"]]
    assert ids == [first.pk, second.pk, own.pk]


def test_review_queue_is_for_reviewers(client_for, analyst):
    assert client_for(None).get("/api/v1/review-queue/").status_code == 401
    assert client_for(analyst).get("/api/v1/review-queue/").status_code == 403
