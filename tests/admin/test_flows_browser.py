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
