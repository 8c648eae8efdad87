"""A page's text and metadata are what a reader of the page sees: every character
reference is decoded once, by the HTML parser, never a second time; a value too long to
store is left blank, never cut; a published date is one the page writes in full."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone
from unittest import mock
from html import escape

import pytest

from sources.ingest import extract
from sources.ingest.extract import _metadata
from tests.documents import seed_paragraphs

ARTICLE = seed_paragraphs(0, count=4)


def page(*, head: str = "", body: str = "", title: str = "") -> bytes:
    """A page of four paragraphs of prose in an ``<article>``, with ``body`` after the
    first; ``head`` in its head, and a ``<title>`` only if ``title`` is given."""
    paragraphs = [f"<p>{escape(paragraph)}</p>" for paragraph in ARTICLE]
    title_element = f"<title>{title}</title>" if title else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{title_element}{head}</head>'
        f"<body><article>{paragraphs[0]}{body}{''.join(paragraphs[1:])}</article></body></html>"
    ).encode()


def read(data: bytes, **kwargs):
    return extract(io.BytesIO(data), declared_type="text/html", **kwargs)


# (as the HTML writes it, as the browser shows it)
SHOWN = [
    ("&amp;#233;", "&#233;"),
    ("&amp;lt;script&amp;gt;", "&lt;script&gt;"),
    ("&lt;script&gt;", "<script>"),
    ("&amp;amp;", "&amp;"),
    ("https://example.org/list?year=2024&amp;section=energy&amp;copy=1", "https://example.org/list?year=2024&section=energy&copy=1"),
    ("&amp;nbsp;", "&nbsp;"),
    ("&amp;#10;", "&#10;"),
    ("&amp;#13;", "&#13;"),
    ("caf&eacute; &amp; bar", "café & bar"),
    ("AT&T", "AT&T"),
]


@pytest.mark.parametrize(("written", "shown"), SHOWN, ids=[shown for _, shown in SHOWN])
def test_text_is_what_the_browser_shows_its_references_decoded_once(written, shown):
    text = read(page(body=f"<p>The figures are at {written} for anyone to check.</p>")).text
    assert f"The figures are at {shown} for anyone to check." in text


def test_tables_lists_headings_and_line_breaks_keep_their_layout_with_ampersands_in_them():
    body = (
        "<h2>Costs &amp;amp; benefits</h2>"
        "<table><tr><th>Item &amp;amp; kind</th><th>Cost</th></tr><tr><td>x &amp;lt; y</td><td>2 &amp;copy</td></tr></table>"
        "<ul><li>First &amp;sect;1</li><li>Second &amp;</li></ul>"
        "<p>One line &amp;amp;<br>the next &amp;para; line</p>"
    )
    text = read(page(body=body)).text
    expected = (
        "Costs &amp; benefits\n"
        "Item &amp; kind\tCost\nx &lt; y\t2 &copy\n"
        "First &sect;1\nSecond &\n"
        "One line &amp;\nthe next &para; line\n"
    )
    assert expected in text


def test_a_table_is_a_row_a_line_its_cells_separated_by_tabs_as_a_browser_copies_it():
    """No Markdown the page does not show (``| a | b |``, a ``|---|`` rule): a row copied
    from the page is found in the text. A table inside a cell has rows of its own."""
    body = (
        "<p>Votes on sanctions against Iran at the UN Security Council, from 2006 to 2010, by country.</p>"
        "<table><thead><tr><th>Country</th><th>Votes</th></tr></thead>"
        "<tbody><tr><td>Russia</td><td>6</td></tr><tr><td>China</td><td> 6 <b>(all)</b></td></tr>"
        "<tr><td>Notes</td><td><table><tr><td>inner</td><td>cell</td></tr></table></td></tr></tbody></table>"
        "<p>The votes were cast after long negotiations with the other permanent members.</p>"
    )
    text = read(page(body=body)).text
    assert "\nCountry\tVotes\nRussia\t6\nChina\t6 (all)\nNotes\n" in text and "\ninner\tcell\n" in text
    assert "|" not in text and "---" not in text


# (a table, its text as Chromium 156 copies it: ``innerText`` and a selection's text agree)
SPANNED_TABLES = [
    ('<table><tr><th colspan="2">Wide head</th><th>C</th></tr><tr><td rowspan="2">Tall</td><td>b1</td><td>c1</td></tr>'
     "<tr><td>b2</td><td>c2</td></tr></table>", "Wide head\tC\nTall\tb1\tc1\nb2\tc2\n"),
    ("<table><tr><td>a</td><td></td><td>c</td></tr><tr><td>short</td></tr><tr><td>one</td><td>two</td></tr></table>",
     "a\t\tc\nshort\none\ttwo\n"),
    ('<table><tr><td colspan="3">Across all three</td></tr><tr><td>x</td><td rowspan="3">down</td><td>y</td></tr>'
     '<tr><td>x2</td><td>y2</td></tr></table>', "Across all three\nx\tdown\ty\nx2\ty2\n"),
]


@pytest.mark.parametrize("table, copied", SPANNED_TABLES, ids=["spans", "short-rows", "wide-and-tall"])
def test_cells_spanning_rows_or_columns_copy_as_a_browser_copies_them(table, copied):
    """Once each, in their own rows, a row as long as its cells: no empty cell for the
    columns or rows a cell spans, no padding of a short row (tabs the page does not show)."""
    assert f"\n{copied}" in read(page(body=table)).text


# (a table holding tables, its text as Chromium 156 copies it: the selection of the
# table's contents, ``getSelection().toString()``, which is what Ctrl+C puts on the
# clipboard). ``innerText`` agrees on where every line breaks, but writes a tab at the
# start of the line after a nested table (``\tc``) and a blank line after one ending a
# row; the copy writes no tab at the start of a line, and so none for a row's leading
# empty cells either (``innerText``: ``\tb\tc``).
NESTED_TABLES = [
    ("<table><tr><td><table><tr><td>i1</td><td>i2</td></tr><tr><td>i3</td><td>i4</td></tr></table></td><td>b</td>"
     "<td>c</td></tr><tr><td>d</td><td>e</td><td>f</td></tr></table>", "i1\ti2\ni3\ti4\nb\tc\nd\te\tf\n"),
    ("<table><tr><td>a</td><td><table><tr><td>i1</td><td>i2</td></tr><tr><td>i3</td><td>i4</td></tr></table></td>"
     "<td>c</td></tr><tr><td>d</td><td>e</td><td>f</td></tr></table>", "a\t\ni1\ti2\ni3\ti4\nc\nd\te\tf\n"),
    ("<table><tr><td>a</td><td>b</td><td><table><tr><td>i1</td><td>i2</td></tr><tr><td>i3</td><td>i4</td></tr></table>"
     "</td></tr><tr><td>d</td><td>e</td><td>f</td></tr></table>", "a\tb\t\ni1\ti2\ni3\ti4\nd\te\tf\n"),
    ("<table><tr><td>r1a</td><td>r1b</td></tr><tr><td>r2a</td><td><table><tr><td>i1</td><td>i2</td></tr><tr><td>i3</td>"
     "<td>i4</td></tr></table></td></tr><tr><td>r3a</td><td>r3b</td></tr><tr><td>r4a</td><td>r4b</td></tr></table>",
     "r1a\tr1b\nr2a\t\ni1\ti2\ni3\ti4\nr3a\tr3b\nr4a\tr4b\n"),
    ("<table><tr><td>a</td><td>before <table><tr><td>i1</td><td>i2</td></tr><tr><td>i3</td><td>i4</td></tr></table> after"
     "</td><td>c</td></tr></table>", "a\tbefore\ni1\ti2\ni3\ti4\nafter\tc\n"),
    ("<table><tr><td>a</td><td><table><tr><td>p1</td><td>p2</td></tr></table><table><tr><td>q1</td><td>q2</td></tr>"
     "<tr><td>q3</td><td>q4</td></tr></table></td><td>c</td></tr></table>", "a\t\np1\tp2\nq1\tq2\nq3\tq4\nc\n"),
    ("<table><tr><td>a</td><td>x <table><tr><td>p1</td><td>p2</td></tr></table> y <table><tr><td>q1</td><td>q2</td></tr>"
     "</table> z</td><td>c</td></tr></table>", "a\tx\np1\tp2\ny\nq1\tq2\nz\tc\n"),
    ("<table><tr><td>a</td><td><table><tr><td>m1</td><td><table><tr><td>d1</td><td>d2</td></tr><tr><td>d3</td><td>d4</td>"
     "</tr></table></td><td>m3</td></tr><tr><td>m4</td><td>m5</td></tr></table></td><td>c</td></tr><tr><td>e</td>"
     "<td>f</td></tr></table>", "a\t\nm1\t\nd1\td2\nd3\td4\nm3\nm4\tm5\nc\ne\tf\n"),
    ('<table><tr><td>a</td><td><table><tr><th colspan="2">Wide</th></tr><tr><td rowspan="2">Tall</td><td>t1</td></tr>'
     "<tr><td>t2</td></tr></table></td><td>c</td></tr><tr><td>d</td><td>e</td></tr></table>",
     "a\t\nWide\nTall\tt1\nt2\nc\nd\te\n"),
    ("<table><tr><td>a</td><td><table><caption>Cap</caption><tr><td>i1</td><td>i2</td></tr></table></td><td>c</td></tr>"
     "</table>", "a\t\nCap\ni1\ti2\nc\n"),
    ("<table><tr><td>a</td><td><table><tr><td></td></tr></table></td><td>c</td></tr></table>", "a\t\nc\n"),
    ("<table><tr><td></td><td>b</td><td>c</td></tr><tr><td>d</td><td>e</td><td>f</td></tr></table>", "b\tc\nd\te\tf\n"),
    ("<table><tr><td></td><td> </td><td>c</td></tr><tr><td>d</td><td>e</td><td>f</td></tr></table>", "c\nd\te\tf\n"),
]
NESTED_IDS = [
    "in-first-cell", "in-middle-cell", "in-last-cell", "in-middle-row", "text-around-it", "two-in-a-cell",
    "two-with-text-between", "two-levels", "with-spans", "with-caption", "empty", "leading-empty-cell", "leading-empty-cells",
]


@pytest.mark.parametrize("table, copied", NESTED_TABLES, ids=NESTED_IDS)
def test_a_table_inside_a_cell_is_copied_where_it_stands_as_a_browser_copies_it(table, copied):
    """The cell's text before it ends the row's line, its rows follow, and the rest of the
    cell and of the row begin a new line: nothing moved after the outer table, glued, or
    written twice. The text is stored without white space at the end of a line
    (``normalise_extracted``), the copy is compared so."""
    stored = re.sub(r"[ \t]+\n", "\n", copied)
    assert f"\n{stored}" in read(page(body=table)).text


# (the head, the metadata field, its value as the page shows it)
METADATA = [
    ("<title>AT&amp;amp;T &amp;lt;b&amp;gt;</title>", "title", "AT&amp;T &lt;b&gt;"),
    ('<meta property="og:title" content="Q&amp;amp;A on &amp;quot;levies&amp;quot;">', "title", "Q&amp;A on &quot;levies&quot;"),
    ('<meta property="og:site_name" content="Fish &amp;amp; Chips Weekly">', "publisher", "Fish &amp; Chips Weekly"),
    ('<meta property="og:site_name" content="m&amp;s news">', "publisher", "M&S News"),
    ('<meta property="og:site_name" content="AT&amp;T">', "publisher", "AT&T"),
    ('<meta name="author" content="Jos&eacute; Ruiz">', "authors", "José Ruiz"),
]


@pytest.mark.parametrize(("head", "field", "shown"), METADATA, ids=[f"{field}:{shown}" for _, field, shown in METADATA])
def test_metadata_is_the_page_s_value_decoded_once(head, field, shown):
    assert getattr(read(page(head=head)).metadata, field) == shown


def test_an_author_written_with_a_reference_shown_as_such_is_not_decoded_a_second_time():
    authors = read(page(head='<meta name="author" content="Jos&amp;#233; Ruiz">')).metadata.authors
    assert "José" not in authors


def test_a_heading_taken_for_the_title_is_decoded_once():
    data = page(body="<h1>Fish &amp;amp; Chips</h1>")
    assert read(data).metadata.title == "Fish &amp; Chips"


@pytest.mark.parametrize(
    ("head", "url", "stored"),
    [
        ('<meta property="og:url" content="https://example.org/list?year=2024&amp;section=energy&amp;copy=1">', None,
         "https://example.org/list?year=2024&section=energy&copy=1"),
        # Trafilatura normalises the link's URL (courlan sorts its query).
        ('<link rel="canonical" href="https://example.org/list?year=2024&amp;section=energy&amp;copy=1">', None,
         "https://example.org/list?copy=1&section=energy&year=2024"),
        ("", "https://example.org/list?year=2024&section=energy&copy=1", "https://example.org/list?year=2024&section=energy&copy=1"),
    ],
    ids=["og-url", "canonical-link", "fetched-from"],
)
def test_the_page_s_url_is_not_decoded_a_second_time(head, url, stored):
    assert read(page(head=head), url=url).metadata.url == stored


def test_a_canonical_url_too_long_to_store_is_left_blank_not_cut():
    long_url = "https://example.org/" + "a" * 2100
    assert read(page(head=f'<link rel="canonical" href="{long_url}">')).metadata.url == ""
    assert _metadata({"url": long_url}).url == ""


def test_a_canonical_url_of_the_longest_length_stored_is_kept_whole():
    url = "https://example.org/" + "a" * (2000 - len("https://example.org/"))
    assert _metadata({"url": url}).url == url


@pytest.mark.parametrize(
    "table, expected",
    [
        ("<table><tr><td>Cell one</td><td>Cell two<br>line two</td></tr></table>", "Cell one\tCell two\nline two\n"),
        ("<table><tr><td><p>First of the cell.</p><p>Second of it.</p></td><td>x</td></tr></table>", "First of the cell.\nSecond of it.\nx\n"),
        ("<table><tr><td><div>alpha</div><div>beta</div></td><td>gamma</td></tr></table>", "alpha\nbeta\ngamma\n"),
        (
            "<table><tr><td><h2>Statement on the grain agreement</h2><p>The ministry welcomes the agreement.</p>"
            "<p>Under it, ships may sail from three ports.</p></td></tr></table>",
            "Statement on the grain agreement\nThe ministry welcomes the agreement.\nUnder it, ships may sail from three ports.\n",
        ),
    ],
    ids=["line-break", "paragraphs", "divisions", "layout-table"],
)
def test_lines_inside_a_cell_stay_lines_and_no_words_are_glued(table, expected):
    """A layout table's one cell holds a whole article: its paragraphs stay paragraphs."""
    assert expected in read(page(body=table)).text


