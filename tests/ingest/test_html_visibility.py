"""A page's text is what Chromium copies when the article is selected: text a browser does
not show is not stored, text it shows is (``aria-hidden`` text is shown, and copied), and
neither changes the layout of the rest (headings, paragraphs, list items, table rows a
line each). White space in the page's source is collapsed as a browser collapses it,
``<br>`` or not. Each expected text below is what Chromium copies (Ctrl+C) of the same
markup, the blank lines between paragraphs left out (the quote matcher allows for them)."""

from __future__ import annotations

import pytest

from tests.ingest.test_html_fidelity import page, read

# Short, as the pages that showed it were: trafilatura then compares its text with that of
# a fallback extractor, which flattened the article when it found a few more characters.
SHORT_ARTICLE = (
    "<h1>Share icons</h1>"
    "<p>By Jane Roe {hidden} 5 min read</p>"
    "<p>Officials met on Monday to discuss the plan in detail with the press.</p>"
    "<ul><li>Energy cooperation</li><li>Transport corridor</li></ul>"
    "<table><tr><td>Russia</td><td>6</td></tr><tr><td>China</td><td>5</td></tr></table>"
    "<p>Second paragraph with enough words to make this the main content of the page.</p>"
)
LAID_OUT = (
    "Officials met on Monday to discuss the plan in detail with the press.\n"
    "Energy cooperation\nTransport corridor\nRussia\t6\nChina\t5\n"
    "Second paragraph with enough words to make this the main content of the page."
)


def short_page(hidden: str) -> bytes:
    body = SHORT_ARTICLE.replace("{hidden}", hidden)
    return f"<html><head><title>Hidden</title></head><body><article>{body}</article></body></html>".encode()


# (the element in the byline, the byline as Chromium copies it)
BYLINES = [
    ('<span aria-hidden="true">·</span>', "By Jane Roe · 5 min read"),
    ('<span style="display:none">DN</span>', "By Jane Roe 5 min read"),
    ('<span style="DISPLAY: none !important">DN</span>', "By Jane Roe 5 min read"),
    ("<span hidden>HID</span>", "By Jane Roe 5 min read"),
    ("<noscript>Please enable JavaScript to see the comments.</noscript>", "By Jane Roe 5 min read"),
    ("<template>TPL</template>", "By Jane Roe 5 min read"),
    ('<span style="visibility:hidden">VH</span>', "By Jane Roe 5 min read"),
]


@pytest.mark.parametrize(("hidden", "byline"), BYLINES, ids=[hidden for hidden, _ in BYLINES])
def test_an_element_readers_do_not_see_leaves_the_layout_as_it_is_and_its_text_out(hidden, byline):
    text = read(short_page(hidden)).text
    assert text == f"Share icons\n{byline}\n{LAID_OUT}"


# (markup in a paragraph, text the paragraph must hold, text it must not)
NOT_SHOWN = [
    ("<span hidden>HIDDENWORD</span>", "HIDDENWORD"),
    ("<template><p>TEMPLATEWORD</p></template>", "TEMPLATEWORD"),
    ("<noscript>NOSCRIPTWORD</noscript>", "NOSCRIPTWORD"),
    ('<span style="display: none">DISPLAYNONEWORD</span>', "DISPLAYNONEWORD"),
]


@pytest.mark.parametrize(("markup", "word"), NOT_SHOWN, ids=[word for _, word in NOT_SHOWN])
def test_text_a_browser_does_not_show_is_not_stored(markup, word):
    text = read(page(body=f"<p>Before the element {markup} and after it.</p>")).text
    assert word not in text
    assert "Before the element and after it." in text


def test_a_hidden_block_is_not_stored():
    text = read(page(body='<div hidden><p>A paragraph no reader sees, HIDDENBLOCKWORD.</p></div>')).text
    assert "HIDDENBLOCKWORD" not in text


def test_text_shown_until_found_and_aria_hidden_text_is_stored_as_chromium_copies_it():
    body = (
        '<p>A <span hidden="until-found">folded</span> word and '
        '<span aria-hidden="true">decorative</span> marks.</p>'
        '<div aria-hidden="true"><p>A block hidden from screen readers only.</p></div>'
    )
    text = read(page(body=body)).text
    assert "A folded word and decorative marks.\nA block hidden from screen readers only.\n" in text


def test_a_paragraph_with_a_line_break_has_its_white_space_collapsed_as_a_browser_does():
    body = "<p>The deal covers energy,\n    transport   and trade.<br>\n   It was signed   in <b> Ashgabat </b>.</p>"
    text = read(page(body=body)).text
    assert "The deal covers energy, transport and trade.\nIt was signed in Ashgabat .\n" in text


def test_preformatted_text_keeps_its_white_space():
    body = "<pre>  line one\n    indented   two</pre>"
    assert "  line one\n    indented   two\n" in read(page(body=body)).text


# (preformatted text and what follows it, as Chromium 156 copies the article with Ctrl+C)
PREFORMATTED_THEN_MORE = [
    ("<pre>line one\n    indented\nline three</pre><p>Following paragraph.</p>", "line one\n    indented\nline three\nFollowing paragraph.\n"),
    ("<pre>line one\n    indented\nline three</pre>\n<p>Following paragraph.</p>", "line one\n    indented\nline three\nFollowing paragraph.\n"),
    ("<pre><code>x = 1\n    y = 2</code></pre><p>Following paragraph.</p>", "x = 1\n    y = 2\nFollowing paragraph.\n"),
    ("<div><pre>a\n  b</pre><p>Following paragraph.</p></div>", "a\n  b\nFollowing paragraph.\n"),
]


@pytest.mark.parametrize("body, copied", PREFORMATTED_THEN_MORE, ids=["paragraph", "paragraph-after-space", "code", "in-division"])
def test_preformatted_text_ends_its_line_before_what_follows(body, copied):
    """A quote copied across the end of the block (``line three\nFollowing``) is found."""
    assert f"\n{copied}" in read(page(body=body)).text


# (markup, what Chromium 156 copies of it when the article is selected, Ctrl+C): a block
# hidden until found is not shown, and not copied, until a search finds it (on an inline
# element, which content-visibility does not apply to, the attribute hides nothing); a
# closed <details> shows its summary alone.
FOLDED = [
    ('<div hidden="until-found">Collapsed section text.</div>', ""),
    ('<p hidden="until-found">A folded paragraph.</p>', ""),
    ('<section hidden="until-found"><p>A folded section.</p></section>', ""),
    ('<p>A <b hidden="until-found">bold</b> word.</p>', "A bold word.\n"),
    ("<details><summary>More</summary>Closed details body.</details>", "More\n"),
    ("<details><summary>More <b>here</b></summary><div>Closed body.</div><p>And more.</p></details>", "More here\n"),
    ("<details open><summary>More</summary>Open details body.</details>", "More\nOpen details body.\n"),
]


@pytest.mark.parametrize("markup, copied", FOLDED, ids=["division", "paragraph", "section", "inline", "details", "details-blocks", "details-open"])
def test_a_block_hidden_until_found_and_a_closed_details_body_are_stored_as_chromium_copies_them(markup, copied):
    text = read(page(body=f"<p>Before the folded part.</p>{markup}<p>After the folded part.</p>")).text
    assert f"Before the folded part.\n{copied}After the folded part." in text
