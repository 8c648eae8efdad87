"""What people typed cannot break the pages others read, at 1,280 px: a long unbroken value
(a pasted URL, a run of one letter) wraps inside its box instead of pushing the page
sideways, and direction marks in one value (U+202E, RIGHT-TO-LEFT OVERRIDE) cannot reorder
the text beside it. Screenshots go to artifacts/."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from claims import services
from claims.models import Claim, Entity
from claims.services import EvidenceInput
from sources.services import source_create

from .browser_support import browser, browser_marks, horizontal_overflow, new_page, screenshot  # noqa: F401

pytestmark = browser_marks

PASSWORD = "hostile-text-pw"
RLO = "\u202e"


@pytest.fixture
def hostile(transactional_db) -> dict:
    call_command("seed_demo", password=PASSWORD, verbosity=0)
    analyst, reviewer = User.objects.get(username="analyst"), User.objects.get(username="reviewer")
    long_quote = "Q" * 3000
    source = source_create(user=analyst, title="T" * 500, url="https://example.org/" + "u" * 900,
                           text=f"A report. {long_quote}. The end.")
    names = [Entity.objects.create(name="E" * 200, slug="long-entity"),
             Entity.objects.create(name=f"A spoof{RLO}", slug="spoof"),
             Entity.objects.create(name="Iran and Russia", slug="iran-and-russia")]
    claim = services.claim_create(
        author=analyst, text="W" * 500, notes="M" * 5000, verdict="supported", confidence="low", entities=names,
        evidence=[EvidenceInput(source=source, quote=long_quote, note="N" * 2000)],
    )
    services.claim_submit(claim=claim, user=analyst)
    spoof = services.claim_create(author=analyst, text=f"Gazprom raised its gas exports to Turkey in 2019 {RLO}",
                                  verdict="unverified")
    return {"claim": Claim.objects.get(pk=claim.pk), "source": source, "spoof": spoof, "reviewer": reviewer}


def test_long_unbroken_values_stay_inside_the_page(hostile, browser, live_server):
    page = new_page(browser, live_server, "reviewer", PASSWORD)
    claim, source = hostile["claim"], hostile["source"]
    problems = {}
    for name, url in [
        ("queue", "/admin/claims/claim/review-queue/?o=newest"),
        ("claim", f"/admin/claims/claim/{claim.pk}/change/"),
        ("claim_history", f"/admin/claims/claim/{claim.pk}/history/"),
        ("source", f"/admin/sources/source/{source.pk}/change/"),
        ("claim_list", "/admin/claims/claim/"),
        ("evidence_list", "/admin/claims/evidence/"),
        ("entity_list", "/admin/claims/entity/"),
    ]:
        page.goto(url)
        page.wait_for_load_state("load")
        screenshot(page, f"hostile_text_{name}")
        if (overflow := horizontal_overflow(page)) > 0:
            problems[name] = overflow
    assert problems == {}, json.dumps(problems)


# The left edges of a text node's first and last characters: in a left-to-right line, the
# first is left of the last.
_ORDER = """(selector) => {
    const node = Array.from(document.querySelectorAll(selector)).map((element) => element.firstChild)
        .find((text) => text && text.data.length > 1);
    const edge = (at) => { const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + 1);
                           return range.getBoundingClientRect().left; };
    return [node.data, edge(0), edge(node.data.length - 1)];
}"""


def test_a_direction_mark_in_a_claim_does_not_reverse_the_similar_claims_score(hostile, browser, live_server):
    page = new_page(browser, live_server, "analyst", PASSWORD)
    page.goto("/admin/claims/claim/add/")
    page.fill("#id_text", "Gazprom raised its gas exports to Turkey in 2019")
    page.wait_for_selector(".cb-similar-score")
    screenshot(page, "hostile_text_similar")
    text, first, last = page.evaluate(_ORDER, ".cb-similar-score")
    assert text.endswith("%") and first < last, (text, first, last)
    assert page.errors == []


_SUBSTRING_ORDER = """([selector, needle]) => {
    const element = Array.from(document.querySelectorAll(selector)).find((node) => node.textContent.includes(needle));
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode()) && !node.data.includes(needle)) {}
    const at = node.data.indexOf(needle);
    const edge = (offset) => { const range = document.createRange(); range.setStart(node, offset);
                               range.setEnd(node, offset + 1); return range.getBoundingClientRect().left; };
    return [edge(at), edge(at + needle.length - 1)];
}"""


def test_a_direction_mark_in_an_entity_name_does_not_reverse_the_names_after_it(hostile, browser, live_server):
    """The entities of a claim read as one line (a reviewer's view of it): the name holding
    U+202E is isolated, and the names after it read left to right."""
    page = new_page(browser, live_server, "reviewer", PASSWORD)
    page.goto(f"/admin/claims/claim/{hostile['claim'].pk}/change/")
    screenshot(page, "hostile_text_entities")
    first, last = page.evaluate(_SUBSTRING_ORDER, [".readonly", "Iran and Russia"])
    assert first < last, (first, last)


def test_a_long_title_takes_three_lines_in_the_list_and_a_wide_field_on_its_page(hostile, browser, live_server):
    worded = source_create(user=User.objects.get(username="analyst"), title=("A title of many words " * 22).strip(),
                           text="Its text.")
    page = new_page(browser, live_server, "reviewer", PASSWORD)
    page.goto("/admin/sources/source/")
    # The table stays inside its box (it would scroll sideways there, unseen by the page).
    assert page.evaluate("() => { const box = document.querySelector('#changelist .results'); return box.scrollWidth - box.clientWidth; }") <= 0
    for source in (hostile["source"], worded):
        link = page.locator(f"#result_list .field-title a[href$='/{source.pk}/change/']")
        line = float(link.evaluate("(node) => getComputedStyle(node).lineHeight").removesuffix("px"))
        assert link.bounding_box()["height"] <= 3 * line + 1, source.title[:20]
    screenshot(page, "hostile_text_source_list")
    page.goto(f"/admin/sources/source/{worded.pk}/change/")
    assert page.locator("#id_title").bounding_box()["width"] >= 500
