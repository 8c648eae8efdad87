"""Legacy pages libxml2 nests too deep (``<font face=Arial><p>`` before each paragraph,
neither closed) are read as a browser reads them, HTML5's tree laid side by side; shorter
chains, which libxml2 reads as one line, so too where libxml2's tree mended, or else
HTML5's, reads all of libxml2's reading; a page read before is read as it was (but for the chains so read, recorded
again: ``pages_read_before.py``), and the HTML5 reading is refused, in bounded time,
where its own tree is too deep or too large."""

from __future__ import annotations

import io
import json
import resource
import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sources.ingest import ExtractionError, extract
from sources.ingest import html5
from tests.ingest.legacy_pages import OPENERS, article_1998, article_lines, sentence

CHROMIUM = Path("/usr/bin/chromium")


def processor_seconds() -> float:
    """Processor time of this process and of the children it has waited for (the HTML5
    reading's): what a page costs, whatever else the machine runs meanwhile."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def read(page: str):
    return extract(io.BytesIO(page.encode()), declared_type="text/html")


def page_of(body: str) -> str:
    return f"<html><head><title>Minutes</title></head><body>{body}</body></html>"


def written_cleanly(count: int) -> str:
    """``article_1998`` as its author meant it: each paragraph closed, no font."""
    return article_1998(count, opener="<p>", closer="</p>")


def test_the_child_reads_as_deep_as_libxml2():
    """The child imports nothing of the project (it starts in a twentieth of a second), so
    it keeps its own copy of the depth libxml2 reads and of the elements allowed."""
    from sources.ingest import html, html5_child

    assert html5_child.PARSED_DEPTH == html.PARSED_DEPTH
    assert html5_child.MAX_EVENT_ELEMENTS == 4 * html.MAX_HTML_ELEMENTS


def in_order(found: list[str], wanted: list[str]) -> bool:
    """Whether each of ``wanted`` is in a line of ``found``, in that order."""
    position = 0
    for line in wanted:
        while position < len(found) and line not in found[position]:
            position += 1
        if position == len(found):
            return False
    return True


def sentence_numbers(text: str) -> list[int]:
    return [number for line in text.splitlines() for number in range(600) if line.startswith(sentence(number))]


@pytest.mark.parametrize("order", OPENERS)
def test_a_1998_article_of_600_chained_paragraphs_is_read_a_line_a_paragraph_in_order(order):
    text = read(article_1998(opener=OPENERS[order])).text
    lines = text.splitlines()
    for number in range(600):
        assert text.count(sentence(number)) == 1, number
    assert [line for line in lines if line.startswith("In the minutes of meeting")] == [sentence(number) for number in range(600)]
    assert "Copyright 1998" not in text and "Contact the editors" not in text


@pytest.mark.parametrize("order", OPENERS)
def test_the_blocks_between_chained_paragraphs_are_read_as_the_page_written_cleanly_is(order):
    # Headings, lists of unclosed <li>, tables of unclosed <td>, definitions of unclosed
    # <dd>, quotations and pictures between the paragraphs: what trafilatura keeps of the
    # page written cleanly is kept of the legacy one, in its place and on its own lines.
    legacy = read(article_1998(opener=OPENERS[order])).text.splitlines()
    assert legacy == read(written_cleanly(600)).text.splitlines()
    assert in_order(legacy, ["Quoted remark 15 from the floor.", sentence(30), "Votes for 30\tVotes against 30", sentence(31)])


@pytest.mark.parametrize("unclosed", ["<ul><li>Item one<li>Item two", "<table><tr><td>Cell one<td>Cell two", "<dl><dt>Term<dd>Meaning"])
def test_an_unclosed_item_inside_an_open_paragraph_does_not_run_the_rest_into_its_line(unclosed):
    chain = [f"<font face=Arial><p>{sentence(number)}" for number in range(400)]
    chain[200] = f"<font face=Arial><p>{sentence(200)} {unclosed}"
    text = read(page_of("".join(chain))).text
    assert sentence_numbers(text) == list(range(400))


def test_a_division_in_a_span_in_a_chained_paragraph_is_kept():
    chain = [f"<font face=Arial><p>{sentence(number)}" for number in range(300)]
    chain[150] = "<p>Before the division<span><div>Inside the division, which a browser shows.</div></span></p>"
    text = read(page_of("".join(chain))).text
    assert "Inside the division, which a browser shows." in text and sentence_numbers(text) == [n for n in range(300) if n != 150]


def test_the_html5_reading_keeps_the_metadata_of_the_page():
    legacy, clean = (read(page.replace('lang="en"', 'lang="fr"')) for page in (article_1998(300), written_cleanly(300)))
    assert legacy.metadata == clean.metadata and legacy.metadata.language == "fr"


def chained_cost(count: int) -> float:
    """Processor seconds to read ``count`` chained paragraphs, each checked read as a line."""
    body = "".join(f"<font face=Arial><p>{sentence(number)} Number {number} of {count}." for number in range(count))
    started = processor_seconds()
    text = read(page_of(body)).text
    cost = processor_seconds() - started
    assert len(text.splitlines()) == count
    return cost


def test_chained_paragraphs_cost_in_proportion_to_their_number():
    """Four times the paragraphs cost at most eight times as much (2.4x measured: reading
    a chain is linear; a quadratic step would cost 16x). Compared side by side, a busy
    machine slows both; the time itself is ``bench/html_chains.py``'s to measure (2.0 s
    for 8,000 paragraphs, 1.9 s for the 2 MB page of 15,000)."""
    assert chained_cost(8000) < 8 * chained_cost(2000)


def test_a_2_mb_page_of_chained_paragraphs_is_read_a_line_a_paragraph():
    paragraphs, size, number = [], 0, 0
    while size < 2 * 2**20:
        paragraph = f"<font face=Arial><p>{sentence(number)} It was minuted by clerk {number}, and read again at the following sitting without change."
        paragraphs.append(paragraph)
        size, number = size + len(paragraph), number + 1
    lines = read(page_of("".join(paragraphs))).text.splitlines()
    assert len(lines) == number and all(f"clerk {index}," in line for index, line in enumerate(lines))


def test_three_chained_paragraphs_then_2_mb_of_closed_ones_are_read_in_seconds():
    """libxml2 puts the closed paragraphs inside the last chained one, and trafilatura
    joined the text of each to that one's through lxml, one at a time: 29 s for 15,000
    (2.35 s, the texts joined once: ``html._handle_paragraphs_joined_once``)."""
    chain = "".join(f"<font face=Arial><p>{sentence(number)}\n" for number in range(3))
    rest = "".join(f"<p>{sentence(number)} It was minuted by clerk {number}, and read again at the following sitting without change.</p>" for number in range(3, 15_000))
    started = processor_seconds()
    lines = read(page_of(chain + rest)).text.splitlines()
    assert processor_seconds() - started < 10
    assert len(lines) == 15_000 and all(line.startswith(sentence(number)) for number, line in enumerate(lines))


def refused(page: str) -> tuple[ExtractionError, float]:
    started = time.perf_counter()
    with pytest.raises(ExtractionError) as caught:
        read(page)
    return caught.value, time.perf_counter() - started


CHAIN = "".join(f"<font face=Arial><p>{sentence(number)}" for number in range(300))


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("10,000 nested divisions", "<div>" * 10_000 + "deep" + "</div>" * 10_000, "2,048 deep or more"),
        ("divisions nested after a chain", CHAIN + "<div>" * 5_000 + "deep", "deep"),
        ("an element flood after a chain", CHAIN + "<br>" * 50_000, "elements"),
        ("formatting reopened in each of 30,000 paragraphs", CHAIN + "<p>" + "".join(f"<font c={n}>" for n in range(300)) + "<p>x" * 30_000, "browser"),
    ],
)
def test_an_html5_tree_too_deep_or_too_large_is_refused_in_bounded_time(name, body, says):
    error, seconds = refused(page_of(body))
    assert error.code == "too_complex" and says in error.message
    assert seconds < 1 + html5.seconds_allowed(len(body)) + 3  # the child's time, and libxml2's, on a loaded machine


def test_an_attribute_bomb_in_a_chained_page_is_refused_before_parsing():
    error, _ = refused(page_of(CHAIN + "<p " + " ".join(f"a{n}=1" for n in range(2_000)) + ">x"))
    assert error.code == "unreadable_html"


@pytest.mark.parametrize(
    "tail",
    ["<!--" + "never closed " * 1000, "<" * 400_000, "<font face=Arial<p" * 20_000, "<a href='" + "x" * 400_000],
    ids=["unclosed comment", "< storm", "tags without ends", "unended attribute"],
)
def test_a_hostile_tail_after_a_chain_is_read_or_refused_in_bounded_time(tail):
    started = time.perf_counter()
    try:
        text = read(page_of(CHAIN + tail)).text
        assert sentence_numbers(text)[:300] == list(range(300))
    except ExtractionError as error:
        assert error.code == "too_complex"
    assert time.perf_counter() - started < 1 + html5.seconds_allowed(len(CHAIN + tail)) + 3


def test_reopened_formatting_is_folded_without_changing_the_text():
    from lxml import etree
    from lxml.html import fromstring

    tree = fromstring(
        '<html><body><p><font face="Arial"><font face="Arial">C<font face="Arial"></font></font></font> tail</p>'
        '<p><b><b>x</b>y</b><i></i>z</p></body></html>'
    )
    before = "".join(tree.itertext())
    html5.formatting_reopened_folded(tree)
    assert "".join(tree.itertext()) == before
    first, second = tree.iter("p")
    assert etree.tostring(first, encoding=str) == '<p><font face="Arial">C</font> tail</p>'
    assert etree.tostring(second, encoding=str) == "<p><b><b>x</b>y</b>z</p>"  # text beside the inner one: kept


def test_chromium_reads_the_same_sentences_in_the_same_order():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    for opener in OPENERS.values():
        page = article_1998(opener=opener)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True)
            try:
                tab = browser.new_page()
                tab.set_content(page)
                shown = tab.evaluate("document.body.innerText")
            finally:
                browser.close()
        extracted = read(page).text
        assert sentence_numbers(shown) == sentence_numbers(extracted) == list(range(600))
        kept = [line for line in article_lines() if line in extracted]
        assert in_order([line.strip() for line in shown.splitlines()], kept)


def test_every_page_read_before_the_html5_reading_is_read_byte_for_byte_as_then():
    """As recorded (``pages_read_before.py``): at c335121, but for the 14 chains of
    paragraphs libxml2 nests, read since a line a paragraph, and a division in a span in a
    paragraph (``<p>P<span><div>Q</div></span></p>``), read since as two lines, "P" and
    "Q", as a browser ends the paragraph at the division, where "PQ" was read; and for the
    lists of a page of paragraphs in ``<body>`` (``unclosed items in a paragraph``), read
    since, an item a line, where they had been lost."""
    from tests.ingest.pages_read_before import RECORD, digest, pages

    before = json.loads(RECORD.read_text())
    made = pages()
    assert sorted(made) == sorted(before)
    changed = [name for name, page in made.items() if digest(page.encode()) != before[name]]
    assert changed == []


# ---------------------------------------------------------------------------------------------
# Found by testing the HTML5 reading: amplified attributes, threads, markup browsers do not
# show, bylines and metadata of long chains.


def test_a_formatting_element_whose_attributes_would_be_copied_into_every_paragraph_is_refused():
    """HTML5 opens a ``<font>`` left open again in each paragraph, attributes and all: one
    of 15 KB before 9,000 paragraphs (a page of 336 KB) had the child send 136 MB and the
    server hold 811 MB to build its tree. The attributes sent are bounded by the page."""
    face = "Arial," * 2_500
    chain = "".join(f"<font face=Arial><p>{sentence(number)}\n" for number in range(200))
    body = chain + f'<font face="{face}">' + "".join(f"<p>Paragraph {number} of the minutes.\n" for number in range(9_000))
    began = processor_seconds()
    with pytest.raises(ExtractionError) as refused:
        read(page_of(body))
    assert refused.value.code == "too_complex" and "attributes" in refused.value.message
    assert processor_seconds() - began < 5


def test_the_tree_is_built_with_a_parser_of_its_own_not_the_one_threads_share(monkeypatch):
    """lxml's parsers are not to be shared between threads: a server's threads building
    trees at once with the module's one had a worker killed by SIGSEGV."""
    import lxml.html

    def shared(*args, **kwargs):
        raise AssertionError("the module's parser was used")

    monkeypatch.setattr(lxml.html.html_parser, "makeelement", shared, raising=False)
    text = read(page_of("".join(f"<font face=Arial><p>{sentence(number)}" for number in range(300)))).text
    assert sentence_numbers(text) == list(range(300))


