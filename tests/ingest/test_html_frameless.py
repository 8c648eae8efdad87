"""An article that stands in no frame trafilatura knows (its paragraphs in ``<body>``, a bare
``<div>``, a ``<center>``, a ``<div id=page>``) keeps its headings and lists, a line each,
in their place, as the same article in an ``<article>`` does and as a browser shows it:
they had all been lost. A menu, a sidebar's list, a list of links and a heading over
nothing of the article are not taken in."""

from __future__ import annotations

import io
import os
import shutil
from html import escape

import pytest

from sources.ingest import extract
from tests.documents import seed_paragraphs

PROSE = seed_paragraphs(1, count=4)
FACTS = ["Six votes for sanctions between June 2006 and June 2010", "Two abstentions on the later drafts"]
STEPS = ["The draft is circulated", "The council votes"]


def _article() -> str:
    return (
        "<h1>Russia and the sanctions on Iran</h1>"
        f"<p>{escape(PROSE[0])}</p>"
        "<h2>The votes in the council</h2>"
        f"<p>{escape(PROSE[1])}</p>"
        "<ul>" + "".join(f"<li>{fact}</li>" for fact in FACTS) + "</ul>"
        f"<p>{escape(PROSE[2])}</p>"
        "<h3>How a resolution passes</h3>"
        "<ol>" + "".join(f"<li>{step}</li>" for step in STEPS) + "</ol>"
        f"<p>{escape(PROSE[3])}</p>"
    )


EXPECTED = [
    "Russia and the sanctions on Iran",
    PROSE[0],
    "The votes in the council",
    PROSE[1],
    *FACTS,
    PROSE[2],
    "How a resolution passes",
    *STEPS,
    PROSE[3],
]

MENU = '<nav><a href="/">Home</a> <a href="/news">News</a></nav>'
FRAMES = {
    "the body": ("", ""),
    "a bare division": ("<div>", "</div>"),
    "a division named page": ('<div id="page">', "</div>"),
    "a centre": ("<center>", "</center>"),
}


def _page(body: str) -> bytes:
    return f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title></head><body>{body}</body></html>'.encode()


def _lines(data: bytes) -> list[str]:
    return extract(io.BytesIO(data), declared_type="text/html").text.split("\n")


@pytest.mark.parametrize("frame", FRAMES, ids=list(FRAMES))
def test_an_article_in_no_frame_keeps_its_headings_and_lists_in_their_place(frame):
    opening, closing = FRAMES[frame]
    page = _page(f"{MENU}{opening}{_article()}{closing}<footer>Copyright 2024</footer>")
    assert _lines(page) == EXPECTED


def test_the_same_article_reads_the_same_in_an_article_element():
    assert _lines(_page(f"{MENU}<article>{_article()}</article>")) == EXPECTED


def test_a_menu_a_list_of_links_and_a_heading_over_nothing_of_the_article_are_not_taken():
    menu = '<ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/about">About us</a></li></ul>'
    related = (
        "<h3>Related articles</h3><ul>"
        '<li><a href="/a">Council votes again on the sanctions text</a></li>'
        '<li><a href="/b">What the resolution says about enrichment</a></li></ul>'
    )
    page = _page(f"{menu}{_article()}{related}")
    assert _lines(page) == EXPECTED


def test_a_sidebars_list_beside_no_paragraph_is_not_taken():
    sidebar = "<aside><h4>Most read</h4><ul><li>An item of the sidebar</li><li>Another</li></ul></aside>"
    lines = _lines(_page(f"<div>{_article()}</div>{sidebar}"))
    assert lines == EXPECTED