# (a table whose cell ends where a line ends, its text as Chromium 156 copies it, a
# selection's text and Ctrl+C alike): the next cell begins a line of its own, with no tab
# before it; the blank line Chromium writes after a paragraph's margin is not kept, as
# nowhere in a page's text.
CELLS_ENDING_A_LINE = [
    ("<table><tr><td>text<div>more</div></td><td>next</td></tr><tr><td>a</td><td>b</td></tr></table>", "text\nmore\nnext\na\tb\n"),
    ("<table><tr><td>text<p>more</p></td><td>next</td></tr></table>", "text\nmore\nnext\n"),
    ("<table><tr><td>text<h3>A heading</h3></td><td>next</td></tr></table>", "text\nA heading\nnext\n"),
    ("<table><tr><td>a<div>b</div></td><td>c<div>d</div></td><td>e</td></tr></table>", "a\nb\nc\nd\ne\n"),
    ("<table><tr><td>text<div>more</div></td><td></td><td>x</td></tr></table>", "text\nmore\nx\n"),
    ("<table><tr><th>Head<div>sub</div></th><th>Two</th></tr><tr><td>1</td><td>2</td></tr></table>", "Head\nsub\nTwo\n1\t2\n"),
    ("<table><tr><td>a</td><td>text<div>more</div></td></tr><tr><td>c</td><td>d</td></tr></table>", "a\ttext\nmore\nc\td\n"),
    ("<table><tr><td>text<div>more</div>tail</td><td>next</td></tr></table>", "text\nmore\ntail\tnext\n"),
]