@pytest.mark.parametrize("element", ["noframes", "noembed", "noscript"])
@pytest.mark.parametrize("where", ["before the chain", "within the article"])
def test_what_a_browser_does_not_show_is_not_read_as_text_markup_and_all(element, where):
    """HTML5 reads ``<noframes>`` and ``<noembed>`` as text, their markup in it: "<p>This
    page is best viewed with frames..." had become a paragraph of the article; and
    ``<noscript>`` in an article (which libxml2's reading leaves out) had been kept."""
    unshown = f"<{element}><p>This page is best viewed with <b>frames</b>.</p></{element}>"
    paragraphs = [f"<font face=Arial><p>{sentence(number)}" for number in range(300)]
    body = unshown + "".join(paragraphs) if where == "before the chain" else (
        "<article>" + "".join(paragraphs[:150]) + unshown + "".join(paragraphs[150:]) + "</article>"
    )
    text = read(page_of(body)).text
    assert "best viewed" not in text and "<p>" not in text
    assert sentence_numbers(text) == list(range(300))


def test_the_byline_after_a_chain_is_kept_as_on_the_page_written_cleanly():
    """HTML5 puts the chain's ``<font>`` inside the byline too, and a byline holding one
    was not taken for a byline: "By Robert Reporter" was lost."""
    byline = '<p class="byline">By <span class="author">Robert Reporter</span></p>'
    chained = page_of("".join(f"<font face=Arial><p>{sentence(number)}\n" for number in range(300)) + byline)
    clean = page_of("".join(f"<p>{sentence(number)}</p>\n" for number in range(300)) + byline)
    assert "By Robert Reporter" in read(clean).text
    assert "By Robert Reporter" in read(chained).text


