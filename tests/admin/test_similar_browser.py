"""In a real browser: the similar claims that appear while an analyst types a claim, in the
claim form and in the select-to-claim box; opening one; marking the new claim as its
duplicate (claims/static/claims/similar.js)."""

from __future__ import annotations

import pytest

from claims import services
from claims.models import Claim, ClaimRelation
from sources.services import source_create

from ..support import SEEDS_DIR
from .browser_support import CHROMIUM, browser, drag_select, new_page, screenshot  # noqa: F401  (browser: a fixture)
from .test_browser import PASSAGE, SEED

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PUBLISHED_TEXT = "Russia voted six times for UN Security Council sanctions on Iran between June 2006 and June 2010."
TYPED = "Moscow backed UN Security Council sanctions against Iran 6 times, June 2006 to June 2010"


@pytest.fixture
def published(analyst2, reviewer):
    source = source_create(user=analyst2, title="Seed 004", text=(SEEDS_DIR / SEED).read_text(encoding="utf-8"))
    claim = services.claim_create(
        author=analyst2,
        text=PUBLISHED_TEXT,
        verdict="supported",
        confidence="high",
        evidence=[services.EvidenceInput(source=source, quote=PASSAGE)],
    )
    services.claim_submit(claim=claim, user=analyst2)
    services.claim_approve(claim=claim, user=reviewer, comment="One source, read in full.")
    services.claim_create(author=analyst2, text="The Bushehr reactor became operational in September 2011.")
    return Claim.objects.get(pk=claim.pk)


def suggestion(page, claim):
    item = page.locator(f"[data-role=similar-claims] li[data-claim-id='{claim.pk}']")
    item.wait_for(timeout=15_000)
    return item


def test_claim_form_suggests_similar_claims_opens_one_and_marks_the_new_claim_a_duplicate(
    transactional_db, browser, live_server, analyst, published
):
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto("/admin/claims/claim/add/")
    page.locator("#id_text").press_sequentially(TYPED, delay=5)
    item = suggestion(page, published)
    assert page.locator("[data-role=similar-claims] li").count() <= 5
    assert "Published" in item.inner_text() and "Supported" in item.inner_text()
    assert PUBLISHED_TEXT in item.inner_text()
    # The suggestions sit under the text, which keeps the width a long claim needs.
    text, panel = page.locator("#id_text").bounding_box(), page.locator("[data-role=similar-claims]").bounding_box()
    assert text["width"] >= 500 and panel["y"] >= text["y"] + text["height"]
    assert abs(panel["x"] - text["x"]) <= 2
    screenshot(page, "claim_add_similar")

    with page.context.expect_page() as opened:
        item.locator("a").click()
    opened.value.wait_for_load_state()
    assert opened.value.url.endswith(f"/admin/claims/claim/{published.pk}/change/")
    opened.value.close()

    item.locator("[data-role=mark-duplicate]").click()
    assert page.input_value("input[name=duplicate_of]") == str(published.pk)
    page.select_option("#id_verdict", "supported")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    new_claim = Claim.objects.exclude(pk=published.pk).get(text=TYPED)
    relation = ClaimRelation.objects.get(from_claim=new_claim)
    assert (relation.to_claim_id, relation.kind, relation.created_by_id) == (published.pk, "duplicate_of", analyst.pk)
    assert page.errors == []


def test_claim_page_marks_a_saved_draft_a_duplicate_at_once(transactional_db, browser, live_server, analyst, published):
    draft = services.claim_create(author=analyst, text=TYPED)
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/claims/claim/{draft.pk}/change/")
    item = suggestion(page, published)
    assert not page.locator(f"[data-role=similar-claims] li[data-claim-id='{draft.pk}']").count()
    item.locator("[data-role=mark-duplicate]").click()
    page.wait_for_selector("[data-role=similar-note]:has-text('Marked as a duplicate')")
    assert ClaimRelation.objects.filter(from_claim=draft, to_claim=published, kind="duplicate_of").exists()
    # Recorded at once, so the same note takes it back.
    page.click("[data-role=similar-note] button:has-text('Undo')")
    page.wait_for_selector("[data-role=similar-note]:has-text('Undone')")
    assert not ClaimRelation.objects.exists()
    assert page.errors == []


def test_select_to_claim_box_suggests_similar_claims_and_records_the_duplicate(
    transactional_db, browser, live_server, analyst, published
):
    source = published.evidence.get().span.source
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/sources/source/{source.pk}/change/")
    drag_select(page, "Not once did Russia abstain or veto sanctions against Tehran at the UN.")
    # The claim box opens by itself, focused, once a passage is selected.
    page.locator("#cb-claim-text").press_sequentially(TYPED, delay=5)
    item = suggestion(page, published)
    assert "Published" in item.inner_text()
    screenshot(page, "reader_similar")
    item.locator("[data-role=mark-duplicate]").click()
    page.click("[data-role=create-claim]")
    page.wait_for_selector(".messagelist .success")
    new_claim = Claim.objects.get(text=TYPED)
    assert ClaimRelation.objects.filter(from_claim=new_claim, to_claim=published, kind="duplicate_of").exists()
    assert page.errors == []