@pytest.mark.parametrize(
    "table, copied",
    CELLS_ENDING_A_LINE,
    ids=["division", "paragraph", "heading", "two-cells", "empty-cell-after", "header-cell", "last-cell", "text-after-division"],
)
def test_a_cell_ending_in_a_division_or_paragraph_is_followed_by_a_line_not_a_tab(table, copied):
    """A quote copied across the end of such a cell (``more\nnext``) is found."""
    assert f"\n{copied}" in read(page(body=table)).text


# (a cell holding a list, or ending in a line break, its text as Chromium 156 copies it with
# Ctrl+C): a list's items are lines of the cell, and a break at the end of a cell ends its
# line, so the next cell begins a line of its own; a break followed by the cell's text does
# not end the cell's line.
CELLS_WITH_LISTS_AND_BREAKS = [
    ("<table><tr><td>text<ul><li>a</li><li>b</li></ul></td><td>next</td></tr></table>", "text\na\nb\nnext\n"),
    ("<table><tr><td>text<ul><li>a</li><li>b</li></ul>tail</td><td>next</td></tr></table>", "text\na\nb\ntail\tnext\n"),
    ("<table><tr><td>text<ol><li>a</li><li>b</li></ol></td><td>x</td></tr></table>", "text\na\nb\nx\n"),
    ("<table><tr><td><ul><li>a<ul><li>a1</li></ul></li><li>b</li></ul></td><td>x</td></tr><tr><td>c</td><td>d</td></tr></table>",
     "a\na1\nb\nx\nc\td\n"),
    ("<table><tr><td>x</td><td>text<ul><li>a</li></ul></td></tr><tr><td>c</td><td>d</td></tr></table>", "x\ttext\na\nc\td\n"),
    ("<table><tr><td>one<br>two<br></td><td>x</td></tr></table>", "one\ntwo\nx\n"),
    ("<table><tr><td>one<br></td><td>x</td></tr><tr><td>a</td><td>b</td></tr></table>", "one\nx\na\tb\n"),
    ("<table><tr><td>one<br> </td><td>x</td></tr></table>", "one\nx\n"),
    ("<table><tr><td><b>one<br></b></td><td>x</td></tr></table>", "one\nx\n"),
    ("<table><tr><td>one<br><span>two</span><br></td><td>x</td></tr></table>", "one\ntwo\nx\n"),
    ("<table><tr><td>a</td><td>one<br>two<br></td></tr><tr><td>c</td><td>d</td></tr></table>", "a\tone\ntwo\nc\td\n"),
    ("<table><tr><td>one<br>two</td><td>x</td></tr></table>", "one\ntwo\tx\n"),
    ("<table><tr><td>one<br>two<br>three</td><td>x</td></tr></table>", "one\ntwo\nthree\tx\n"),
    ("<table><tr><td>one<br><b>two</b></td><td>x</td></tr></table>", "one\ntwo\tx\n"),
]