def test_a_list_whose_items_hold_paragraphs_has_its_paragraphs_read_a_line_each():
    item_paragraphs = [escape(paragraph) for paragraph in seed_paragraphs(2, count=2)]
    body = f"<p>{escape(PROSE[0])}</p><ul>" + "".join(f"<li><p>{paragraph}</p></li>" for paragraph in item_paragraphs) + f"</ul><p>{escape(PROSE[1])}</p>"
    lines = _lines(_page(body))
    assert lines == [PROSE[0], *seed_paragraphs(2, count=2), PROSE[1]]


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM) or shutil.which("chromium") is None, reason="needs Debian's Chromium at /usr/bin/chromium")
def test_an_article_in_the_body_reads_as_chromium_shows_it():
    from playwright.sync_api import sync_playwright

    page = _page(_article()).decode()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            tab = browser.new_page()
            tab.set_content(page)
            shown = [line.strip() for line in tab.evaluate("document.body.innerText").split("\n") if line.strip()]
        finally:
            browser.close()
    assert _lines(page.encode()) == shown


def test_a_list_with_a_list_inside_an_item_is_kept_an_item_a_line():
    nested = "<ul><li>Votes in the council<ul><li>June 2006</li><li>June 2010</li></ul></li><li>Abstentions</li></ul>"
    body = f"<p>{escape(PROSE[0])}</p>{nested}<p>{escape(PROSE[1])}</p>"
    assert _lines(_page(body)) == [PROSE[0], "Votes in the council", "June 2006", "June 2010", "Abstentions", PROSE[1]]


SHARE = '<h3>Share this:</h3><ul><li><a href="/print">Print</a></li><li><a href="/email">Email</a></li></ul>'
RELATED = (
    "<h4>Read also</h4><ul>"
    '<li><a href="/a">How the northern mill outlasted the great flood</a></li>'
    '<li><a href="/b">Why canal ferries vanished from the valley towns</a></li>'
    '<li><a href="/c">A short history of copper lanterns in Kent</a></li></ul>'
)


@pytest.mark.parametrize("boilerplate", [SHARE, RELATED, RELATED.replace("<h4>Read also</h4>", "")], ids=["share", "related", "related without a heading"])
def test_a_list_of_links_alone_and_its_heading_between_paragraphs_are_not_taken(boilerplate):
    # Headlines long enough for trafilatura's link density to let the list through, and a
    # paragraph after them: both had been taken.
    body = f"<h1>Russia and the sanctions on Iran</h1><p>{escape(PROSE[0])}</p>{boilerplate}<p>{escape(PROSE[1])}</p>"
    assert _lines(_page(body)) == ["Russia and the sanctions on Iran", PROSE[0], PROSE[1]]


def test_a_title_over_a_menu_is_kept_and_the_menu_is_not():
    menu = '<ul><li><a href="/news">News</a></li><li><a href="/about">About us</a></li></ul>'
    body = f"<h1>Russia and the sanctions on Iran</h1>{menu}<p>{escape(PROSE[0])}</p><p>{escape(PROSE[1])}</p>"
    assert _lines(_page(body)) == ["Russia and the sanctions on Iran", PROSE[0], PROSE[1]]


def test_a_list_of_facts_with_a_link_in_an_item_is_the_articles():
    facts = '<ul><li>Six votes, <a href="/un">as the council records them</a></li><li><a href="/b">Two abstentions</a> on later drafts</li></ul>'
    body = f"<p>{escape(PROSE[0])}</p><h2>The votes</h2>{facts}<p>{escape(PROSE[1])}</p>"
    assert _lines(_page(body)) == [PROSE[0], "The votes", "Six votes, as the council records them", "Two abstentions on later drafts", PROSE[1]]


def test_items_with_a_link_and_words_beside_it_or_a_list_inside_are_no_list_of_links_alone():
    from lxml import html as lxml_html

    from sources.ingest.html import _a_link_alone

    def item(markup: str):
        return lxml_html.fragment_fromstring(markup)

    assert _a_link_alone(item('<li><a href="/a">Council votes again</a></li>'))
    assert _a_link_alone(item('<li><a href="/a">Print</a> | <a href="/b">Email</a></li>'))
    assert not _a_link_alone(item('<li><a href="/a">Next message</a>: Patch for parser</li>'))
    assert not _a_link_alone(item('<li><a href="/a">Votes</a><ul><li><a href="/b">2006</a></li></ul></li>'))
    assert not _a_link_alone(item('<li><a name="s2">An anchor, no address</a></li>'))