def test_metadata_written_past_libxml2s_depth_is_read_as_on_the_page_written_cleanly():
    """Past some 1,000 chained paragraphs libxml2 stops reading (2,048 levels): a date
    written after them was lost, where the page written cleanly gives it."""
    late = '<meta name="date" content="1998-04-01">'
    chained = page_of("".join(f"<font face=Arial><p>{sentence(number)}\n" for number in range(1_100)) + late)
    clean = page_of("".join(f"<p>{sentence(number)}</p>\n" for number in range(1_100)) + late)
    assert str(read(chained).metadata.published_on) == "1998-04-01"
    assert read(chained).metadata == read(clean).metadata


@pytest.mark.parametrize("link", ['<a href="/report.html">', '<a name="part2">'])
def test_a_link_left_open_before_chained_paragraphs_does_not_make_them_links(link):
    """HTML5 opens a link left open again in each paragraph that follows, wrapping the
    whole of it: the paragraphs became link text, and were dropped as a list of links."""
    chain = "".join(f"<font face=Arial><p>{sentence(number)}\n" for number in range(150))
    opened = f"<div id=content><p>See {link}the report" + "".join(f"<p>{sentence(number)}</p>" for number in range(150, 200)) + "</div>"
    text = read(page_of(chain + opened)).text
    assert sentence_numbers(text) == list(range(200))


