"""The review queue: the in-review claims a reviewer may decide, oldest first, with their
evidence and a one-click path to a decision."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils import timezone

from claims.models import Claim

from .helpers import messages_of, moderate_url

pytestmark = pytest.mark.django_db

QUEUE = "admin:claims_claim_review_queue"


def queued(response) -> list[int]:
    return [item["claim"].pk for item in response.context["items"]]


def test_queue_lists_in_review_claims_by_others_oldest_first(client_for, analyst, analyst2, reviewer, make_claim):
    newer = make_claim(analyst, status="in_review", text="Newer claim.")
    older = make_claim(analyst2, status="in_review", text="Older claim.")
    Claim.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    own = make_claim(reviewer, status="in_review", text="The reviewer's own claim.")
    make_claim(analyst, status="draft", text="Not submitted.")
    response = client_for(reviewer).get(reverse(QUEUE))
    assert response.status_code == 200
    assert queued(response) == [older.pk, newer.pk]
    assert own.pk not in queued(response)


def test_queue_shows_the_claim_its_evidence_quotes_and_the_decisions(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review", quote="Russia voted six times")
    Claim.objects.filter(pk=claim.pk).update(needs_attention=True)
    html = client_for(reviewer).get(reverse(QUEUE)).content.decode()
    assert claim.text in html
    assert "Russia voted six times" in html
    for action in ("approve", "request-changes", "reject"):
        assert moderate_url(claim, action) in html
    assert "cb-attention" in html


def test_each_quote_is_shown_with_the_words_either_side_of_it(client_for, analyst, reviewer, make_claim):
    """Whether a cut changes what a passage says is judged from what surrounds it: the
    span's context, in whole words, set apart from the quote, "…" where the text goes on."""
    claim = make_claim(analyst, status="in_review", quote="Moscow later said")
    span = claim.evidence.get().span
    assert span.prefix == "ity Council sanctions on Iran.\n\n" and span.suffix.startswith(" the sanctions went too far.")
    expected = (
        '<span class="cb-context">…Council sanctions on Iran.\n\n</span><q class="cb-quote">Moscow later said</q>'
        f'<span class="cb-context">{escape(span.suffix[: span.suffix.rindex(" ")])}…</span>'
    )
    for page in (reverse(QUEUE), moderate_url(claim, "approve")):
        assert expected in client_for(reviewer).get(page).content.decode(), page
    first = make_claim(analyst, status="in_review", quote="Russia voted six times").evidence.get().span
    assert first.prefix == ""  # the text's start: nothing before, and no "…"
    assert '<q class="cb-quote">Russia voted six times</q><span class="cb-context"> for UN Security Council…</span>' in (
        client_for(reviewer).get(reverse(QUEUE)).content.decode()
    )


