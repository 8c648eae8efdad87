"""A page whose content stands in its ``<body>`` itself, or in a division no name marks as
an article's, is read whole: its headings, its list items and the text loose between its
blocks in their places, as a browser shows them (``sources.ingest.html._frame_content_read_whole``).
Trafilatura's fallback gathered such a page's paragraphs one by one and left the rest out.
The page's navigation, footer, cookie banner and copyright line stay out, and a page is
read so only where that reading reads all that the page's reading reads, in its order."""

from __future__ import annotations

import io

import pytest

from sources.ingest import extract, html

LECTURER = "I am a lecturer in economic history at the University of Northshire, where I work on the grain trade of the eighteenth century and its prices."
PROJECT = "My current project follows the accounts of three millers over forty years, using ledgers kept in the county archive."
TEACHING = "I teach the second-year course on the economic history of Britain and supervise dissertations on trade and agriculture."
RESEARCH = ["Grain prices in Northshire markets, 1720 to 1790", "The canal companies and their shareholders", "Famine relief in the parishes of the county"]

PERSONAL_PAGE = f"""<html><head><title>Jane Roe</title></head>
<body>
<h1>Jane Roe</h1>
<p>{LECTURER}</p>
<h2>Research</h2>
<ul>{"".join(f"<li>{item}</li>" for item in RESEARCH)}</ul>
<p>{PROJECT}</p>
<h2>Teaching</h2>
<p>{TEACHING}</p>
</body></html>"""

REPORT_PAGE = """<!DOCTYPE html>
<html><head><title>Annual report 2003 - Northshire Water Board</title></head>
<body bgcolor="#ffffff">
<table width="100%"><tr><td><img src="logo.gif" alt=""> <b>Northshire Water Board</b></td></tr></table>
<p><a href="/">Home</a> | <a href="/reports/">Reports</a> | <a href="/contact.html">Contact</a></p>
<hr>
<h1>Annual report 2003</h1>
<p>The Board supplied 412 million litres of water a day in 2003, four per cent more than in 2002, from its three reservoirs and eleven boreholes.</p>
<h2>1. Supply</h2>
<p>Demand peaked in August, when the Board asked households to use hoses only in the evening for twelve days.</p>
<ul>
<li>Average daily supply: 412 million litres</li>
<li>Peak daily supply: 498 million litres on 9 August</li>
</ul>
<h2>2. Finances</h2>
<p>Income rose to 88.4 million pounds, and the Board invested 31 million pounds in mains renewal across the county.</p>
<ol><li>Mains renewed: 142 kilometres</li><li>Meters fitted: 9,300 homes</li></ol>
<h2>3. Outlook</h2>
<p>The Board expects demand to keep growing by two per cent a year, and plans a fourth reservoir for 2010.</p>
</body></html>"""

FIELD_NOTES = """<!DOCTYPE html>
<html lang="en"><head><title>Field notes: the salt marsh survey</title></head>
<body>
<div class="cookie-notice">This site uses cookies to remember your preferences. <a href="/cookies">Learn more</a></div>
<div id="header"><a href="/">Tom Hale's field notes</a></div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/notes">Notes</a></li><li><a href="/about">About</a></li></ul></nav>
<h1>The salt marsh survey, spring 2021</h1>
<p>We walked the eastern marsh on five mornings in April, counting nesting redshank along fixed transects laid out by the trust in 1998.</p>
<h2>What we counted</h2>
<ul>
<li>Redshank: 41 pairs, against 56 in 2015</li>
<li>Lapwing: 12 pairs, the same as in 2015</li>
</ul>
<p>The fall in redshank is steepest on the transects nearest the sea wall, where the tides now reach further into the marsh than they did.</p>
<h2>Method</h2>
<p>Each transect was walked at the same pace by two counters, who compared their tallies at the end of each section.</p>
<h3>Caveats</h3>
<ol><li>Two mornings were windy, which lowers counts of birds on the ground.</li><li>One counter changed between 2015 and 2021.</li></ol>
<div id="footer"><ul><li><a href="/privacy">Privacy</a></li><li><a href="/contact">Contact</a></li></ul><p>&copy; 2021 Tom Hale</p></div>
Last updated 2 May 2021.
</body></html>"""

