"""What the public sees of a published claim's moderation log and field history: the public
decisions (publish, retract with its reason) and the published versions; internal
comments and draft content are for staff."""

from __future__ import annotations

import pytest

from claims import services

pytestmark = pytest.mark.django_db

DRAFT_TEXT = "Draft wording that was never published."
INTERNAL = "Internal: the second source is shaky, check with the desk."


@pytest.fixture
def reworked_claim(analyst, reviewer, source):
    """Drafted with other words, sent back with an internal comment, reworded, published
    with an internal comment, then retracted with a public reason."""
    claim = services.claim_create(
        author=analyst, text=DRAFT_TEXT, verdict="supported", confidence="high",
        evidence=[services.EvidenceInput(source=source, quote="Russia voted six times", stance="supports")],
    )
    claim = services.claim_transition(claim=claim, user=analyst, action="submit")
    claim = services.claim_transition(claim=claim, user=reviewer, action="request_changes", comment=INTERNAL)
    claim = services.claim_update(claim=claim, user=analyst, text="Russia voted six times for sanctions.")
    claim = services.claim_transition(claim=claim, user=analyst, action="submit")
    claim = services.claim_transition(claim=claim, user=reviewer, action="approve", comment=INTERNAL)
    return services.claim_transition(claim=claim, user=reviewer, action="retract", comment="A later vote contradicts it.")


def test_anonymous_callers_see_only_the_public_decisions(anonymous, reworked_claim):
    reviews = anonymous.get(f"/api/v1/claims/{reworked_claim.pk}/reviews/").json()
    assert [(review["action"], review["comment"]) for review in reviews] == [
        ("approve", ""),
        ("retract", "A later vote contradicts it."),
    ]
    assert INTERNAL not in str(reviews)


def test_staff_see_the_whole_moderation_log(client_for, reviewer2, reworked_claim):
    reviews = client_for(reviewer2).get(f"/api/v1/claims/{reworked_claim.pk}/reviews/").json()
    assert [review["action"] for review in reviews] == ["submit", "request_changes", "submit", "approve", "retract"]
    assert INTERNAL in str(reviews)


def test_anonymous_callers_see_only_the_published_versions_in_history(anonymous, reworked_claim):
    entries = anonymous.get(f"/api/v1/claims/{reworked_claim.pk}/history/").json()
    text = str(entries)
    assert DRAFT_TEXT not in text and INTERNAL not in text
    assert {entry["object"] for entry in entries} == {"claim"}
    published, retracted = entries
    assert {"field": "text", "old": None, "new": "Russia voted six times for sanctions."} in published["changes"]
    assert published["reason"] == "approve"
    assert {"field": "status", "old": "published", "new": "retracted"} in retracted["changes"]
    assert retracted["reason"] == "retract: A later vote contradicts it."


def test_staff_see_draft_content_in_history(client_for, reviewer2, reworked_claim):
    text = str(client_for(reviewer2).get(f"/api/v1/claims/{reworked_claim.pk}/history/").json())
    assert DRAFT_TEXT in text and INTERNAL in text