@pytest.mark.parametrize(
    "table, copied",
    CELLS_WITH_LISTS_AND_BREAKS,
    ids=[
        "list", "list-then-text", "ordered-list", "nested-list", "list-in-last-cell", "break-at-end", "lone-break-at-end",
        "break-then-space", "break-at-end-of-phrase", "break-after-phrase", "break-at-end-of-last-cell", "break-inside",
        "two-breaks-inside", "break-before-phrase",
    ],
)
def test_a_list_in_a_cell_is_kept_and_a_break_ending_a_cell_ends_its_line(table, copied):
    """A quote copied across the list, or across the end of such a cell (``two\nx``), is found."""
    assert f"\n{copied}" in read(page(body=table)).text


# (a cell that begins where a line begins, its text as Chromium 156 copies it with Ctrl+C:
# "Bravo\t\nwhole div"): a division, a paragraph, a heading, a list or a line break opening
# a cell begins a line of its own; the tab Chromium writes before that line's break is
# white space at a line's end, which the quote matcher leaves out.
CELLS_BEGINNING_A_LINE = [
    ("<table><tr><td>Bravo</td><td><div>whole div</div></td><td>tail2</td></tr></table>", "Bravo\nwhole div\ntail2\n"),
    ("<table><tr><td>Russia</td><td>6</td><td><div>abstained once</div></td></tr><tr><td>a</td><td>b</td></tr></table>",
     "Russia\t6\nabstained once\na\tb\n"),
    ("<table><tr><td>A</td><td><p>para</p></td><td>z</td></tr></table>", "A\npara\nz\n"),
    ("<table><tr><td>A</td><td><div>d1</div>text</td><td>z</td></tr></table>", "A\nd1\ntext\tz\n"),
    ("<table><tr><td>A</td><td><ul><li>i</li><li>j</li></ul></td><td>z</td></tr></table>", "A\ni\nj\nz\n"),
    ("<table><tr><td>A</td><td><h3>H</h3>t</td><td>z</td></tr></table>", "A\nH\nt\tz\n"),
    ("<table><tr><td>A</td><td><br>x</td><td>z</td></tr></table>", "A\nx\tz\n"),
    ("<table><tr><td>Delta<br>broken</td><td>x</td></tr></table>", "Delta\nbroken\tx\n"),
]