# ---------------------------------------------------------------------------------------------
# Chains short enough for libxml2 (``html._chained_paragraphs_side_by_side``): it nests each
# paragraph in the last, and trafilatura read them all as one line.

# (libxml2 closes a ``<b>``, an ``<i>`` or a ``<center>`` left open at the next paragraph:
# such chains were read a line a paragraph already.)
SHORT_OPENERS = ["<font face=Arial><p>", "<p><font face=Arial>", "<font size=2><i><p>", "<span class=body><p>", "<font color=navy><b><p>"]


@pytest.mark.parametrize("opener", SHORT_OPENERS)
@pytest.mark.parametrize("count", [5, 40, 120])
def test_a_short_chain_libxml2_reads_is_read_a_line_a_paragraph(opener, count):
    text = read(page_of("".join(f"{opener}{sentence(number)}\n" for number in range(count)))).text
    assert text.splitlines() == [sentence(number) for number in range(count)]


def test_a_short_chain_in_a_table_cell_is_read_a_line_a_paragraph():
    chain = "".join(f"<font face=Arial><p>{sentence(number)}" for number in range(30))
    text = read(page_of(f"<table width=600><tr><td>{chain}</table>")).text
    assert sentence_numbers(text) == list(range(30)) and len(text.splitlines()) == 30


def test_a_short_chain_without_white_space_between_paragraphs_has_them_apart():
    # libxml2's one line glued them: "...after 2 hours.In the minutes of meeting 1..."
    text = read(page_of("".join(f"<font face=Arial><p>{sentence(number)}" for number in range(20)))).text
    assert text.splitlines() == [sentence(number) for number in range(20)]


def test_a_short_chain_whose_html5_reading_is_refused_is_read_as_libxml2_reads_it(monkeypatch):
    """The HTML5 reading of a page libxml2 reads whole is a second opinion: refused (the
    child's limits), the page is still read, as before, not refused."""

    def refused(*args, **kwargs):
        raise ExtractionError("The child ran out of time.", code="too_complex")

    monkeypatch.setattr(html5, "_child_answer", refused)
    text = read(page_of("".join(f"<font face=Arial><p>{sentence(number)}\n" for number in range(40)))).text
    assert text.split() == " ".join(sentence(number) for number in range(40)).split()


def test_a_short_chain_whose_mended_reading_fails_is_read_as_html5_builds_it(monkeypatch):
    """The mended reading of a chain is a second opinion, as HTML5's is: an error of the
    parser's or trafilatura's in it leaves the page read (here as HTML5 builds it), not refused."""
    from sources.ingest import html

    def failing(tree):
        raise AssertionError("an error inside lxml")

    monkeypatch.setattr(html, "_mended", failing)
    text = read(page_of("".join(f"<font face=Arial><p>{sentence(number)}\n" for number in range(40)))).text
    assert text.splitlines() == [sentence(number) for number in range(40)]


def test_a_page_without_a_paragraph_in_a_paragraph_is_not_read_again_as_html5_builds_it(monkeypatch):
    """Ordinary pages pay nothing for the HTML5 reading: no child is started."""
    from tests.documents import news_pages

    def started(*args, **kwargs):
        raise AssertionError("the HTML5 reading was asked for")

    monkeypatch.setattr(html5, "_child_answer", started)
    for page in news_pages():
        assert read(page.html).text
    assert read(written_cleanly(100)).text


@pytest.mark.parametrize("opener", ["<font face=Arial><p>", "<span><p>"])
def test_the_footer_after_a_short_chain_is_left_out_as_on_the_page_written_cleanly(opener):
    """HTML5's reading takes the footer after the chain for the article's (a line of its
    own after all that libxml2's reading read): that reading is not taken, and the footer is
    left out, as it is of the page written cleanly."""
    footer = "<div class=footer>Copyright 1998 The Valley Gazette | <a href=/privacy>Privacy</a> | <a href=/terms>Terms</a></div>"
    chained = read(page_of("".join(f"{opener}{sentence(number)} " for number in range(2)) + footer)).text
    cleanly = read(page_of("".join(f"<p>{sentence(number)}</p>" for number in range(2)) + footer)).text
    assert "Copyright" not in cleanly and "Copyright" not in chained
    assert all(chained.count(sentence(number)) == 1 for number in range(2))


@pytest.mark.parametrize("left_open", ["<span>", "<em>", "<code>", "<font face=Arial>"])
def test_one_element_left_open_in_an_ordinary_page_does_not_have_it_read_again(left_open, monkeypatch):
    """One element left open before the next paragraph puts that paragraph inside the one
    before, two deep: the page is not read a second time, mended or as HTML5 builds it (a
    large page would pay its time twice for one line break); a chain three deep is."""
    from sources.ingest import html

    asked, read_again = [], []
    original, side_by_side = html5._child_answer, html._chained_paragraphs_side_by_side

    def counted(*args, **kwargs):
        asked.append(1)
        return original(*args, **kwargs)

    def counted_again(*args, **kwargs):
        read_again.append(1)
        return side_by_side(*args, **kwargs)

    monkeypatch.setattr(html5, "_child_answer", counted)
    monkeypatch.setattr(html, "_chained_paragraphs_side_by_side", counted_again)
    rest = "".join(f"<p>{sentence(number)}</p>" for number in range(2, 60))
    text = read(page_of(f"<p>{sentence(0)} {left_open}left open<p>{sentence(1)}</p>{rest}")).text
    assert text.splitlines() == [f"{sentence(0)} left open", *(sentence(number) for number in range(1, 60))]
    assert asked == [] and read_again == []
    read(page_of("".join(f"<font face=Arial><p>{sentence(number)}" for number in range(3))))
    assert read_again == [1]


