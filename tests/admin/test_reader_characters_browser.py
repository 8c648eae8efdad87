"""The reader's "Find words to cite" and selection in real Chromium, on text whose
characters are not one code unit each: a place found whatever its case mapping maps back
to the text's own offsets; a passage is made of whole characters (grapheme clusters), so
what is painted is what is cited; a passage cut inside a word is said; Esc gives the
keyboard back to the Find box; a claim over its limit is kept whole and said to be over."""

from __future__ import annotations

import unicodedata

from claims.models import Claim
from sources.models import Span
from sources.services import source_create

from .browser_support import browser, browser_marks, drag_select, new_page, screenshot  # noqa: F401

pytestmark = browser_marks

CASES = (
    "İSTANBUL — İstanbul talks: Iran and Russia signed the deal. "
    "STRAẞE and Straße; ΟΔΟΣ and οδος; the ﬁnal 𝐀 report, 😀 Iran."
)
COMBINING = "The cafe\u0301 in Tehran. A \U0001F468\u200d\U0001F469\u200d\U0001F467 family. The café, again."
FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"


def reader(browser, live_server, source):
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/sources/source/{source.pk}/change/")
    return page


def find(page, words: str | None = None) -> tuple[int, int, str]:
    """Type ``words`` in "Find words to cite" (or keep what is there) and press Enter: the
    passage selected, as the form will send it."""
    page.focus("[data-role=find]")
    if words is not None:
        page.fill("[data-role=find]", words)
    page.keyboard.press("Enter")
    field = lambda name: page.input_value(f"#cb-selection input[name={name}]")  # noqa: E731
    return int(field("start")), int(field("end")), field("quote")


def painted(page) -> str:
    """The words the page paints as the selection (the CSS highlight)."""
    return page.evaluate("() => Array.from(CSS.highlights.get('cb-selection'), range => range.toString()).join('')")


def quote_style(page) -> tuple[str, str]:
    """The font style and direction of the selected quote in the selection bar."""
    return tuple(page.evaluate(
        "() => { const style = getComputedStyle(document.querySelector('[data-role=quote] bdi'));"
        " return [style.fontStyle, style.direction]; }"
    ))


def at(text: str, quote: str, occurrence: int = 1) -> tuple[int, int, str]:
    start = -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    return start, start + len(quote), quote


def test_find_maps_places_back_to_the_texts_own_offsets_whatever_the_case_mapping(transactional_db, browser, live_server, analyst):
    # "İ" lower-cased is two code units (i and U+0307): a search in the lower-cased text
    # had selected "an and Russia s". ß/ẞ fold to "ss", final ς to σ, ﬁ to its letters.
    source = source_create(user=analyst, title="Cases", text=CASES)
    page = reader(browser, live_server, source)
    assert find(page, "IRAN AND RUSSIA") == at(CASES, "Iran and Russia")
    assert painted(page) == "Iran and Russia"
    assert find(page, "strasse") == at(CASES, "STRAẞE")
    assert find(page) == at(CASES, "Straße")
    assert find(page, "οδοσ") == at(CASES, "ΟΔΟΣ")
    assert find(page) == at(CASES, "οδος")
    assert find(page, "FINAL 𝐀") == at(CASES, "ﬁnal 𝐀")
    assert find(page, "😀 IRAN") == at(CASES, "😀 Iran")
    assert painted(page) == "😀 Iran"
    with page.expect_navigation():
        page.click("[data-role=make-span]")
    span = Span.objects.get(source=source)
    assert (span.start, span.end, span.quote) == at(CASES, "😀 Iran")
    assert page.errors == []