@pytest.mark.parametrize(
    "table, copied",
    CELLS_BEGINNING_A_LINE,
    ids=["whole-division", "last-cell", "paragraph", "division-then-text", "list", "heading", "break", "break-inside"],
)
def test_a_cell_beginning_with_a_division_or_paragraph_begins_a_line(table, copied):
    """A quote copied across the start of such a cell (``Bravo\t\nwhole div``) is found."""
    assert f"\n{copied}" in read(page(body=table)).text


def test_a_break_in_a_cell_read_as_a_paragraph_is_a_line_break():
    """Trafilatura reads this page's table as its division's text, not as a table: the
    break in its cell is a line break still, as Chromium 156 copies the page."""
    data = (
        b"<html><body><div>Officials met on Monday to discuss the plan in detail with the press."
        b"<table><tr><td>a<br>b</td></tr></table></div></body></html>"
    )
    assert read(data).text == "Officials met on Monday to discuss the plan in detail with the press.\na\nb"


def test_a_publication_date_after_tomorrow_is_no_date_whatever_the_document():
    from datetime import date, timedelta

    assert _metadata({"published_on": "9999-12-31"}).published_on is None
    assert _metadata({"published_on": (date.today() + timedelta(days=3)).isoformat()}).published_on is None
    assert _metadata({"published_on": "2010-06-09"}).published_on == date(2010, 6, 9)


def test_a_title_of_replacement_marks_alone_is_none_and_one_with_letters_is_kept():
    assert _metadata({"title": "\ufffd \ufffd"}).title == ""
    assert _metadata({"title": "Caf\ufffd report"}).title == "Caf\ufffd report"


def test_a_language_tag_too_long_to_store_is_left_blank_not_cut():
    tag = "en-" + "-".join(["abcdefgh"] * 10)
    assert _metadata({"language": tag}).language == ""


def meta_date(value: str) -> str:
    return f'<meta property="article:published_time" content="{value}">'


IMPOSSIBLE_DATES = [
    meta_date("2024-02-30"),
    meta_date("2024-02-30T10:00:00+02:00"),
    meta_date("2023-02-29"),
    meta_date("2024-02"),
    '<meta name="date" content="30.02.2024">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-02-30T10:00:00+01:00"}</script>',
]


@pytest.mark.parametrize("head", IMPOSSIBLE_DATES)
def test_a_published_date_that_is_not_a_real_day_is_left_blank(head):
    assert read(page(head=head)).metadata.published_on is None


@pytest.mark.parametrize("body", ['<time datetime="2024-02-30">30 February</time>', '<p class="date">Posted 2024-02-30</p>'])
def test_a_date_in_the_page_that_is_not_a_real_day_is_left_blank(body):
    assert read(page(body=body)).metadata.published_on is None


VALID_DATES = [
    (meta_date("2024-02-29T23:30:00-05:00"), "", None),
    (meta_date("2024-02-29T08:00:00Z"), "", None),
    ("", '<time datetime="2024-02-29T08:00:00+01:00">29 February</time>', None),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-02-29T10:00:00+01:00"}</script>', "", None),
    ('<meta name="date" content="29.02.2024">', "", None),
    ('<meta name="date" content="20240229">', "", None),
    ('<meta name="date" content="February 29, 2024">', "", None),
    ("", '<p class="date">29. Februar 2024</p>', None),
    ("", "", "https://example.org/2024/02/29/a-story"),
]


@pytest.mark.parametrize(("head", "body", "url"), VALID_DATES)
def test_a_published_date_the_page_writes_in_full_is_kept(head, body, url):
    assert str(read(page(head=head, body=body), url=url).metadata.published_on) == "2024-02-29"


@pytest.mark.parametrize(("utc", "kept"), [("2026-12-06T22:30:00", True), ("2026-12-06T09:00:00", False)], ids=["begun in UTC+14", "not begun anywhere"])
def test_a_pages_date_of_a_day_begun_east_of_greenwich_is_kept_as_a_front_matters_is(utc, kept):
    """Today in Kiribati (UTC+14), tomorrow in UTC: htmldate's latest date is the server's
    own today, and the page's date was left blank where a Markdown file's is kept."""
    now = datetime.fromisoformat(utc).replace(tzinfo=timezone.utc)
    head, markdown = meta_date("2026-12-07"), b"---\ndate: 2026-12-07\n---\n\n" + "\n\n".join(ARTICLE).encode()
    with mock.patch("django.utils.timezone.now", return_value=now):
        from_page = read(page(head=head)).metadata.published_on
        from_markdown = extract(io.BytesIO(markdown), filename="story.md").metadata.published_on
    assert from_page == from_markdown == (date(2026, 12, 7) if kept else None)


# Format characters (Unicode's Cf): invisible, and part of the words a reader copies.
FORMAT_CHARACTERS = [
    ("من می\u200cخواهم بروم و خانه\u200cها را ببینم", "zero-width non-joiner (Persian)"),
    ("a family \U0001f468\u200d\U0001f469\u200d\U0001f467 in one glyph", "zero-width joiner (emoji)"),
    ("the re\u00adport is long", "soft hyphen"),
    ("\u200fمرحبا\u200e and \u200eIran\u200f", "direction marks"),
    ("one\u2060word and a\u200bb", "word joiner and zero-width space"),
]


@pytest.mark.parametrize(("written", "name"), FORMAT_CHARACTERS, ids=[name for _, name in FORMAT_CHARACTERS])
def test_format_characters_are_kept_as_the_page_has_them(written, name):
    document = read(page(body=f"<p>It reads {escape(written)} in the original.</p>"))
    assert f"It reads {written} in the original." in document.text