@pytest.mark.parametrize("left_open", ["<span>", "<em>", '<a href="/notes.html">', "<a name=note>", "<font size=2>", "<small>", "<code>", "<sup>"])
def test_one_element_left_open_among_paragraphs_never_closed_ends_at_the_next_paragraph(left_open):
    """libxml2 puts every paragraph after one element left open inside it, and inside the
    paragraph it was opened in (``<p>A <span>aside<p>B<p>C``): the article was read as one
    line. HTML5 ends the paragraph, and what is open in it, at the next one, and so does
    the reader: a line a paragraph, as Chromium shows them, the aside in its own."""
    body = "".join(f"<p>{sentence(number)}" + (f" {left_open}an aside" if number == 2 else "") + "\n" for number in range(12))
    assert read(page_of(body)).text.splitlines() == [
        f"{sentence(number)} an aside" if number == 2 else sentence(number) for number in range(12)
    ]


def test_what_follows_a_paragraph_lifted_out_of_another_keeps_its_place():
    """Text after a paragraph libxml2 nested, still inside the element left open, and the
    text after that element, come after the paragraph, in the order written; formatting
    closed after later paragraphs ends in the paragraph it is closed in, as a browser
    shows it."""
    text = read(page_of(f"<p>{sentence(0)} <span>an aside<p>{sentence(1)}</p> Loose text after it. <p>{sentence(2)}<p>{sentence(3)}")).text
    assert text.splitlines() == [f"{sentence(0)} an aside", sentence(1), "Loose text after it.", sentence(2), sentence(3)]
    text = read(page_of(f"<p>{sentence(0)} <span>an aside <b>bold open<p>{sentence(1)}<p>{sentence(2)}</b> after bold. <p>{sentence(3)}")).text
    assert text.splitlines() == [f"{sentence(0)} an aside bold open", sentence(1), f"{sentence(2)} after bold.", sentence(3)]


def test_a_paragraph_after_a_hidden_element_left_open_is_shown_and_one_in_noscript_is_not():
    """A hidden element left open (``<span style="display:none">``) hid every paragraph
    libxml2 put inside it, which a browser shows: it ends the hidden element with the
    paragraph. A paragraph inside ``<noscript>`` stays there, unread, as before."""
    hidden = read(page_of(f'<p>{sentence(0)} <span style="display:none">a hidden note<p>{sentence(1)}<p>{sentence(2)}')).text
    assert hidden.splitlines() == [sentence(0), sentence(1), sentence(2)]
    script = read(page_of(f"<p>{sentence(0)} <span>an aside<noscript><p>Please enable scripts.</p></noscript><p>{sentence(1)}<p>{sentence(2)}")).text
    assert script.splitlines() == [f"{sentence(0)} an aside", sentence(1), sentence(2)]


def three_paragraphs() -> tuple[str, str, str]:
    return tuple(" ".join(sentence(number) for number in range(first, first + 3)) for first in (0, 3, 6))


@pytest.mark.parametrize(
    "written",
    [
        "<!-- saved page --><html><body>{soup}</body></html>",
        "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body>{soup}</body></html>",
        "<!--x--><html>{soup}</html>",
    ],
    ids=["a-comment-before-html", "xhtml", "no-body"],
)
def test_a_page_libxml2_roots_at_its_first_paragraph_is_mended_whole(written):
    """A page that does not begin with ``<html>`` or a doctype has libxml2 make its first
    paragraph the root of the tree: the paragraphs lifted out of it were put after the
    root, outside the tree, and every paragraph but the first was lost."""
    first, second, third = three_paragraphs()
    page = written.format(soup=f"<p>{first} <span>an aside<p>{second}<p>{third}")
    assert read(page).text.splitlines() == [f"{first} an aside", second, third]


def test_a_notice_printed_before_the_document_keeps_the_article_and_not_its_title():
    first, second, third = three_paragraphs()
    page = f"<p>Warning: cache <span>stale<html><head><title>The minutes</title></head><body><p>{first}<p>{second}<p>{third}</body></html>"
    assert read(page).text.splitlines() == ["Warning: cache stale", first, second, third]


@pytest.mark.parametrize(
    "block",
    [
        '<div style="display:none">{hidden}</div>',
        "<div hidden>{hidden}</div>",
        "<details><summary>The answer</summary>{hidden}</details>",
        "<dialog>{hidden}</dialog>",
        "<ul style=display:none><li>{hidden}</ul>",
        "<blockquote hidden>{hidden}</blockquote>",
        "<section style=visibility:hidden>{hidden}</section>",
    ],
)
def test_a_hidden_block_after_an_element_left_open_keeps_its_paragraphs_hidden(block):
    """HTML5 ends the paragraph at the block, which keeps what it holds: the block's
    paragraphs had been lifted out of it, one by one, and shown."""
    first, second, third = three_paragraphs()
    hidden = "<p>Hidden words one<p>Hidden words two"
    text = read(page_of(f"<p>{first} <span>an aside{block.format(hidden=hidden)}<p>{second}<p>{third}")).text
    assert "Hidden words" not in text and second in text.splitlines() and third in text.splitlines()