ACADEMIC_PAGE = """<html><head><title>Prof. Ana Lima</title><meta charset="utf-8"></head>
<body>
<div id="cookie-banner">We use cookies to count visits. <a href="/privacy">Privacy policy</a> <button>Accept</button></div>
<nav><a href="/">Home</a> <a href="/papers">Papers</a> <a href="/cv">CV</a></nav>
<div>
<h1>Ana Lima</h1>
Professor of Hydrology, Department of Earth Sciences
<p>My group studies how rivers respond to droughts, using long records of flow and new measurements from small catchments in the south of the country.</p>
<h2>Selected papers</h2>
<ul>
<li>Lima, A. and Costa, R. (2019). Drought recovery in small catchments. Journal of Hydrology 571, 12-25.</li>
<li>Lima, A. (2016). Low flows and groundwater in the Tagus basin. Water Resources Research 52, 4410-4427.</li>
</ul>
<h2>Students</h2>
<p>I am looking for doctoral students interested in field hydrology; funding is available from 2025.</p>
Office hours: Tuesdays 14:00 to 16:00, room 3.12.
<p>Write to me at the department's address if you would like to visit the field sites.</p>
</div>
<footer><p>Last updated 3 March 2024. &copy; Ana Lima.</p></footer>
</body></html>"""


def lines_of(page: str) -> list[str]:
    text = extract(io.BytesIO(page.encode()), declared_type="text/html").text
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_a_personal_page_in_its_body_keeps_its_headings_and_list_items_in_order():
    assert lines_of(PERSONAL_PAGE) == ["Jane Roe", LECTURER, "Research", *RESEARCH, PROJECT, "Teaching", TEACHING]


def test_a_report_page_in_its_body_keeps_its_numbered_sections_and_both_kinds_of_list():
    lines = lines_of(REPORT_PAGE)
    expected = [
        "Annual report 2003", "1. Supply", "Average daily supply: 412 million litres", "Peak daily supply: 498 million litres on 9 August",
        "2. Finances", "Mains renewed: 142 kilometres", "Meters fitted: 9,300 homes", "3. Outlook",
    ]
    assert [line for line in lines if line in expected] == expected
    assert not any("Home" in line or "Contact" in line for line in lines)


def test_a_body_with_a_banner_a_menu_and_a_footer_keeps_its_content_and_leaves_them_out():
    lines = lines_of(FIELD_NOTES)
    assert lines == [
        "The salt marsh survey, spring 2021",
        "We walked the eastern marsh on five mornings in April, counting nesting redshank along fixed transects laid out by the trust in 1998.",
        "What we counted",
        "Redshank: 41 pairs, against 56 in 2015",
        "Lapwing: 12 pairs, the same as in 2015",
        "The fall in redshank is steepest on the transects nearest the sea wall, where the tides now reach further into the marsh than they did.",
        "Method",
        "Each transect was walked at the same pace by two counters, who compared their tallies at the end of each section.",
        "Caveats",
        "Two mornings were windy, which lowers counts of birds on the ground.",
        "One counter changed between 2015 and 2021.",
    ]


def test_a_bare_division_keeps_its_headings_lists_and_loose_lines_without_the_banner_menu_or_footer():
    lines = lines_of(ACADEMIC_PAGE)
    assert lines == [
        "Ana Lima",
        "Professor of Hydrology, Department of Earth Sciences",
        "My group studies how rivers respond to droughts, using long records of flow and new measurements from small catchments in the south of the country.",
        "Selected papers",
        "Lima, A. and Costa, R. (2019). Drought recovery in small catchments. Journal of Hydrology 571, 12-25.",
        "Lima, A. (2016). Low flows and groundwater in the Tagus basin. Water Resources Research 52, 4410-4427.",
        "Students",
        "I am looking for doctoral students interested in field hydrology; funding is available from 2025.",
        "Office hours: Tuesdays 14:00 to 16:00, room 3.12.",
        "Write to me at the department's address if you would like to visit the field sites.",
    ]


@pytest.mark.parametrize(
    "other, expected",
    [
        # Headings and items of the frame before and after, loose text between: all kept.
        ("Title\nA.\nLoose between.\nB.\nA list item", "Title\nA.\nLoose between.\nB.\nA list item"),
        # A site's name before is not the frame's, nor an ad's label between; loose text
        # after the last line is a footer's, and ends what is kept.
        ("Site name\nTitle\nA.\nAdvertisement\nB.\nLast updated 2021\nA list item", "Title\nA.\nB."),
        ("Loose between.\nA.\nB.", "A.\nB."),
        # Two lines of the page's reading as one: the same text.
        ("A. B.", "A. B."),
    ],
)
def test_the_reading_whole_keeps_the_frames_lines_of_its_own_in_their_places(other, expected):
    assert html._read_whole_within(other, "A.\nB.", {"Title", "A list item"}, {"Loose between.", "Last updated 2021"}) == expected