def test_find_and_selections_cite_whole_characters(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Combining", text=COMBINING)
    page = reader(browser, live_server, source)
    # Typed without the accent, the words end inside "é" (e and U+0301): the whole of it is
    # selected, painted and cited.
    assert find(page, "The cafe") == at(COMBINING, "The cafe\u0301")
    assert painted(page) == "The cafe\u0301"
    # Typed composed, the decomposed "café" is found (cited as the text writes it), then the
    # composed one; typed decomposed, the composed one.
    assert find(page, "café") == at(COMBINING, "cafe\u0301")
    assert find(page) == at(COMBINING, "café")
    assert find(page, "The cafe\u0301,") == at(COMBINING, "The café,")
    # One person of a family emoji is the whole family.
    assert find(page, "\U0001F468") == at(COMBINING, FAMILY)
    assert painted(page) == FAMILY
    with page.expect_navigation():
        page.click("[data-role=make-span]")
    page.wait_for_selector(".messagelist .success")
    assert Span.objects.get(source=source).quote == FAMILY
    # A drag over the accented word cites the accent too.
    drag_select(page, "The cafe\u0301")
    assert page.input_value("#cb-selection input[name=quote]") == "The cafe\u0301"
    screenshot(page, "reader_whole_characters")
    assert page.errors == []


def test_a_passage_cut_inside_words_is_said_and_allowed(transactional_db, browser, live_server, analyst):
    text = "Trade between Iran and Russia reportedly rose by 20 percent in 2023."
    source = source_create(user=analyst, title="Trade", text=text)
    page = reader(browser, live_server, source)
    drag_select(page, "eportedly ros")
    warning = page.locator("[data-role=cut-words]")
    assert warning.is_visible()
    assert warning.inner_text() == (
        "This passage starts inside the word “reportedly” and ends inside the word “rose”: select again to cite whole words."
    )
    start = text.index("eportedly ros")
    assert page.inner_text("[data-role=offsets]") == f"13 characters ({start}–{start + 13})"
    assert not page.locator("[data-role=make-span]").is_disabled()
    screenshot(page, "reader_cut_words")
    page.keyboard.press("Escape")
    drag_select(page, "reportedly rose")
    page.wait_for_function("() => document.querySelector('#cb-selection input[name=quote]').value === 'reportedly rose'")
    assert warning.is_hidden()
    assert find(page, "Russia rep")[2] == "Russia rep"
    assert warning.inner_text() == "This passage ends inside the word “reportedly”: select again to cite whole words."
    assert page.errors == []


def test_escape_gives_the_keyboard_back_to_the_find_box(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Combining", text=COMBINING)
    page = reader(browser, live_server, source)
    find(page, "in Tehran")
    assert page.evaluate("() => document.activeElement.id") == "cb-claim-text"
    page.keyboard.press("Escape")
    assert page.input_value("#cb-selection input[name=quote]") == ""
    assert page.evaluate("() => document.activeElement.dataset.role") == "find"
    # Enter finds the words again, with nothing else to press.
    page.keyboard.press("Enter")
    assert page.input_value("#cb-selection input[name=quote]") == "in Tehran"


def test_a_pasted_claim_over_the_limit_is_kept_whole_and_said_to_be_over(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Combining", text=COMBINING)
    page = reader(browser, live_server, source)
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    find(page, "in Tehran")
    pasted = ("Officials met in Tehran " * 500)[:10_000]
    page.keyboard.insert_text(pasted)
    assert page.input_value("#cb-claim-text") == pasted
    count = page.inner_text("[data-role=claim-count]")
    assert count.startswith("10,000 / 500: 9,500 characters over.") and "shorten it to save it" in count
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-role=error]:not([hidden])")
    assert "The claim is 10000 characters long; a claim is at most 500" in page.inner_text("[data-role=error]")
    assert posts == [] and not Claim.objects.exists()
    assert page.input_value("#cb-claim-text") == pasted
    screenshot(page, "reader_claim_over_limit")


def test_the_claim_form_keeps_a_pasted_claim_over_the_limit_and_counts_it(transactional_db, browser, live_server, analyst):
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto("/admin/claims/claim/add/")
    page.focus("#id_text")
    pasted = ("Officials met in Tehran " * 500)[:10_000]
    page.keyboard.insert_text(pasted)
    assert page.input_value("#id_text") == pasted
    assert page.inner_text("#claim_form [data-role=claim-count]").startswith("10,000 / 500: 9,500 characters over.")
    page.fill("#id_text", "Officials met in Tehran.")
    assert page.inner_text("#claim_form [data-role=claim-count]") == "24 / 500"
    assert page.errors == []


LONG_CHARACTERS = (
    "Flags: " + "\U0001F1EE\U0001F1F7\U0001F1F7\U0001F1FA" * 300 + " end. "
    "A \U0001F468" + "\u0301" * 100 + "\u200d\U0001F469 family. "
    "A conjunct \u0915" + "\u093c" * 100 + "\u094d\u0937 here."
)

# The page's characters, as the reader's script reads them (Intl.Segmenter), in code points.
_PAGE_BOUNDARIES = """() => {
    const text = document.getElementById('source-text').textContent;
    const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});
    const boundaries = [0];
    let points = 0;
    for (const {segment} of segmenter.segment(text)) {
        points += Array.from(segment).length;
        boundaries.push(points);
    }
    return boundaries;
}"""


def select_units(page, start_unit: int, end_unit: int) -> str:
    """Select UTF-16 units [start_unit, end_unit) of the text (as a keyboard's Shift+arrow
    selection would land, inside a character) and wait for the page to take it: the quote
    the form will send."""
    page.evaluate(
        """([startUnit, endUnit]) => {
            const container = document.getElementById('source-text');
            const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            let seen = 0, node, started = false;
            while ((node = walker.nextNode())) {
                if (!started && startUnit < seen + node.data.length) { range.setStart(node, startUnit - seen); started = true; }
                if (started && endUnit <= seen + node.data.length) { range.setEnd(node, endUnit - seen); break; }
                seen += node.data.length;
            }
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [start_unit, end_unit],
    )
    page.wait_for_function("() => document.querySelector('#cb-selection input[name=quote]').value !== ''")
    return page.input_value("#cb-selection input[name=quote]")


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_the_page_and_the_server_agree_on_characters_past_the_look_back(transactional_db, browser, live_server, analyst):
    # Past 512 regional indicators, or 64 marks before an emoji's U+200D or a virama, the
    # server had found breaks that the page (Intl.Segmenter) does not: half a flag was a span.
    from sources.graphemes import is_boundary

    text = LONG_CHARACTERS
    source = source_create(user=analyst, title="Long characters", text=text)
    page = reader(browser, live_server, source)
    page.wait_for_selector("#source-text")
    assert page.evaluate(_PAGE_BOUNDARIES) == [offset for offset in range(len(text) + 1) if is_boundary(text, offset)]
    # A selection that begins and ends inside flags past the 512th indicator is widened to
    # whole flags, and the server takes it as the page sends it.
    first = len("Flags: ")
    quote = select_units(page, units(text[: first + 1_101]), units(text[: first + 1_151]))
    assert quote == text[first + 1_100 : first + 1_152]
    assert page.input_value("#cb-selection input[name=start]") == str(first + 1_100)
    with page.expect_navigation():
        page.click("[data-role=make-span]")
    page.wait_for_selector(".messagelist .success")
    span = Span.objects.get(source=source)
    assert (span.start, span.end, span.quote) == (first + 1_100, first + 1_152, quote)
    # One mark of the emoji, one of the conjunct: each widened to the whole character.
    for inside, whole in ((text.index("\u200d") - 1, "\U0001F468" + "\u0301" * 100 + "\u200d\U0001F469"),
                          (text.index("\u094d") - 1, "\u0915" + "\u093c" * 100 + "\u094d\u0937")):
        page.keyboard.press("Escape")
        assert select_units(page, units(text[:inside]), units(text[: inside + 1])) == whole
        with page.expect_navigation():
            page.click("[data-role=make-span]")
        page.wait_for_selector(".messagelist .success")
        assert Span.objects.order_by("-id").first().quote == whole
    assert page.errors == []


# Astral characters (an emoji, a CJK Extension B ideograph: two UTF-16 units, one code point)
# before every place found, so that a unit miscounted would show as a shifted selection.
MARKS = (
    "\U0001F600 \U00020000 Η ΑΘΗΝΑ και η Αθήνα. "
    "\u05d0\u05de\u05e8 \u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd \u05dc\u05db\u05dd. "
    "\u0642\u0627\u0644 \u0645\u064f\u062d\u064e\u0645\u0651\u064e\u0640\u062f \u0627\u0644\u064a\u0648\u0645. "
    "S\u00e3o Paulo, Sao Paulo. The caf\u00e9 and the cafe\u0301."
)
HEBREW = "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd"  # shalom, pointed
ARABIC = "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u0640\u062f"  # Muhammad, with harakat and a tatweel


def test_find_ignores_accents_and_marks_and_selects_the_whole_characters(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Marks", text=MARKS)
    page = reader(browser, live_server, source)
    # Greek without tonos, in the text's order from the top, whatever the case.
    assert find(page, "αθηνα") == at(MARKS, "ΑΘΗΝΑ")
    assert find(page) == at(MARKS, "Αθήνα")
    assert painted(page) == "Αθήνα"
    # Hebrew without niqqud, Arabic without harakat (and without the tatweel).
    assert find(page, "\u05e9\u05dc\u05d5\u05dd") == at(MARKS, HEBREW)
    assert painted(page) == HEBREW
    assert find(page, "\u0627\u0644 \u0645\u062d\u0645\u062f \u0627\u0644") == at(MARKS, "\u0627\u0644 " + ARABIC + " \u0627\u0644")
    # The bar says it as the text reads it: the Arabic upright, in its own direction, the count
    # after it (it had been taken into the Arabic and shown before its last words).
    assert quote_style(page) == ("normal", "rtl")
    assert page.evaluate(
        "() => document.querySelector('[data-role=quote]').getBoundingClientRect().right"
        " < document.querySelector('[data-role=offsets]').getBoundingClientRect().left"
    )
    screenshot(page, "reader_find_arabic")
    assert find(page, "\u0645\u062d\u0645\u062f") == at(MARKS, ARABIC)
    # Marks typed are ignored too, as a browser's find-in-page ignores them.
    assert find(page, "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f") == at(MARKS, ARABIC)
    assert find(page, "Ἀθῆνα") == at(MARKS, "ΑΘΗΝΑ")
    # Each place in turn, the one written as typed no ahead of the others.
    assert find(page, "Sao Paulo") == at(MARKS, "São Paulo")
    assert quote_style(page) == ("italic", "ltr")
    assert find(page) == at(MARKS, "Sao Paulo")
    assert find(page) == at(MARKS, "São Paulo")
    assert find(page, "cafe") == at(MARKS, "café")
    assert find(page) == at(MARKS, "cafe\u0301")
    assert painted(page) == "cafe\u0301"
    assert page.inner_text("[data-role=cut-words]") == ""
    screenshot(page, "reader_find_ignores_marks")
    for typed, quote in (("\u05e9\u05dc\u05d5\u05dd", HEBREW), ("Sao Paulo", "São Paulo")):
        find(page, typed)
        with page.expect_navigation():
            page.click("[data-role=make-span]")
        page.wait_for_selector(".messagelist .success")
        span = Span.objects.order_by("-id").first()
        assert (span.start, span.end, span.quote) == at(MARKS, quote)
        assert MARKS[span.start : span.end] == span.quote
    assert page.errors == []


UNSPACED = "中华人民共和国外交部发言人表示。東京都の天気は晴れです。ภาษาไทยง่ายมาก"
SPACED = "Москва заявила. Αθήνα σήμερα. القاهرة اليوم. ירושלים היום. Iran reportedly."


def test_a_cut_inside_a_word_is_said_only_in_scripts_written_with_spaces(transactional_db, browser, live_server, analyst):
    text = UNSPACED + " " + SPACED
    source = source_create(user=analyst, title="Scripts", text=text)
    page = reader(browser, live_server, source)
    warning = page.locator("[data-role=cut-words]")
    # The browser's selection is painted in the legend's blue, over the text's own words too.
    assert page.evaluate(
        "() => getComputedStyle(document.getElementById('source-text'), '::selection').backgroundColor"
    ) == "rgba(59, 130, 246, 0.35)"
    # Chinese, Japanese, Thai: any place between characters may begin or end a passage.
    for quote in ("人民共和", "京都の天", "าษาไท"):
        start, _, _ = at(text, quote)
        assert select_units(page, start, start + len(quote)) == quote
        assert warning.is_hidden(), (quote, warning.inner_text())
        page.keyboard.press("Escape")
    drag_select(page, "华人民共和国外交部发")
    assert warning.is_hidden()
    assert quote_style(page) == ("normal", "ltr")
    screenshot(page, "reader_unspaced_scripts")
    page.keyboard.press("Escape")
    # Cyrillic, Greek, Arabic, Hebrew, Latin: a cut inside a word is said.
    for quote, word in (("оскв", "Москва"), ("θήν", "Αθήνα"), ("قاهر", "القاهرة"), ("רושל", "ירושלים"), ("eportedl", "reportedly")):
        start, _, _ = at(text, quote)
        assert select_units(page, start, start + len(quote)) == quote
        assert warning.is_visible()
        assert warning.inner_text() == (
            f"This passage starts inside the word “{word}” and ends inside the word “{word}”: select again to cite whole words."
        )
        # Each word in its own direction, apart from the sentence around it.
        assert page.locator("[data-role=cut-words] bdi").all_inner_texts() == [word, word]
        if word == "القاهرة":
            screenshot(page, "reader_cut_arabic_word")
        page.keyboard.press("Escape")
    assert page.errors == []


THUMBS = "thumbs \U0001F44D\U0001F3FD up \U0001F44D"
FAMILIES = (
    "A \U0001F468\u200d\U0001F469\u200d\U0001F467 family, \U0001F468 alone, "
    "\U0001F468\u200d\U0001F468\u200d\U0001F466 fathers."
)


def test_find_takes_places_inside_a_character_in_the_texts_order(transactional_db, browser, live_server, analyst):
    # A place inside a character (widened to it) had been taken only when the words were
    # nowhere else: "👍" selected the plain 👍 on every Enter, never the skin-toned 👍🏽 before it.
    source = source_create(user=analyst, title="Thumbs", text=THUMBS)
    page = reader(browser, live_server, source)
    assert find(page, "\U0001F44D") == (7, 9, "\U0001F44D\U0001F3FD")
    assert painted(page) == "\U0001F44D\U0001F3FD"
    assert find(page) == (13, 14, "\U0001F44D")
    assert find(page) == (7, 9, "\U0001F44D\U0001F3FD")
    source = source_create(user=analyst, title="Families", text=FAMILIES)
    page = reader(browser, live_server, source)
    family, fathers = FAMILIES.split()[1], FAMILIES.split()[5]
    assert find(page, "\U0001F468") == at(FAMILIES, family)
    alone = FAMILIES.index("\U0001F468 alone")
    assert find(page) == (alone, alone + 1, "\U0001F468")
    # Two fathers in one character: the character once, then back to the first.
    assert find(page) == at(FAMILIES, fathers)
    assert find(page) == at(FAMILIES, family)
    assert page.errors == []


def test_find_leaves_out_the_tatweels_after_the_words(transactional_db, browser, live_server, analyst):
    # Each tatweel (U+0640) is a character of its own: "محمد" had selected "محمدـــ".
    text = "\u0645\u062d\u0645\u062f\u0640\u0640\u0640 \u0642\u0627\u0644 \u0640\u0645\u062d\u0645\u062f\u064c\u0640\u0640 \u0627\u0644\u064a\u0648\u0645"
    source = source_create(user=analyst, title="Tatweel", text=text)
    page = reader(browser, live_server, source)
    assert find(page, "\u0645\u062d\u0645\u062f") == at(text, "\u0645\u062d\u0645\u062f")
    assert painted(page) == "\u0645\u062d\u0645\u062f"
    # The marks on the last letter are cited with it, the tatweels before or after it are not.
    assert find(page) == at(text, "\u0645\u062d\u0645\u062f\u064c")
    assert find(page, "\u0645\u062d\u0645\u062f \u0642\u0627\u0644") == at(text, "\u0645\u062d\u0645\u062f\u0640\u0640\u0640 \u0642\u0627\u0644")
    assert page.errors == []


def find_refused(page, words: str) -> str:
    """Type ``words`` in "Find words to cite" and press Enter, expecting no place: the message."""
    page.focus("[data-role=find]")
    page.fill("[data-role=find]", words)
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-role=error]:not([hidden])")
    return page.inner_text("[data-role=error]")


# Korean, composed, then the same words written as conjoining jamo (NFD), as some texts are.
KOREAN = "서울에서 한국 사람들이 만났다. 각자 왔다. " + unicodedata.normalize("NFD", "한국어") + " 책."


def test_find_does_not_match_part_of_a_hangul_syllable(transactional_db, browser, live_server, analyst):
    # The canonical decomposition splits a syllable into jamo: "하" had been found in "한"
    # (and "한" selected), "가" in "각", as no browser's find-in-page does.
    source = source_create(user=analyst, title="Korean", text=KOREAN)
    page = reader(browser, live_server, source)
    for typed in ("하", "가", "서울에서 하", "ᅡ"):
        assert find_refused(page, typed) == f"These words are not in the text: “{typed}”.", typed
    assert page.input_value("#cb-selection input[name=quote]") == ""
    # Whole syllables are found, composed or written as jamo, either way typed.
    jamo = unicodedata.normalize("NFD", "한국")
    assert find(page, "한국") == at(KOREAN, "한국")
    assert find(page) == at(KOREAN, jamo)
    assert painted(page) == jamo
    assert find(page) == at(KOREAN, "한국")
    assert find(page, jamo) == at(KOREAN, "한국")
    assert find(page, "각자") == at(KOREAN, "각자")
    assert find(page, "한국어 책") == at(KOREAN, unicodedata.normalize("NFD", "한국어") + " 책")
    assert page.errors == []


def test_find_of_marks_alone_says_that_find_ignores_marks(transactional_db, browser, live_server, analyst):
    # Marks alone had been said "not in the text", though the text has them.
    source = source_create(user=analyst, title="Marks", text=MARKS)
    page = reader(browser, live_server, source)
    said = "Find ignores accents and other marks, and the Arabic tatweel: type the letters of the words to cite."
    for typed in ("\u0301", "\u05b8\u05c1\u05b9", "\u064f\u064e\u0651", "\u0640"):
        assert find_refused(page, typed) == said, typed
        assert page.locator("[data-role=error].cb-note").is_visible()
    screenshot(page, "reader_find_marks_alone")
    # The words themselves are found as before, and the note goes when the Find box changes.
    assert find(page, "cafe") == at(MARKS, "café")
    assert page.locator("[data-role=error]").is_hidden()
    assert find_refused(page, "Lisbon") == "These words are not in the text: “Lisbon”."
    assert page.errors == []


def test_a_cut_inside_an_english_word_in_a_chinese_sentence_is_said(transactional_db, browser, live_server, analyst):
    text = "我们在Moscow见面。他说Russia和Iran签了协议。"
    source = source_create(user=analyst, title="Mixed", text=text)
    page = reader(browser, live_server, source)
    warning = page.locator("[data-role=cut-words]")
    # Inside "Moscow", with Han characters on either side of the word and no spaces.
    for quote, said in (
        ("osco", "starts inside the word “Moscow” and ends inside the word “Moscow”"),
        ("在Mosc", "ends inside the word “Moscow”"),
        ("ow见面", "starts inside the word “Moscow”"),
        ("ssia和Ir", "starts inside the word “Russia” and ends inside the word “Iran”"),
    ):
        start, _, _ = at(text, quote)
        assert select_units(page, start, start + len(quote)) == quote
        assert warning.is_visible(), quote
        assert warning.inner_text() == f"This passage {said}: select again to cite whole words."
        page.keyboard.press("Escape")
    # Between two Han characters, or between a Han character and the English word: no cut.
    for quote in ("们在", "们在Moscow见", "Moscow", "说Russia和", "面。他"):
        start, _, _ = at(text, quote)
        assert select_units(page, start, start + len(quote)) == quote
        assert warning.is_hidden(), (quote, warning.inner_text())
        page.keyboard.press("Escape")
    assert page.errors == []
