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