def test_deciding_from_the_queue_returns_to_the_queue(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    response = client_for(reviewer).post(
        moderate_url(claim, "approve"), {"version": claim.version, "next": reverse(QUEUE), "comment": ""}
    )
    assert response["Location"] == reverse(QUEUE)
    assert Claim.objects.get(pk=claim.pk).status == "published"
    follow = client_for(reviewer).get(reverse(QUEUE))
    assert claim.pk not in queued(follow)


def test_rejecting_from_the_queue_without_a_comment_asks_for_one(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    response = client_for(reviewer).post(moderate_url(claim, "reject"), {"next": reverse(QUEUE), "comment": ""})
    assert response.status_code == 200 and 'name="comment"' in response.content.decode()
    assert 'name="next"' in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == "in_review"


def test_analysts_have_no_queue(client_for, analyst):
    assert client_for(analyst).get(reverse(QUEUE)).status_code == 403


def test_claim_list_links_the_queue_for_reviewers(client_for, analyst, reviewer, make_claim):
    make_claim(analyst, status="in_review")
    assert "Review queue (1)" in client_for(reviewer).get(reverse("admin:claims_claim_changelist")).content.decode()
    assert "Review queue" not in client_for(analyst).get(reverse("admin:claims_claim_changelist")).content.decode()


def test_queue_page_messages_after_a_decision(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    response = client_for(reviewer).post(
        moderate_url(claim, "request-changes"), {"next": reverse(QUEUE), "comment": "Cite the date."}, follow=True
    )
    assert f"Changes requested on claim #{claim.pk}: it is back with its author." in messages_of(response)


def test_the_newest_submissions_come_first_when_asked_and_filters_narrow_the_queue(client_for, analyst, analyst2, reviewer, make_claim):
    older = make_claim(analyst, status="in_review", text="Older claim.")
    Claim.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    newer = make_claim(analyst2, status="in_review", text="Newer claim.", verdict="refuted", stance="refutes")
    client = client_for(reviewer)
    assert queued(client.get(reverse(QUEUE), {"o": "newest"})) == [newer.pk, older.pk]
    assert queued(client.get(reverse(QUEUE), {"verdict": "refuted"})) == [newer.pk]
    Claim.objects.filter(pk=older.pk).update(needs_attention=True)
    assert queued(client.get(reverse(QUEUE), {"attention": "1"})) == [older.pk]
    # Unknown values are ignored, not a 500.
    assert queued(client.get(reverse(QUEUE), {"o": "sideways", "verdict": "maybe"})) == [older.pk, newer.pk]


def test_a_decision_returns_to_the_same_order_and_filters_at_the_next_claim(client_for, analyst, analyst2, reviewer, make_claim):
    first = make_claim(analyst, status="in_review", text="First.")
    second = make_claim(analyst2, status="in_review", text="Second.")
    response = client_for(reviewer).get(reverse(QUEUE), {"o": "newest"})
    next_urls = {item["claim"].pk: item["next_url"] for item in response.context["items"]}
    assert next_urls[second.pk] == f"{reverse(QUEUE)}?o=newest#claim-{first.pk}"
    assert next_urls[first.pk] == f"{reverse(QUEUE)}?o=newest#claim-{second.pk}"
    assert f'value="{reverse(QUEUE)}?o=newest#claim-{first.pk}"' in response.content.decode()


def test_a_long_queue_is_counted_up_to_one_cap_and_said_alike_everywhere(client_for, analyst, reviewer, make_claim, monkeypatch):
    """The index and the claim list said "1,000+" while the queue page, counting to the
    lists' cap of 10,000, said "6,357 claims waiting"."""
    from claims.admin import review_queue as queue_module

    for n in range(3):
        make_claim(analyst, status="in_review", text=f"Claim {n} in review.")
    monkeypatch.setattr(queue_module, "QUEUE_COUNT_CAP", 2)
    client = client_for(reviewer)
    assert "Review queue (2+)" in client.get(reverse("admin:claims_claim_changelist")).content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    assert '<span class="cb-count">2+</span>' in index and "The whole queue, 2+ →" in index
    queue = client.get(reverse(QUEUE)).content.decode()
    assert "2+ claims waiting for your decision" in queue and "3 claims" not in queue
    assert "2+ claims match" in client.get(reverse(QUEUE), {"verdict": "supported"}).content.decode()
    monkeypatch.setattr(queue_module, "QUEUE_COUNT_CAP", 3)
    assert "Review queue (3)" in client.get(reverse("admin:claims_claim_changelist")).content.decode()
    assert "3 claims waiting for your decision" in client.get(reverse(QUEUE)).content.decode()


def test_queue_says_how_long_each_claim_has_waited_in_words(client_for, analyst, analyst2, reviewer, make_claim):
    just_now = make_claim(analyst, status="in_review", text="Just submitted.")
    waiting = make_claim(analyst2, status="in_review", text="Waiting for days.")
    Claim.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - timedelta(days=2, hours=3))
    html = client_for(reviewer).get(reverse(QUEUE)).content.decode()
    assert "submitted 2\xa0days, 3\xa0hours ago" in html
    # Under a minute, in words: "now", "a second ago", "12 seconds ago"; never "0 minutes".
    assert re.search(r"submitted (now|a second ago|\d+\xa0seconds ago) · v%d" % just_now.version, html)
    assert "0\xa0minutes ago" not in html


def test_the_queue_says_that_claims_the_reviewer_changed_are_left_out_too(client_for, analyst, reviewer, make_claim):
    from claims import services

    claim = make_claim(analyst, text="Edited by the reviewer before submission.")
    services.claim_update(claim=claim, user=reviewer, confidence="high")
    services.claim_submit(claim=claim, user=analyst)
    response = client_for(reviewer).get(reverse(QUEUE))
    assert claim.pk not in queued(response)
    intro = response.content.decode().split('class="cb-queue-intro"')[1].split("</p>")[0]
    assert "Claims you wrote or changed" in intro and "Your own claims are not listed" not in intro


def _orphan_its_evidence(claim) -> None:
    from sources.models import Span

    Span.objects.filter(evidence__claim=claim).update(anchor_state="orphaned")
    Claim.objects.filter(pk=claim.pk).update(needs_attention=True)


def test_approve_is_not_offered_to_fail_and_says_why(client_for, analyst, reviewer, make_claim):
    """A claim whose evidence lost its words cannot be approved: the button is disabled and
    the rule's reason shown on the card, as the approval would answer."""
    broken = make_claim(analyst, status="in_review", text="Its evidence lost its words.")
    fine = make_claim(analyst, status="in_review", text="All in order.", quote="Moscow later said")
    _orphan_its_evidence(broken)
    response = client_for(reviewer).get(reverse(QUEUE))
    decisions = {item["claim"].pk: {d["action"]: d["refused"] for d in item["decisions"]} for item in response.context["items"]}
    assert "no orphaned evidence" in decisions[broken.pk]["approve"]
    assert decisions[broken.pk]["reject"] == "" and decisions[fine.pk]["approve"] == ""
    html = response.content.decode()
    assert f'data-action="approve" disabled aria-describedby="refused-{broken.pk}"' in html
    assert f'id="refused-{broken.pk}">Before approving, the claim needs no orphaned evidence' in html


def test_a_refused_decision_returns_to_its_own_claim_not_the_next(client_for, analyst, analyst2, reviewer, make_claim):
    first = make_claim(analyst, status="in_review", text="Russia backed the sanctions.")
    second = make_claim(analyst2, status="in_review", text="Moscow criticised the sanctions.", quote="Moscow later said")
    _orphan_its_evidence(first)
    response = client_for(reviewer).post(
        moderate_url(first, "approve"),
        {"version": first.version, "next": f"{reverse(QUEUE)}?o=newest#claim-{second.pk}", "comment": ""},
    )
    assert response["Location"] == f"{reverse(QUEUE)}?o=newest#claim-{first.pk}"
    assert Claim.objects.get(pk=first.pk).status == "in_review"