@pytest.mark.parametrize("left_open", ['<em style="display:none">', '<a href="/x" style="display:none">', "<strong hidden>", '<code style="display:none">', '<font style="visibility:hidden">'])
def test_a_hidden_formatting_element_left_open_hides_what_follows_as_html5_opens_it_again(left_open):
    """HTML5 opens a formatting element left open again, attributes and all, in each
    paragraph after it: hidden, it hides them all in a browser, and in the text."""
    first, second, third = three_paragraphs()
    assert read(page_of(f"<p>{first} {left_open}Secret words<p>{second}<p>{third}")).text.splitlines() == [first]


def test_text_after_the_element_left_open_is_closed_ends_the_paragraph_it_is_read_in():
    """``</span>`` closes nothing in HTML5 once the next paragraph ended the span: the
    words after it go on in that paragraph, one line, as a browser shows it."""
    first, second, _ = three_paragraphs()
    text = read(page_of(f"<p>{first} <span>a note<p>The minister said</span> that taxes would rise next year.<p>{second}")).text
    assert text.splitlines() == [f"{first} a note", "The minister said that taxes would rise next year.", second]


@pytest.mark.parametrize("phrase", ["time datetime=2026-12-07", "label", "output", "blink"])
def test_a_date_or_label_in_a_sentence_keeps_its_words(phrase):
    """trafilatura removes a ``<time>``, a ``<label>``, an ``<output>`` and a ``<blink>``
    with their words: "The council met on and voted." was read, on a page written cleanly,
    and the sentence a reader copies was not in the text."""
    first, second, third = three_paragraphs()
    tag = phrase.split()[0]
    page = page_of(f"<p>{first}</p><p>The council met on <{phrase}>7 December 2026</{tag}> and voted.</p><p>{second}</p><p>{third}</p>")
    assert "The council met on 7 December 2026 and voted." in read(page).text.splitlines()


def test_a_paragraph_in_a_table_inside_a_paragraph_stays_in_its_cell():
    """A paragraph ends at the next only within its reach (HTML5's button scope): one in a
    table's cell stays in the cell, the table where it was written."""
    from lxml import etree

    from sources.ingest import html

    tree = html.load_html(page_of(f"<p>{sentence(0)} <span><table><tr><td><p>{sentence(1)}<p>{sentence(2)}</table>after the table<p>{sentence(3)}"))
    before = etree.tostring(tree)
    html._paragraphs_out_of_paragraphs(tree)
    assert [len(list(cell.iter("p"))) for cell in tree.iter("td")] == [2]
    assert "".join(tree.itertext()) == "".join(etree.fromstring(before).itertext())


def test_a_short_chain_libxml2_reads_in_part_is_read_whole_a_line_a_paragraph():
    """HTML5's reading is taken where it reads more than libxml2's, as long as it reads all
    of libxml2's in its order: anchors left open at the start of some paragraphs had
    libxml2's reading keep 7 of 20 paragraphs, on one line."""
    body = "".join(f"<strong><p>{f'<a name=s{number}>' if number in (2, 12) else ''}{sentence(number)}\n" for number in range(20))
    assert read(page_of(body)).text.splitlines() == [sentence(number) for number in range(20)]


def test_a_short_chain_whose_html5_reading_drops_its_headings_keeps_them():
    """Where HTML5's reading loses something libxml2's read (here the headings between
    paragraphs chained in ``<span>``), it is not taken; the mended reading, which reads
    them a line each, is."""
    body = "".join(f"<span class=body><p>{sentence(number)}\n" + (f"<h3>Part {number} of the minutes</h3>" if number % 5 == 4 else "") for number in range(20))
    text = read(page_of(body)).text
    assert text.splitlines() == [line for number in range(20) for line in (sentence(number), f"Part {number} of the minutes") if number % 5 == 4 or line == sentence(number)]


def test_a_short_chain_with_a_table_among_its_paragraphs_is_read_a_line_a_paragraph_the_table_in_its_place():
    """trafilatura reads a table libxml2 put inside a chained paragraph after the chain's
    one line, so HTML5's reading, which reads it in its place, was not taken: libxml2's
    tree mended reads it there too, and is taken, as it reads all of libxml2's."""
    table = "<table border=1><tr><td>Votes for 7<td>Votes against 7</table>"
    body = "".join(f"<font face=Arial><p>{sentence(number)}\n" + (table if number == 7 else "") for number in range(20))
    wanted = [sentence(number) for number in range(20)]
    assert read(page_of(body)).text.splitlines() == [*wanted[:8], "Votes for 7\tVotes against 7", *wanted[8:]]