def test_a_persian_author_keeps_the_non_joiner_in_the_name():
    name = "Mohammad Ali‌zadeh"
    assert read(page(head=f'<meta name="author" content="{name}">')).metadata.authors == name


# (a list, its text as Chromium 156 copies it: the selection of the list,
# ``getSelection().toString()``, and what Ctrl+C then Ctrl+V in a textarea gives, agree):
# an item a line, no bullet, no number of an ordered list, no indent of a nested one.
LISTS = [
    ("<ul><li>List item one about crude oil exports to Asia</li><li>List item two about gas pipelines through the Caspian</li></ul>",
     "List item one about crude oil exports to Asia\nList item two about gas pipelines through the Caspian\n"),
    ("<ol><li>First numbered step of the agreement on oil</li><li>Second numbered step of the agreement on gas</li></ol>",
     "First numbered step of the agreement on oil\nSecond numbered step of the agreement on gas\n"),
    ("<ul><li>Outer item one about the oil deal<ul><li>Inner item a about crude</li><li>Inner item b about gas</li></ul></li>"
     "<li>Outer item two about the pipeline</li></ul>",
     "Outer item one about the oil deal\nInner item a about crude\nInner item b about gas\nOuter item two about the pipeline\n"),
]


@pytest.mark.parametrize("items, copied", LISTS, ids=["bullets", "numbers", "nested"])
def test_list_items_are_lines_as_a_browser_copies_them_without_markers(items, copied):
    """A quote copied across two items is found: no ``- `` (nor ``1. ``) the page does not show."""
    assert f"\n{copied}" in read(page(body=items)).text


# (an image, the text Chromium 156 copies of it with Ctrl+C: its alt text where the image
# stands, in its line or on a line of its own; ``getSelection().toString()`` leaves it out,
# but an analyst's quote is what the clipboard holds)
IMAGES = [
    ('<p>Before the image <img src="map.png" alt="a map of the route"> after the image.</p>',
     "\nBefore the image a map of the route after the image.\n"),
    ('<p>See <a href="/route"><img src="map.png" alt="the route"></a> for details.</p>', "\nSee the route for details.\n"),
    ('<img src="map.png" alt="A map of the route">', "\nA map of the route\n"),
    ('<div><img src="map.png" alt="A map of the route"></div>', "\nA map of the route\n"),
    ('<p><img src="map.png" alt="A map of the route"></p>', "\nA map of the route\n"),
    ('<table><tr><td><img src="fr.png" alt="Flag:"> France</td><td>12</td></tr></table>', "\nFlag: France\t12\n"),
    ('<p>Prices <img src="up.png" alt="rose" aria-hidden="true"> again.</p>', "\nPrices rose again.\n"),
    ('<picture><source srcset="map.webp" type="image/webp"><img src="map.png" alt="A map of the route"></picture>',
     "\nA map of the route\n"),
]
IMAGE_IDS = ["inline", "in-a-link", "between-paragraphs", "in-a-division", "paragraph-of-its-own", "in-a-cell", "aria-hidden", "picture"]


@pytest.mark.parametrize("image, copied", IMAGES, ids=IMAGE_IDS)
def test_an_image_s_alt_text_is_kept_where_the_image_stands(image, copied):
    assert copied in read(page(body=image)).text


@pytest.mark.parametrize(
    "image",
    [
        '<p>Before <img src="rule.png" alt=""> after.</p>',
        '<p>Before <img src="rule.png" alt="   "> after.</p>',
        '<p>Before <img src="rule.png"> after.</p>',
        '<p>Before <img src="secret.png" alt="secret words" hidden> after.</p>',
        '<p>Before <img src="secret.png" alt="secret words" style="display: none"> after.</p>',
    ],
    ids=["decorative", "blank", "no-alt", "hidden", "not-displayed"],
)
def test_a_decorative_or_hidden_image_gives_no_text(image):
    text = read(page(body=image)).text
    assert "\nBefore after.\n" in text and "secret" not in text


# (a figure, the text Chromium 156 copies of it with Ctrl+C: its images' alt text and its
# caption, each on a line of its own, where the page has them)
FIGURES = [
    ('<figure><img src="map.png" alt="a map"><figcaption>Figure 2: the pipeline route across the region.</figcaption></figure>',
     "\na map\nFigure 2: the pipeline route across the region.\n"),
    ('<figure><figcaption>Table 3: exports by year, in barrels.</figcaption><img src="chart.png" alt="a chart"></figure>',
     "\nTable 3: exports by year, in barrels.\na chart\n"),
    ("<figure><blockquote><p>We will not bow to pressure from anyone at all.</p></blockquote>"
     "<figcaption>The minister, in a televised speech</figcaption></figure>",
     "\nWe will not bow to pressure from anyone at all.\nThe minister, in a televised speech\n"),
    ('<figure><img src="chart.png" alt="A chart of exports by year"></figure>', "\nA chart of exports by year\n"),
    ('<figure><img src="chart.png" alt=""><figcaption>Exports by year, in barrels.</figcaption></figure>',
     "\nExports by year, in barrels.\n"),
]


@pytest.mark.parametrize(
    "figure, shown", FIGURES, ids=["caption-after", "caption-before", "quote-and-caption", "no-caption", "decorative-image"]
)
def test_a_figure_s_alt_text_and_caption_are_kept_each_on_a_line_of_its_own(figure, shown):
    assert shown in read(page(body=figure)).text


