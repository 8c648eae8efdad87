"""The reader in real Chromium: the claim box, errors that never lose what was typed, the
popover, the colours' legend. Selections are real mouse drags (browser_support.drag_select)."""

from __future__ import annotations

from claims.models import Claim
from sources.models import Span
from sources.services import source_create, source_update, span_create

from ..support import SAMPLE_TEXT, seed_text
from .browser_support import browser, browser_marks, drag_select, new_page, screenshot  # noqa: F401

pytestmark = browser_marks

SEED = "004_80fb5168a06efd21.txt"
PASSAGE = (
    "Over a four-year period, from June 2006 to June 2010, Russia voted to sanction Iran at "
    "the United Nations Security Council on six occasions for its nuclear activities."
)
CLAIM = "Russia voted six times for UN Security Council sanctions on Iran, June 2006 to June 2010."


def reader(browser, live_server, source):
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/sources/source/{source.pk}/change/")
    return page


def error_text(page) -> str:
    page.wait_for_selector("[data-role=error]:not([hidden])")
    return page.inner_text("[data-role=error]")


def test_offsets_are_code_points_after_an_emoji(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Emoji", text=SAMPLE_TEXT)
    quote = "Russia voted again."
    page = reader(browser, live_server, source)
    drag_select(page, quote)
    with page.expect_navigation():
        page.click("[data-role=make-span]")
    page.wait_for_selector(".messagelist .success")
    span = Span.objects.get(source=source)
    assert (span.start, span.end) == (SAMPLE_TEXT.index(quote), SAMPLE_TEXT.index(quote) + len(quote))
    assert page.url.endswith(f"#span-{span.pk}")
    assert page.locator(f"mark.cb-mark-current[data-spans~='{span.pk}']").count() >= 1
    assert page.errors == []


def test_the_claim_box_appears_focused_when_a_passage_is_selected(transactional_db, browser, live_server, analyst):
    text = seed_text(SEED)
    source = source_create(user=analyst, title="Iran's Russian Conundrum (seed 004)", text=text)
    span_create(source=source, user=analyst, quote="The heyday of Russian support for international sanctions on Iran")
    page = reader(browser, live_server, source)
    assert page.locator("#cb-new-claim").is_hidden()
    drag_select(page, PASSAGE)
    assert page.locator("#cb-new-claim").is_visible()
    assert page.evaluate("() => document.activeElement.id") == "cb-claim-text"
    # The similar-claims panel (claims/similar.js) sits under the claim box.
    assert page.locator("#cb-new-claim [data-role=similar-claims]").count() == 1
    page.keyboard.type(CLAIM)
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, "source_page_selection")
    assert page.errors == []


