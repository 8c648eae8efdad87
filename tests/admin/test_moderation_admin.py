"""Moderation from the admin calls the workflow service, so every rule holds here too:
the four-eyes rule (superusers included), required comments, approval's requirements,
stale pages, and bulk actions that report what they could not do."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services
from claims.models import Claim, Review

from .helpers import claim_url, draft_with_evidence, listed_versions, messages_of, moderate_url

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:claims_claim_changelist"


def status_of(claim) -> str:
    return Claim.objects.values_list("status", flat=True).get(pk=claim.pk)


def test_author_submits_from_the_claim_page(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    page = client.get(claim_url(claim)).content.decode()
    assert moderate_url(claim, "submit") in page and moderate_url(claim, "approve") not in page
    response = client.post(moderate_url(claim, "submit"), {"version": claim.version})
    assert response.status_code == 302 and response["Location"] == claim_url(claim)
    assert status_of(claim) == "in_review"
    assert Review.objects.get(claim=claim).actor == analyst


def test_reviewer_approves_from_the_claim_page(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    client = client_for(reviewer)
    assert moderate_url(claim, "approve") in client.get(claim_url(claim)).content.decode()
    client.post(moderate_url(claim, "approve"))
    claim.refresh_from_db()
    assert (claim.status, claim.reviewer) == ("published", reviewer)


@pytest.mark.parametrize("action", ["approve", "reject", "request-changes"])
def test_four_eyes_rule_binds_a_reviewer_on_their_own_claim(client_for, reviewer, make_claim, action):
    claim = make_claim(reviewer, status="in_review")
    client = client_for(reviewer)
    assert moderate_url(claim, action) not in client.get(claim_url(claim)).content.decode()
    response = client.post(moderate_url(claim, action), {"comment": "Looks fine to me."}, follow=True)
    assert response.status_code == 200
    assert any("Four-eyes" in message for message in messages_of(response))
    assert status_of(claim) == "in_review"


def test_four_eyes_rule_binds_superusers_too(client_for, superuser, make_claim):
    claim = make_claim(superuser, status="in_review")
    response = client_for(superuser).post(moderate_url(claim, "approve"), follow=True)
    assert any("Four-eyes" in message for message in messages_of(response))
    assert status_of(claim) == "in_review"


def test_analyst_cannot_approve(client_for, analyst, analyst2, make_claim):
    claim = make_claim(analyst, status="in_review")
    response = client_for(analyst2).post(moderate_url(claim, "approve"), follow=True)
    assert any("Only reviewers" in message for message in messages_of(response))
    assert status_of(claim) == "in_review"


@pytest.mark.parametrize("action", ["reject", "request-changes"])
def test_a_required_comment_brings_back_the_comment_page(client_for, analyst, reviewer, make_claim, action):
    claim = make_claim(analyst, status="in_review")
    client = client_for(reviewer)
    page = client.get(moderate_url(claim, action))
    assert page.status_code == 200 and 'name="comment"' in page.content.decode()
    for blank in ("   ", "\u200b\u2060", "\u00ad"):  # invisible characters say nothing either
        response = client.post(moderate_url(claim, action), {"comment": blank})
        assert response.status_code == 200 and "required" in response.content.decode()
        assert status_of(claim) == "in_review"
    response = client.post(moderate_url(claim, action), {"comment": "The quote says otherwise."})
    assert response.status_code == 302
    assert status_of(claim) == {"reject": "rejected", "request-changes": "changes_requested"}[action]
    assert Review.objects.filter(claim=claim).last().comment == "The quote says otherwise."


def test_retract_and_reopen_need_comments_and_the_right_roles(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    response = client_for(analyst).post(moderate_url(claim, "retract"), {"comment": "Wrong."}, follow=True)
    assert status_of(claim) == "published"
    assert any("Only reviewers" in message for message in messages_of(response))
    client_for(reviewer).post(moderate_url(claim, "retract"), {"comment": "A better source contradicts it."})
    assert status_of(claim) == "retracted"
    client_for(reviewer).post(moderate_url(claim, "reopen"), {"comment": "Rework it."})
    assert status_of(claim) == "draft"


def test_approval_requirements_are_reported_at_submission_not_500(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="draft", verdict="unverified")
    response = client_for(analyst).post(moderate_url(claim, "submit"), follow=True)
    assert response.status_code == 200
    assert any("verdict" in message for message in messages_of(response))
    assert status_of(claim) == "draft"


def test_acting_on_a_stale_page_is_refused(client_for, analyst, reviewer, reviewer2, make_claim):
    claim = make_claim(analyst, status="in_review")
    loaded_version = claim.version
    client_for(reviewer2).post(moderate_url(claim, "reject"), {"comment": "No."})
    response = client_for(reviewer).post(moderate_url(claim, "approve"), {"version": loaded_version}, follow=True)
    assert status_of(claim) == "rejected"
    assert f"Claim #{claim.pk} was rejected meanwhile by reviewer2: “Approve and publish” no longer applies to it." in messages_of(response)


def test_a_stale_reject_from_the_queue_says_the_claim_was_published_meanwhile(client_for, analyst, reviewer, reviewer2, make_claim):
    claim = make_claim(analyst, status="in_review")
    queue = client_for(reviewer).get(reverse("admin:claims_claim_review_queue")).content.decode()
    loaded = claim.version
    assert f'name="version" value="{loaded}"' in queue
    services.claim_approve(claim=claim, user=reviewer2, comment="Checked.")
    response = client_for(reviewer).post(
        moderate_url(claim, "reject"), {"version": loaded, "comment": "The figure is wrong.", "next": "/admin/claims/claim/review-queue/"}
    )
    html = response.content.decode()
    assert status_of(claim) == "published"
    assert f"Claim #{claim.pk} was published meanwhile by reviewer2: “Reject” no longer applies to it." in html
    assert "reload it" not in html
    # The comment is kept to copy, and the page no longer offers Reject.
    assert "The figure is wrong." in html and 'data-action="reject"' not in html


def test_a_stale_decision_on_a_claim_that_only_changed_version_asks_to_look_again(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    loaded = claim.version
    Claim.objects.filter(pk=claim.pk).update(version=loaded + 1)  # as an edit of a cited source does
    response = client_for(reviewer).post(moderate_url(claim, "reject"), {"version": loaded, "comment": "No."})
    html = response.content.decode()
    assert status_of(claim) == "in_review"
    assert f"Claim #{claim.pk} changed after you opened it (it is now at version {loaded + 1})" in html
    assert 'data-action="reject"' in html and f'value="{loaded + 1}"' in html


def test_wrong_state_is_a_message_not_a_500(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="draft")
    response = client_for(reviewer).post(moderate_url(claim, "approve"), follow=True)
    assert response.status_code == 200
    assert any("Cannot approve" in message for message in messages_of(response))


def test_unknown_action_is_404(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst)
    assert client_for(reviewer).post(moderate_url(claim, "publish-now")).status_code == 404


def test_next_only_redirects_within_the_site(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    response = client_for(reviewer).post(moderate_url(claim, "approve"), {"next": "https://evil.example/"})
    assert response["Location"] == claim_url(claim)


def bulk(client, action: str, claims, **extra):
    data = {"action": action, "_selected_action": [claim.pk for claim in claims], "index": "0", **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_bulk_approve_skips_own_claims_and_reports_them(client_for, analyst, reviewer, make_claim):
    others = [make_claim(analyst, status="in_review", text=f"Claim {letter}.") for letter in "AB"]
    own = make_claim(reviewer, status="in_review", text="My own claim.")
    client = client_for(reviewer)
    # Publishing is not one click on a list: a page lists the claims first, a comment optional.
    page = bulk(client, "approve_selected", [*others, own]).content.decode()
    assert 'name="comment"' in page and "Recorded in each claim's review log. Optional: the author and other staff read it; it is not public." in page
    assert "Claim A." in page and "My own claim." in page
    assert {status_of(claim) for claim in [*others, own]} == {"in_review"}
    response = bulk(client, "approve_selected", [*others, own], apply="1", comment="", **listed_versions(page))
    assert [status_of(claim) for claim in others] == ["published", "published"]
    assert status_of(own) == "in_review"
    messages = messages_of(response)
    assert any("Four-eyes" in message for message in messages)
    assert any("done for 2 claim(s)" in message for message in messages)


def test_bulk_reject_asks_for_a_comment_first(client_for, analyst, reviewer, make_claim):
    claims = [make_claim(analyst, status="in_review", text=f"Claim {n}.") for n in range(2)]
    client = client_for(reviewer)
    page = bulk(client, "reject_selected", claims)
    assert 'name="comment"' in page.content.decode()
    assert {status_of(claim) for claim in claims} == {"in_review"}
    data = {"action": "reject_selected", "_selected_action": [claim.pk for claim in claims], "apply": "1", "comment": "Not in the source."}
    client.post(reverse(CHANGELIST), {**data, **listed_versions(page)})
    assert {status_of(claim) for claim in claims} == {"rejected"}
    assert set(Review.objects.filter(action="reject").values_list("comment", flat=True)) == {"Not in the source."}


def test_a_bulk_decision_applies_to_each_claim_as_its_page_listed_it(client_for, analyst, reviewer, reviewer2, make_claim):
    """A claim sent back, edited and submitted again while the reviewer's page was open is
    not approved: the reviewer never saw its new words. The others are."""
    changed, unchanged = (make_claim(analyst, status="in_review", text=f"Claim {letter}, as listed.") for letter in "AB")
    client = client_for(reviewer)
    page = bulk(client, "approve_selected", [changed, unchanged])
    services.claim_transition(claim=changed, user=reviewer2, action="request_changes", comment="Say which vote.")
    services.claim_update(claim=changed, user=analyst, text="Claim A, worded anew after the page was opened.")
    services.claim_transition(claim=changed, user=analyst, action="submit")
    response = bulk(client, "approve_selected", [changed, unchanged], apply="1", comment="As listed.", **listed_versions(page))
    assert status_of(changed) == "in_review" and status_of(unchanged) == "published"
    changed.refresh_from_db()
    assert f"Claim #{changed.pk} changed after you opened it (it is now at version {changed.version})" in " ".join(messages_of(response))
    assert not Review.objects.filter(claim=changed, action="approve").exists()


def test_a_bulk_decision_sent_without_the_versions_its_page_listed_applies_to_none(client_for, analyst, reviewer, make_claim):
    """A claim the page did not list (a hand-made request) is decided on no page: refused."""
    claims = [make_claim(analyst, status="in_review", text=f"Claim {n}.") for n in range(2)]
    page = bulk(client_for(reviewer), "reject_selected", claims[:1])
    response = bulk(client_for(reviewer), "reject_selected", claims, apply="1", comment="Not in the source.", **listed_versions(page))
    assert [status_of(claim) for claim in claims] == ["rejected", "in_review"]
    assert any(f"Claim #{claims[1].pk} changed after you opened it" in message for message in messages_of(response))


def test_a_retractions_comment_page_says_the_reason_is_public(client_for, analyst, reviewer, reviewer2, make_claim):
    """A retraction's comment is its public reason (anonymous callers read it in the claim's
    reviews); the page had said only that the author reads it."""
    claim = make_claim(analyst, status="published", reviewer=reviewer2)
    page = client_for(reviewer).get(moderate_url(claim, "retract")).content.decode()
    assert "Required: published with the claim as the reason; anyone can read it." in page
    page = client_for(reviewer).get(moderate_url(make_claim(analyst, status="in_review"), "reject")).content.decode()
    assert "it is not public" in page


def test_analysts_are_not_offered_reviewer_bulk_actions(client_for, analyst, reviewer):
    analyst_actions = dict(client_for(analyst).get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices)
    reviewer_actions = dict(client_for(reviewer).get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices)
    assert "submit_selected" in analyst_actions and "approve_selected" not in analyst_actions
    assert {"approve_selected", "reject_selected", "retract_selected"} <= set(reviewer_actions)


def test_a_refused_decision_keeps_the_typed_comment(client_for, analyst, reviewer, reviewer2, make_claim):
    claim = make_claim(analyst, status="in_review")
    loaded_version = claim.version
    client_for(reviewer2).post(moderate_url(claim, "request-changes"), {"comment": "Cite the month."})
    response = client_for(reviewer).post(
        moderate_url(claim, "reject"), {"version": loaded_version, "comment": "The figure is wrong: the source says five."}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The figure is wrong: the source says five." in html
    assert "Your comment is kept below." in html
    assert status_of(claim) == "changes_requested"


def test_the_claim_page_says_why_a_contributing_reviewer_is_offered_no_decision(client_for, make_claim, analyst, reviewer, reviewer2):
    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=reviewer, text="Reworded by the reviewer.")
    services.claim_submit(claim=claim, user=analyst)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    response = client_for(reviewer).get(url)
    assert response.status_code == 200, response
    page = response.content.decode()
    assert "Four-eyes rule: you contributed to this claim" in page
    assert 'data-action="approve"' not in page and "request-changes" not in page
    other = client_for(reviewer2).get(url).content.decode()
    assert "Four-eyes rule" not in other and "request-changes" in other
    # An analyst is not offered decisions for another reason: no four-eyes note.
    assert "Four-eyes rule" not in client_for(analyst).get(url).content.decode()


def test_the_claim_page_says_what_submission_still_needs(client_for, analyst):
    """Said before it is tried; the button stays (pressed with unsaved edits, it saves them
    first, and they may be what it needed)."""
    claim = services.claim_create(author=analyst, text="Russia backed the sanctions.")
    page = client_for(analyst).get(claim_url(claim)).content.decode()
    assert 'data-refused="submit">Before submitting, the claim needs at least one piece of evidence, a verdict other than unverified and a confidence.' in page
    assert 'data-action="submit"' in page