def test_a_hidden_figure_caption_is_not_kept():
    figure = '<figure><img src="map.png" alt="a map"><figcaption hidden>Caption the page hides.</figcaption></figure>'
    text = read(page(body=figure)).text
    assert "Caption the page hides" not in text and "\na map\n" in text


# (a byline, the line Chromium 156 shows of it)
BYLINES = [
    ('<p class="byline">By Jane Roe, 5 March 2024</p>', "\nBy Jane Roe, 5 March 2024\n"),
    ('<div class="article__byline">By <a href="/authors/roe" class="author-link">Jane Roe</a> | '
     '<time datetime="2024-03-05">5 March 2024</time></div>', "\nBy Jane Roe | 5 March 2024\n"),
]


@pytest.mark.parametrize("byline, shown", BYLINES, ids=["paragraph", "links-and-time"])
def test_a_byline_line_is_kept_in_the_text(byline, shown):
    assert shown in read(page(body=byline)).text


def test_an_author_box_is_not_kept_as_a_byline():
    box = ('<div class="byline"><img src="roe.jpg" alt="Jane Roe">By Jane Roe <button>Follow</button>'
           "<p>Jane Roe covers energy and the Caucasus for the paper.</p></div>")
    text = read(page(body=box)).text
    assert "Follow" not in text and "covers energy and the Caucasus" not in text


# (the head, the authors stored: people joined by "; ", each person whole)
AUTHORS = [
    ('<meta name="citation_author" content="Smith, John"><meta name="citation_author" content="Doe, Jane">', "Smith, John; Doe, Jane"),
    ('<meta name="citation_author" content="van der Berg, Anna">', "van der Berg, Anna"),
    ('<meta name="author" content="Roe, Jane">', "Roe, Jane"),
    ('<meta name="author" content="van der Berg, Anna">', "van der Berg, Anna"),
    ('<meta name="author" content="de la Cruz, Maria">', "de la Cruz, Maria"),
    ('<meta name="author" content="ten Boom, Corrie">', "ten Boom, Corrie"),
    ('<meta name="author" content="van der Berg, Anna, da Silva, Ana">', "van der Berg, Anna; da Silva, Ana"),
    ('<meta name="author" content="di Maio, Luigi and Roe, Jane">', "di Maio, Luigi; Roe, Jane"),
    ('<meta name="author" content="Smith, John">', "Smith, John"),
    ('<meta name="author" content="Alice Smith, Bob Jones">', "Alice Smith; Bob Jones"),
    ('<meta name="author" content="Anna van der Berg, John Doe">', "Anna van der Berg; John Doe"),
    ('<meta name="author" content="Roe, Jane; Doe, John">', "Roe, Jane; Doe, John"),
    ('<meta name="author" content="Martin Luther King, Jr.">', "Martin Luther King, Jr."),
    ('<meta name="author" content="Jane Roe, PhD and John Doe">', "Jane Roe, PhD; John Doe"),
    ('<meta name="author" content="Jane Roe, John Doe">', "Jane Roe; John Doe"),
    ('<meta name="author" content="By Jane Roe and John Doe">', "Jane Roe; John Doe"),
    ('<meta name="author" content="Jane Roe"><meta name="author" content="John Doe">', "Jane Roe; John Doe"),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", "author": '
     '[{"@type": "Person", "name": "Smith, John"}, {"@type": "Person", "name": "Ann One"}]}</script>', "Smith, John; Ann One"),
]


@pytest.mark.parametrize(("head", "authors"), AUTHORS, ids=[authors for _, authors in AUTHORS])
def test_an_author_written_last_first_or_with_a_suffix_is_one_person(head, authors):
    assert read(page(head=head)).metadata.authors == authors


MODIFIED_ONLY = [
    '<meta property="article:modified_time" content="2025-01-01T00:00:00Z">',
    '<meta property="og:updated_time" content="2025-01-01T00:00:00Z">',
    '<meta name="last-modified" content="2025-01-01">',
    '<meta http-equiv="last-modified" content="2025-01-01">',
    '<meta itemprop="dateModified" content="2025-01-01">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "dateModified": "2025-01-01"}</script>',
]


@pytest.mark.parametrize("head", MODIFIED_ONLY)
def test_a_modification_date_is_not_the_published_date(head):
    assert read(page(head=head)).metadata.published_on is None


def test_an_updated_time_in_the_page_is_not_the_published_date():
    body = '<p>Updated <time class="updated" datetime="2025-01-01">1 January 2025</time></p>'
    assert read(page(body=body)).metadata.published_on is None


def test_the_published_date_is_kept_beside_a_modification_date():
    head = meta_date("2020-01-01T00:00:00Z") + '<meta property="article:modified_time" content="2025-01-01T00:00:00Z">'
    assert str(read(page(head=head)).metadata.published_on) == "2020-01-01"


# (text standing between the paragraphs of an article's container, the lines a reader sees
# there): trafilatura dropped each of these before such text was made paragraphs.
LOOSE = [
    (
        "<p>The talks began.</p><div><p>In Baku.</p><pre><code>route = [Moscow]</code></pre>Then the vote.</div>",
        ["The talks began.", "In Baku.", "route = [Moscow]", "Then the vote."],
    ),
    (
        "<pre><code>route = [Moscow, Baku]</code></pre>The route was agreed in March.",
        ["route = [Moscow, Baku]", "The route was agreed in March."],
    ),
    (
        "<div><p>Its route:</p><pre><code>route = [Moscow]</code></pre><span>The route was agreed</span> in March.</div>",
        ["Its route:", "route = [Moscow]", "The route was agreed in March."],
    ),
    (
        "<section>The delegation <i>arrived</i> late.<p>The talks began at noon.</p>They ended at six.</section>",
        ["The delegation arrived late.", "The talks began at noon.", "They ended at six."],
    ),
]


