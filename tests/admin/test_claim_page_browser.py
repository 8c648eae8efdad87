"""The claim page in real Chromium: nothing typed is lost to a workflow button or to a save
that someone else's save overtook."""

from __future__ import annotations

from claims import services
from claims.models import Claim

from .browser_support import browser, browser_marks, new_page, screenshot  # noqa: F401
from .helpers import draft_with_evidence

pytestmark = browser_marks


def test_submit_for_review_with_unsaved_edits_saves_them_first(transactional_db, browser, live_server, analyst, source):
    claim = draft_with_evidence(analyst, source)
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/claims/claim/{claim.pk}/change/")
    page.wait_for_timeout(400)
    page.fill("#id_text", "Moscow later said, in 2010, that the sanctions went too far.")
    with page.expect_navigation():
        page.click("button[data-action=submit]")
    page.wait_for_selector(".messagelist .success")
    claim.refresh_from_db()
    assert (claim.text, claim.status) == ("Moscow later said, in 2010, that the sanctions went too far.", "in_review")
    assert "Your changes were saved first" in page.inner_text(".messagelist")
    assert page.errors == []


def test_a_save_overtaken_by_another_tab_shows_both_versions_and_keeps_the_typing(transactional_db, browser, live_server, analyst, source):
    claim = draft_with_evidence(analyst, source)
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/claims/claim/{claim.pk}/change/")
    services.claim_update(claim=claim, user=analyst, text="Saved in the other tab.")
    page.fill("#id_text", "Typed in this tab.")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert page.input_value("#id_text") == "Typed in this tab."
    assert "Saved in the other tab." in page.inner_text(".cb-conflict")
    screenshot(page, "claim_page_conflict")
    assert Claim.objects.get(pk=claim.pk).text == "Saved in the other tab."
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert Claim.objects.get(pk=claim.pk).text == "Typed in this tab."


LONG_CLAIM = (
    "Trade between Iran and Russia rose by 20 percent in 2023, officials reportedly said, "
    "according to figures the ministry published in January."
)


def test_a_published_claim_page_names_it_by_whole_words_and_offers_no_evidence_to_add(transactional_db, browser, live_server, analyst, reviewer, source):
    claim = draft_with_evidence(analyst, source, text=LONG_CLAIM)
    services.claim_save(claim=claim, user=analyst, add=[services.EvidenceInput(source=source, quote="Russia voted again.", stance="context")])
    services.claim_submit(claim=claim, user=analyst)
    services.claim_approve(claim=claim, user=reviewer, comment="Checked.")
    page = new_page(browser, live_server, "reviewer", "pw-reviewer")
    page.goto(f"/admin/claims/claim/{claim.pk}/change/")
    screenshot(page, "claim_page_published_long_title", full_page=True)
    heading = page.locator("#content > h2").first
    assert heading.inner_text().endswith("officials reportedly…") and heading.get_attribute("title") == LONG_CLAIM
    assert page.locator(".breadcrumbs span[title]").inner_text().endswith("reportedly…")
    assert page.get_by_text("Add evidence", exact=False).count() == 0
    page.goto(f"/admin/claims/claim/{claim.pk}/history/")
    screenshot(page, "claim_history_evidence", full_page=True)
    assert page.locator("#content > h1").inner_text().endswith("officials reportedly…")
    version_2 = page.locator("#change-history tr", has_text="Version 2")
    assert "evidence added" in version_2.inner_text() and "Russia voted again." in version_2.inner_text()
    assert page.errors == []