def test_an_empty_claim_is_refused_in_the_page_and_nothing_is_posted(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    page = reader(browser, live_server, source)
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    drag_select(page, "Moscow later said")
    page.keyboard.press("Enter")
    assert "Type the claim first" in error_text(page)
    assert posts == [] and not Claim.objects.exists()
    assert page.input_value("#cb-selection input[name=quote]") == "Moscow later said"
    # Typing answers it: the message goes, and a count of the claim's length shows.
    page.keyboard.type("Moscow 🙂 said")
    assert page.locator("[data-role=error]").is_hidden()
    assert page.inner_text("[data-role=claim-count]") == "13 / 500"


def test_a_refusal_by_the_server_keeps_the_selection_and_the_typed_claim(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    page = reader(browser, live_server, source)
    drag_select(page, "Moscow later said")
    page.keyboard.type("Moscow criticised the sanctions.")
    # Someone edits the text meanwhile: the selected offsets no longer hold these words.
    source_update(source=source, user=analyst, text="Preface. " + SAMPLE_TEXT)
    page.keyboard.press("Enter")
    assert "No claim made" in error_text(page)
    assert page.input_value("#cb-claim-text") == "Moscow criticised the sanctions."
    assert page.input_value("#cb-selection input[name=quote]") == "Moscow later said"
    assert not Claim.objects.exists()


def test_a_server_failure_keeps_the_typed_claim(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    page = reader(browser, live_server, source)
    page.route("**/admin/claims/claim/from-selection/", lambda route: route.fulfill(status=500, body="<h1>Server Error</h1>", content_type="text/html"))
    drag_select(page, "Moscow later said")
    page.keyboard.type("Moscow criticised the sanctions.")
    page.keyboard.press("Enter")
    assert "error 500" in error_text(page)
    assert page.input_value("#cb-claim-text") == "Moscow criticised the sanctions."
    page.unroute("**/admin/claims/claim/from-selection/")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Claim.objects.get().text == "Moscow criticised the sanctions."


def test_a_reload_gives_back_the_selection_and_what_was_typed(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    page = reader(browser, live_server, source)
    drag_select(page, "Moscow later said")
    page.keyboard.type("Moscow criticised")
    page.select_option("#cb-claim-confidence", "low")
    page.reload()
    assert "Restored" in error_text(page)
    assert page.input_value("#cb-claim-text") == "Moscow criticised"
    assert page.input_value("#cb-claim-confidence") == "low"
    assert page.input_value("#cb-selection input[name=quote]") == "Moscow later said"
    with page.expect_navigation():
        page.click("[data-role=create-claim]")
    page.wait_for_selector(".messagelist .success")
    claim = Claim.objects.get()
    assert (claim.text, claim.confidence, claim.evidence.get().span.quote) == ("Moscow criticised", "low", "Moscow later said")
    # Made: nothing comes back on the next visit.
    page.reload()
    assert page.locator("[data-role=error]").is_hidden()


def test_a_restored_selection_is_cited_where_it_is_painted_after_an_edit_moved_its_code_points(
    transactional_db, browser, live_server, analyst
):
    """An edit between the typing and the reload put one code point fewer before the passage
    (an astral letter for two plain ones: the same UTF-16 length): the restored selection
    is painted on the same units, and its offsets must be counted again from them."""
    source = source_create(user=analyst, title="Dashes", text="ab: ---- end")
    page = reader(browser, live_server, source)
    drag_select(page, "-", occurrence=2)
    assert (page.input_value("#cb-selection input[name=start]"), page.input_value("#cb-selection input[name=end]")) == ("5", "6")
    page.keyboard.type("The second dash.")
    source_update(source=source, user=analyst, text="\U0001d518: ---- end")
    page.reload()
    assert "Restored" in error_text(page)
    assert (page.input_value("#cb-selection input[name=start]"), page.input_value("#cb-selection input[name=end]")) == ("4", "5")
    with page.expect_navigation():
        page.click("[data-role=create-claim]")
    page.wait_for_selector(".messagelist .success")
    span = Claim.objects.get().evidence.get().span
    assert (span.start, span.end, span.quote) == (4, 5, "-")


def test_the_popover_follows_its_passage_when_the_text_scrolls(transactional_db, browser, live_server, analyst):
    text = seed_text(SEED)
    source = source_create(user=analyst, title="Iran's Russian Conundrum (seed 004)", text=text)
    span_create(source=source, user=analyst, quote=PASSAGE)
    page = reader(browser, live_server, source)
    page.wait_for_load_state("load")
    page.evaluate("""() => { const mark = document.querySelector('mark.cb-mark');
        const box = document.getElementById('source-text'); box.scrollIntoView();
        box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - 100; }""")
    page.click("mark.cb-mark")
    popover = page.locator(".cb-popover")
    assert popover.is_visible()
    assert page.locator("mark.cb-mark-open").count() == 1
    def gap() -> float:
        return page.evaluate("""() => document.querySelector('.cb-popover').getBoundingClientRect().top
            - document.querySelector('mark.cb-mark-open').getBoundingClientRect().bottom""")
    before = gap()
    page.evaluate("() => { document.getElementById('source-text').scrollTop += 40; }")
    page.wait_for_timeout(100)
    assert abs(gap() - before) < 2
    page.keyboard.press("Escape")
    assert popover.is_hidden()


def test_the_reader_has_a_legend_and_no_blank_lines_above_the_text(transactional_db, browser, live_server, analyst):
    text = seed_text(SEED)
    assert text.startswith("\n\n\n\n")
    source = source_create(user=analyst, title="Iran's Russian Conundrum (seed 004)", text=text)
    page = reader(browser, live_server, source)
    legend = page.inner_text(".cb-legend")
    for meaning in ("cited passage", "span you opened", "just made", "your selection"):
        assert meaning in legend
    gap = page.evaluate("""() => { const box = document.getElementById('source-text');
        const range = document.createRange(); const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        let node; while ((node = walker.nextNode()) && !node.data.trim()) {}
        const at = node.data.search(/\\S/); range.setStart(node, at); range.setEnd(node, at + 1);
        return range.getBoundingClientRect().top - box.getBoundingClientRect().top; }""")
    assert gap < 40
    # The page's text is still the source text, character for character.
    assert page.evaluate("() => document.getElementById('source-text').textContent") == text


def test_a_passage_is_cited_with_the_keyboard_alone(transactional_db, browser, live_server, analyst):
    """"Find words to cite": the words typed are selected in the text (the next place on
    each Enter, whatever their case), and the claim box takes the focus, as after a drag."""
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    page = reader(browser, live_server, source)
    page.focus("[data-role=find]")
    page.keyboard.type("russia voted")
    page.keyboard.press("Enter")
    assert page.input_value("#cb-selection input[name=quote]") == "Russia voted"
    assert page.input_value("#cb-selection input[name=start]") == "0"
    page.focus("[data-role=find]")
    page.keyboard.press("Enter")  # the next place
    assert page.input_value("#cb-selection input[name=start]") == str(SAMPLE_TEXT.rindex("Russia voted"))
    page.focus("[data-role=find]")
    page.fill("[data-role=find]", "Moscow later said")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "cb-claim-text"
    page.keyboard.type("Moscow criticised the sanctions.")
    page.keyboard.press("Enter")
    page.wait_for_url("**/change/#span-*")
    evidence = Claim.objects.get().evidence.get()
    assert evidence.span.quote == "Moscow later said"
    page.focus("[data-role=find]")
    page.fill("[data-role=find]", "not in this text")
    page.keyboard.press("Enter")
    assert "These words are not in the text" in page.inner_text("[data-role=error]")
    assert page.errors == []