@pytest.mark.parametrize(
    "other",
    [
        "Title\nA.",  # a line of the page's reading lost
        "B.\nA.",  # in another order
        "A. B. and more\nC.",  # a line holding the page's and more
    ],
)
def test_the_reading_whole_is_refused_where_it_does_not_read_all_the_page_reads_in_order(other):
    assert html._read_whole_within(other, "A.\nB.", {"Title"}, set()) is None


def test_a_page_whose_reading_loses_text_in_an_article_keeps_its_own_reading(monkeypatch):
    """Where the reading in an ``<article>`` leaves out a line the page's reading has, the
    page's reading stands, headings lost with it (as before), no line lost."""
    main_text = html._main_text

    def losing_a_paragraph(content, tree, url):
        in_an_article = tree is not None and next(tree.iter("article"), None) is not None
        document, text = main_text(content, tree, url)
        return document, text.replace(PROJECT, "") if in_an_article else text

    monkeypatch.setattr(html, "_main_text", losing_a_paragraph)
    assert lines_of(PERSONAL_PAGE) == [LECTURER, PROJECT, TEACHING]


def test_a_page_with_an_article_or_with_nothing_left_out_is_read_once(monkeypatch):
    """The second reading costs a copy of the page's tree and its extraction again: it is
    made only where the content stands outside any container trafilatura takes, and a
    heading or an item of it is missing from the page's reading."""
    calls = []
    main_text = html._main_text

    def counted(content, tree, url):
        calls.append(1)
        return main_text(content, tree, url)

    monkeypatch.setattr(html, "_main_text", counted)
    in_an_article = PERSONAL_PAGE.replace("<body>", "<body><article>").replace("</body>", "</article></body>")
    assert "Research" in lines_of(in_an_article)
    assert len(calls) == 1
    calls.clear()
    in_a_cell = f"<html><body><table><tr><td><h2>Minutes</h2><p>{LECTURER}</p><ul><li>{RESEARCH[0]}</li></ul><p>{PROJECT}</p></td></tr></table></body></html>"
    assert RESEARCH[0] in lines_of(in_a_cell)
    assert len(calls) == 1
    calls.clear()
    lines_of(PERSONAL_PAGE)
    assert len(calls) == 2


def test_a_1998_chain_in_its_body_keeps_its_headings_and_lists_in_order():
    """HTML5 reads a chain of ``<font face=Arial><p>`` (600 paragraphs: too deep for
    libxml2's tree) into fonts opened again before each paragraph: the headings and lists
    beside them are still the body's, read whole there as in the page written cleanly."""
    from tests.ingest.legacy_pages import OPENERS, article_1998, sentence

    lines = lines_of(article_1998(600, opener=OPENERS["font-p"]))
    wanted = ["Council minutes", sentence(10), "Term 10", "Meaning of term 10", sentence(20), "Motion 20 first reading", "Motion 20 second reading", sentence(49), "Part 1 of the minutes", sentence(50)]
    assert [line for line in lines if line in wanted] == wanted
    assert not any("Copyright 1998" in line or "Contact the editors" in line for line in lines)


def test_a_page_of_more_than_half_the_elements_allowed_is_read_once(monkeypatch):
    """Reading a page twice costs twice its time: a page of more elements than
    ``FRAME_READ_WHOLE_ELEMENTS`` is read once, so that no page costs more than one of the
    largest read (``MAX_HTML_ELEMENTS``)."""
    monkeypatch.setattr(html, "FRAME_READ_WHOLE_ELEMENTS", 10)
    assert "Research" not in lines_of(PERSONAL_PAGE)


def test_paragraphs_indented_in_a_blockquote_keep_the_heading_above_them():
    """A 1998 page indents its text in a ``<blockquote>`` (of centred paragraphs here)
    under a heading in its body: the heading is the body's, read above them."""
    page = (
        "<html><head><title>Issue 21</title></head><body bgcolor=white><h1>Minutes of issue 21</h1><blockquote>"
        + "".join(f"<center><p>{line}\n" for line in (LECTURER, PROJECT, TEACHING))
        + "</body></html>"
    )
    assert lines_of(page) == ["Minutes of issue 21", LECTURER, PROJECT, TEACHING]


def test_a_second_reading_that_fails_leaves_the_page_read_as_before(monkeypatch):
    main_text = html._main_text

    def failing_in_an_article(content, tree, url):
        if tree is not None and next(tree.iter("article"), None) is not None:
            raise ValueError("trafilatura choked")
        return main_text(content, tree, url)

    monkeypatch.setattr(html, "_main_text", failing_in_an_article)
    assert lines_of(PERSONAL_PAGE) == [LECTURER, PROJECT, TEACHING]