def test_a_short_chain_with_a_list_and_a_heading_among_its_paragraphs_reads_them_a_line_each():
    """trafilatura keeps no heading or list outside an article's frame: lifted out of the
    chained paragraph libxml2 put them in, they were lost (18 of 202 chained test pages
    lost text so), and libxml2's reading, one line, was kept. Lifted, they are read as
    paragraphs, a line each (each item its own), as Chromium shows them."""
    items = "<ul><li>Motion 5 first reading<li>Motion 5 second reading</ul>"
    body = "".join(
        f"<font face=Arial><p>{sentence(number)}\n" + (items if number == 5 else "") + ("<h3>Part two of the minutes</h3>" if number == 9 else "")
        for number in range(12)
    )
    wanted = [sentence(number) for number in range(12)]
    assert read(page_of(body)).text.splitlines() == [
        *wanted[:6], "Motion 5 first reading", "Motion 5 second reading", *wanted[6:10], "Part two of the minutes", *wanted[10:]
    ]


@pytest.mark.parametrize(
    ("text", "other", "reads_all"),
    [
        ("A.\nB.", "A.\nB.", True),
        ("A. B.\nC.", "A.\nB.\nC.", True),  # a line broken
        # Two of libxml2's lines glued in one (a footer's two rows, "reservedLast updated").
        ("A.\nB.", "A.B.", False),
        ("A.\nAll rights reserved\nLast updated", "A.\nAll rights reservedLast updated", False),
        # Lines of its own after libxml2's last: paragraphs, a heading or a footer's
        # copyright line in an <h6> or a row, none let in.
        ("A. B.", "A.\nB.\nC.", False),
        ("A. B.", "A.\nB.\nCopyright 1998", False),
    ],
)
def test_the_mended_reading_glues_none_of_libxml2s_lines_and_reads_nothing_after_its_last(text, other, reads_all):
    from sources.ingest import html

    assert html._reads_all_of_in_any_order(other, text) is reads_all


@pytest.mark.parametrize("anchor", ["<a name=s2>", "<a name=s9>"])
def test_the_footer_after_a_chain_read_mended_is_left_out(anchor):
    """The mended reading reads nothing after all that libxml2's read: not a footer's line
    in a ``<center>``."""
    footer = "<center><font size=1>Copyright 1998 The Valley Gazette. All rights reserved.</font></center>"
    body = "".join(f"<font face=Arial><p>{anchor if number == 2 else ''}{sentence(number)}\n" for number in range(12)) + footer
    text = read(page_of(body)).text
    assert "Copyright" not in text and all(text.count(sentence(number)) == 1 for number in range(12))


def test_placing_a_reading_of_thousands_of_lines_of_its_own_is_bounded():
    """Each line of its own is looked for through all of libxml2's reading: 20,000 of them
    against 2 MB would look through 80 GB. The looking is bounded, and such a reading is
    taken to differ."""
    from sources.ingest import html

    text = " ".join(f"{sentence(number)} Minuted by clerk {number}." for number in range(20_000))
    other = "\n".join([sentence(0), *(f"A line of its own, number {number}." for number in range(20_000)), text[len(sentence(0)) :]])
    started = time.process_time()
    assert html._reads_all_of_in_any_order(other, text) is False
    assert time.process_time() - started < 1


@pytest.mark.parametrize(
    ("text", "other", "reads_all"),
    [
        ("A. B. C.", "A.\nB.\nC.", True),
        ("A.B.C. Table", "A.\nTable\nB.\nC.", True),  # libxml2's reading put the table after
        ("A. B. C.", "A.\nC.", False),  # one lost
        ("A. B. C.", "A.\nMenu B.\nC.", False),  # a line that holds more than B.
        ("A. B. C.", "A.\nB.\nC.\nCopyright 1998", False),  # a line of its own after the last
        ("A. B. C.", "Title\nA.\nB.\nSee also\nC.", True),  # lines of their own before and between
        ("A. B. C. B.", "A.\nB.\nC.", False),  # said twice, read once
        # A sentence the page also has as a paragraph of its own, first found in the
        # longer paragraph that holds it: placed again, the longest first.
        ("Long one, and Short. too. Short.", "Short.\nLong one, and Short. too.", True),
        ("", "A.", False),
    ],
)
def test_the_mended_reading_reads_all_of_libxml2s_in_any_order_with_each_line_whole(text, other, reads_all):
    from sources.ingest import html

    assert html._reads_all_of_in_any_order(other, text) is reads_all


@pytest.mark.parametrize(
    ("text", "other", "reads_all"),
    [
        ("A. B. C.", "A.\nB.\nC.", True),
        ("A.B.C.", "A.\nB.\nC.", True),  # glued on libxml2's line
        ("A. B. C.", "A.\nTable\nB.\nC.", True),  # a line of its own between
        ("A. B. C.", "A.\nC.", False),  # one lost
        ("A. B. C.", "B.\nA.\nC.", False),  # another order
        ("A. B. C.", "A.\nMenu B.\nC.", False),  # a line that holds more than B.
        ("A. B. C.", "A.\nB.\nC.\nCopyright 1998", False),  # a line of its own after the last
        ("B. C.", "A.\nB.\nC.", True),  # a line of its own before the first (one libxml2 lost)
        ("", "A.", False),
    ],
)
def test_the_html5_reading_reads_all_of_libxml2s_only_with_each_line_whole_in_its_order(text, other, reads_all):
    from sources.ingest import html

    assert html._reads_all_of(other, text) is reads_all