@pytest.mark.parametrize(("written", "lines"), LOOSE, ids=[lines[-1] for _, lines in LOOSE])
def test_text_between_blocks_is_kept_on_lines_of_its_own(written, lines):
    text = read(page(body=written)).text
    assert "\n".join(lines) in text
    assert ARTICLE[0] in text and ARTICLE[1] in text



REPEATED = "<p>Moscow restated its position on the nuclear file at every meeting of the council that year.</p>"


@pytest.mark.parametrize("times", [2, 3, 5])
def test_a_paragraph_the_page_repeats_is_kept_each_time(times):
    text = read(page(body=REPEATED * times + "Then the vote.")).text
    said = REPEATED[3:-4]
    assert "\n".join([said] * times + ["Then the vote."]) in text
    assert text.count(said) == times
    assert not set(text) & {"\ufdd6", "\ufdd7"}


def test_a_paragraph_repeated_after_other_text_then_again_at_once_is_kept_each_time():
    """The second and third times are marked apart (1 and 10 in binary): alike, the third
    would go as a repeat of the second."""
    body = REPEATED + "<p>The vote was close.</p>" + REPEATED * 2 + "<p>Yes.</p><p>Yes.</p>"
    text = read(page(body=body)).text
    said = REPEATED[3:-4]
    assert f"{said}\nThe vote was close.\n{said}\n{said}\nYes.\nYes." in text


def test_code_in_a_line_has_its_white_space_collapsed_as_a_browser_shows_it():
    text = read(page(body="<p>Run <code>ls   -la\n    /srv</code> on the <code>host</code>, then stop.</p>")).text
    assert "Run ls -la /srv on the host, then stop." in text


def test_code_in_preformatted_text_keeps_its_white_space():
    text = read(page(body="<pre><code>route  = [\n    Moscow,\n    Baku]</code></pre>")).text
    assert "route  = [\n    Moscow,\n    Baku]" in text


def test_an_inline_quotation_stays_in_its_line():
    text = read(page(body="<p>The minister said <q>we will <b>never</b> agree</q> and then signed the treaty.</p>")).text
    assert f"{ARTICLE[0]}\nThe minister said we will never agree and then signed the treaty.\n{ARTICLE[1]}" in text


@pytest.mark.parametrize("style", ["display:block", "display: flex", "DISPLAY:list-item"])
def test_a_quotation_shown_as_a_block_by_its_style_is_a_line_of_its_own(style):
    text = read(page(body=f'<p>The minister said <q style="{style}">we will never agree</q> and then signed.</p>')).text
    assert "The minister said\nwe will never agree\nand then signed." in text


@pytest.mark.parametrize("style", ["display:inline-block", "color: red", "display: contents"])
def test_a_quotation_styled_otherwise_stays_in_its_line(style):
    text = read(page(body=f'<p>The minister said <q style="{style}">we will never agree</q> and then signed.</p>')).text
    assert "The minister said we will never agree and then signed." in text


def test_a_formula_is_its_shown_text_and_leaves_the_page_laid_out_in_lines():
    formula = "<math><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></math>"
    tex = "<math><semantics><mi>x</mi><annotation encoding='application/x-tex'>\\alpha</annotation></semantics></math>"
    text = read(page(body=f"<p>The formula {formula} is famous; so is {tex}.</p>")).text
    assert "\nThe formula E=mc2 is famous; so is x.\n" in text
    assert f"{ARTICLE[0]}\n" in text and "\\alpha" not in text


def test_a_drawings_labels_are_kept_its_title_is_not():
    drawing = "<svg><title>A hidden title</title><g><text>Oil 42%</text><text>Gas 58%</text></g></svg>"
    text = read(page(body=f"<p>The chart {drawing} shows the shares.</p><p>An icon <svg><rect/></svg> here.</p>")).text
    assert "The chart Oil 42% Gas 58% shows the shares.\nAn icon here." in text
    assert "hidden title" not in text


# (a list whose items hold blocks, the lines Chromium 156 copies of it when the article is
# selected, blank lines between paragraphs aside: a quote's blank lines are read as one break)
ITEMS_WITH_BLOCKS = [
    ("<ul><li>Item one<pre><code>x=1</code></pre>after in item</li><li>Item two</li></ul>", "Item one\nx=1\nafter in item\nItem two"),
    ("<ul><li><p>Para one of the item.</p><p>Para two of it.</p></li><li><p>Another item.</p></li></ul>",
     "Para one of the item.\nPara two of it.\nAnother item."),
    ("<ol><li>Step one<br>goes on here</li><li>Step two<div>a division in it</div></li></ol>",
     "Step one\ngoes on here\nStep two\na division in it"),
    ("<ul><li>Outer<ul><li>Inner one</li><li>Inner two</li></ul>outer after</li></ul>", "Outer\nInner one\nInner two\nouter after"),
]


@pytest.mark.parametrize(("written", "copied"), ITEMS_WITH_BLOCKS, ids=[copied.split("\n")[0] for _, copied in ITEMS_WITH_BLOCKS])
def test_the_blocks_in_a_lists_items_are_lines_of_their_own(written, copied):
    text = read(page(body=written)).text
    assert f"{ARTICLE[0]}\n{copied}\n{ARTICLE[1]}" in text
