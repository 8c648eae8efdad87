"""The two daily flows, counted in actions (bench/browser_flows.py performs the same
functions against a demo server): a draft claim with its evidence in at most 3 actions from
the source page; a decision in at most 2 from the review queue."""

from __future__ import annotations

import importlib.util
import json
import sys
import urllib.request

from claims import services
from claims.models import Claim, Review
from django.contrib.admin.models import LogEntry

from ..support import REPO_DIR, seed_text
from .browser_support import browser, browser_marks, new_page, screenshot  # noqa: F401

pytestmark = browser_marks

_spec = importlib.util.spec_from_file_location("browser_flows", REPO_DIR / "bench" / "browser_flows.py")
flows = sys.modules.setdefault("browser_flows", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(flows)

SEED = "004_80fb5168a06efd21.txt"


def test_a_draft_claim_with_supporting_evidence_takes_three_actions_and_a_decision_two(
    transactional_db, browser, live_server, analyst, reviewer
):
    from sources.services import source_create

    text = seed_text(SEED)
    source = source_create(user=analyst, title="Iran's Russian Conundrum (seed 004)", text=text)
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    actions = flows.analyst_flow(page, source.pk)
    assert actions.count <= 3, actions.log
    claim = Claim.objects.latest("id")
    evidence = claim.evidence.select_related("span").get()
    assert (claim.status, claim.author_id, claim.text) == ("draft", analyst.pk, flows.CLAIM_TEXT)
    assert (evidence.stance, evidence.span.quote) == ("supports", flows.PASSAGE)
    assert text[evidence.span.start : evidence.span.end] == flows.PASSAGE
    # The page says what was made, with a link to the claim, and shows the new span.
    assert f"#{claim.pk}" in page.inner_text(".messagelist")
    assert page.locator(f"mark.cb-mark-current[data-spans~='{evidence.span_id}']").count() >= 1
    screenshot(page, "source_page_after_claim")
    # "Recent actions" lists the claim made from the selection.
    assert LogEntry.objects.filter(object_id=str(claim.pk), content_type__model="claim", user=analyst).exists()
    assert page.errors == []

    services.claim_update(claim=claim, user=analyst, verdict="supported", confidence="moderate")  # no editorial warning: approval needs no comment
    services.claim_submit(claim=claim, user=analyst)
    page = new_page(browser, live_server, "reviewer", "pw-reviewer")
    screenshot_queue = page.goto("/admin/claims/claim/review-queue/")
    assert screenshot_queue.ok
    screenshot(page, "review_queue")
    actions = flows.reviewer_flow(page, claim.pk)
    assert actions.count <= 2, actions.log
    assert Claim.objects.get(pk=claim.pk).status == "published"
    assert Review.objects.filter(claim=claim, action="approve", actor=reviewer).exists()
    assert LogEntry.objects.filter(object_id=str(claim.pk), content_type__model="claim", user=reviewer).exists()
    with urllib.request.urlopen(f"{live_server.url}/api/v1/claims/{claim.pk}/") as response:
        published = json.load(response)
    assert (published["status"], published["verdict"]) == ("published", "supported")
    assert flows.PASSAGE in json.dumps(published, ensure_ascii=False)


def test_a_decision_in_the_queue_is_confirmed_in_view_beside_the_next_card(
    transactional_db, browser, live_server, analyst, reviewer, make_claim
):
    """The page goes on to the next claim, far down the queue: what was done stays in view."""
    claims = [make_claim(analyst, status="in_review", text=f"Russia voted six times for UN sanctions, claim {letter}.") for letter in "abcdefgh"]
    page = new_page(browser, live_server, "reviewer", "pw-reviewer")
    page.goto("/admin/claims/claim/review-queue/")
    card = page.locator(".cb-claim-card").nth(5)
    card.scroll_into_view_if_needed()
    decided = card.get_attribute("id")
    with page.expect_navigation():
        card.locator("button[data-action=approve]").click()
    message = page.locator(".messagelist .success")
    message.wait_for()
    box, height = message.bounding_box(), page.viewport_size["height"]
    assert page.evaluate("() => window.scrollY") > 0  # at the next card, not the top
    assert 0 <= box["y"] and box["y"] + box["height"] <= height, box
    assert decided.removeprefix("claim-") in message.inner_text()
    # The card it went to is not hidden under the message.
    following = page.locator(".cb-claim-card").nth(5).bounding_box()
    assert following["y"] >= box["y"] + box["height"] - 1
    assert {claim.status for claim in Claim.objects.filter(pk__in=[c.pk for c in claims])} == {"in_review", "published"}
    screenshot(page, "review_queue_after_decision")