def test_a_paragraph_held_in_an_anchor_without_an_address_is_read():
    """An ``<a>`` without ``href`` is a place to go to, shown as text: a paragraph held in
    one (closed, or left open at the paragraph's start, as legacy pages mark sections) is
    read, not dropped as a line of links."""
    from tests.documents import report_paragraphs

    prose = report_paragraphs(8)
    wanted = [paragraph.strip() for paragraph in prose]
    closed = "".join(f"<p><a name=s2>{text}</a></p>" if number == 2 else f"<p>{text}</p>" for number, text in enumerate(prose))
    assert read(page_of(closed)).text.splitlines() == wanted
    left_open = "".join(f"<small><p>{'<a id=s2>' if number == 2 else ''}{text}\n" for number, text in enumerate(prose))
    assert read(page_of(left_open)).text.splitlines() == wanted


# Tag soup weighted towards what libxml2 nests: paragraphs never closed, with elements
# left open in them; blocks, scopes and closings among them.
OPENED = ["<p>", "<p>", "<p>", "<span>", "<em>", "<a name=x>", "<a href=/y>", "<font face=Arial>", "<b>", "<code>"]
SOUP = OPENED * 3 + ["</p>", "</span>", "</a>", "</b>", "<div>", "</div>", "<table><tr><td>", "</td>", "</table>",
                     "<noscript>", "</noscript>", "<li>", "<ul>", "</ul>", "<button>", "</button>", "<br>", "<!-- note -->",
                     "<h2>", "</h2>", '<div style="display:none">', '<em style="display:none">', "</em>", "<blockquote>",
                     "</blockquote>"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SOUP), st.sampled_from(["", "word ", "two words "])), min_size=2, max_size=40))
# A paragraph closed inside the element left open, text after both: that after the element
# was put inside the paragraph, before the text after the paragraph.
@example([("<p>", ""), ("<a name=x>", ""), ("<p>", ""), ("</p>", "word "), ("</a>", "two words ")])
def test_mending_keeps_the_text_in_its_order_and_every_element(pieces):
    """Whatever libxml2 makes of tag soup (chains three deep included, which pages are not
    mended in, but the mending holds for), mending its tree loses no text, reorders none,
    drops no element, and leaves no block (a paragraph, a division, a list...) inside a
    paragraph within its reach, but in a hidden formatting element HTML5 opens again."""
    from sources.ingest import html
    from sources.ingest.visible import is_hidden

    tree = html.load_html("<html><body>" + "".join(tag + words for tag, words in pieces) + "</body></html>")
    if tree is None:
        return
    text, count = "".join(tree.itertext()), sum(1 for _ in tree.iter())
    html._paragraphs_out_of_paragraphs(tree)
    assert "".join(tree.itertext()) == text
    assert sum(1 for _ in tree.iter()) == count
    for block in tree.iter(*html._ENDS_A_PARAGRAPH):
        bound = next((ancestor for ancestor in block.iterancestors() if ancestor.tag == "p" or ancestor.tag in html._PARAGRAPH_SCOPE
                      or (ancestor.tag in html._REOPENED and is_hidden(ancestor))), None)
        assert bound is None or bound.tag != "p"


def test_markup_the_parser_fails_on_is_refused_in_words_a_person_can_act_on():
    """A page whose markup makes the parser fail inside (an ``AssertionError`` of lxml's)
    is a 400 that says so and what to do, naming no exception of the code."""
    with pytest.raises(ExtractionError) as refused_page:
        read("<object><frame> --><st1:place>")
    assert refused_page.value.code == "unreadable_html"
    assert "Error" not in refused_page.value.message and "browser" in refused_page.value.message


# A layout of 1998-2003 (FrontPage's): the article in a cell of a layout table, its
# paragraphs chained; the lines a probe of 699 pages found read worse when libxml2's tree
# mended was tried before HTML5's reading.
FRONTPAGE_CHAIN = [sentence(number) for number in range(7)]


def frontpage_page(opener: str, inside: str) -> str:
    """The chain in a layout table's cell, ``inside`` put after its third paragraph's text."""
    paragraphs = "".join(f"{opener}{text}{inside if number == 2 else ''}\n" for number, text in enumerate(FRONTPAGE_CHAIN))
    return page_of(f"<table><tr><td>{paragraphs}</table>")


def test_text_after_a_list_in_a_chained_paragraph_in_a_layout_cell_is_read():
    """The mending lifts the list out of the paragraph and leaves the text after it loose in
    the cell, which trafilatura drops: libxml2's reading had lost it too, so the mended
    reading passed its check; HTML5's reading, tried first, reads it."""
    items = "<ul><li>First item of the list of repairs.<li>Second item of the list of repairs.</ul>Text after the list in the same paragraph."
    lines = read(frontpage_page("<font face=Arial><p>", items)).text.splitlines()
    assert "Text after the list in the same paragraph." in lines
    assert in_order(lines, [*FRONTPAGE_CHAIN[:3], "First item of the list of repairs.", "Text after the list in the same paragraph.", *FRONTPAGE_CHAIN[3:]])


def test_a_table_in_a_chained_paragraph_in_a_layout_cell_is_read():
    table = "<table border=1><tr><td>Cell one of the table of tolls.<tr><td>Cell two of the table of tolls.</table>"
    lines = read(frontpage_page("<p><font face=Verdana size=2>", table)).text.splitlines()
    assert in_order(lines, [*FRONTPAGE_CHAIN[:3], "Cell one of the table of tolls.", "Cell two of the table of tolls.", *FRONTPAGE_CHAIN[3:]])
