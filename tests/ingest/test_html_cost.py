"""What reading an HTML page costs grows in proportion to what it holds: a paragraph of
thousands of links or phrases is read in seconds, and what is boilerplate by its links
is dropped still."""

from __future__ import annotations

import io
import re
import time
from html import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree, html as lxml_html

from sources.ingest import ExtractionError, extract
from sources.ingest.html import _text_runs_joined, without_scripts_and_styles
from tests.documents import seed_paragraphs

ARTICLE = seed_paragraphs(0, count=4)


def read(data: bytes):
    return extract(io.BytesIO(data), declared_type="text/html")


def page(body: str) -> bytes:
    paragraphs = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in ARTICLE)
    return f"<html><head><title>Minutes</title></head><body><article>{paragraphs}{body}</article></body></html>".encode()


@pytest.mark.parametrize("phrase", ["<a href='/item/{i}'>w{i}</a> ", "<em>w{i}</em> "])
def test_a_paragraph_of_twenty_thousand_links_or_phrases_is_read_in_seconds(phrase):
    # Trafilatura's search for paragraph text cost the square of a paragraph's phrases once
    # their tags were stripped: 8,000 links took 16 s, 39,000 (under the element cap) minutes.
    body = "<p>" + "".join(phrase.format(i=i) for i in range(20_000)) + "</p>"
    started = time.perf_counter()
    text = read(page(body)).text
    assert time.perf_counter() - started < 15  # about 2 s; generous, for a busy machine
    assert "w0 w1 w2" in text and "w19999" in text


def test_the_text_runs_a_stripped_tag_leaves_are_joined_into_one():
    tree = lxml_html.fromstring("<html><body><p>Start " + "".join(f"<a>w{i}</a> " for i in range(100)) + "end</p></body></html>")
    paragraph = tree.find(".//p")
    etree.strip_tags(tree, "a")
    written = paragraph.text
    assert len(paragraph.xpath("text()")) == 201
    _text_runs_joined(tree)
    assert paragraph.xpath("text()") == [written]


def test_a_block_of_links_is_still_dropped_as_boilerplate():
    links = "".join(f"<a href='/topic/{i}'>Topic number {i}</a> " for i in range(200))
    text = read(page(f"<div><p>{links}</p></div><div><ul>" + "".join(f"<li><a href='/more/{i}'>More reading {i}</a></li>" for i in range(50)) + "</ul></div>")).text
    assert ARTICLE[0] in text and ARTICLE[-1] in text
    assert "Topic number" not in text and "More reading" not in text


# The expression ``without_scripts_and_styles`` replaces: the reference it must agree with.
SCRIPTS_AND_STYLES = re.compile(
    rb"<script(?![^>]*ld\+json)[^>]*>.*?</script\s*>|<style[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL
)
MARKUP_PIECES = [
    b"<script>", b"<SCRIPT type='application/ld+json'>", b"</script>", b"</script >", b"</ScRiPt\n>", b"<style>",
    b"</style>", b"</style", b">", b"<", b"ld+json", b"x", b" ", b"<scriptx>", b"</scripts>", b"<script", b"\t",
    b"a>b", b"<styles>", b"\xc3\xa9",
]


@given(st.lists(st.sampled_from(MARKUP_PIECES), max_size=16))
def test_scripts_and_styles_are_taken_out_as_the_expression_took_them(pieces):
    data = b"".join(pieces)
    assert without_scripts_and_styles(data) == SCRIPTS_AND_STYLES.sub(b"", data)


@pytest.mark.parametrize("hostile, times", [
    (b"<script><p></script ", 20_000),  # an end tag never completed, after every start tag
    (b"<style><p></style ", 20_000),
    (b"<script", 40_000),  # start tags in one tag, ended once at the page's end
])
def test_a_page_of_scripts_never_ended_is_read_in_seconds(hostile, times):
    """The page's metadata was read after taking its scripts out with an expression that
    looked for an end tag to the page's end from every start tag: 400 KB of them took 116 s
    (100 KB, 10 s)."""
    body = "".join(f"<p>Paragraph {n} of the minutes: the committee discussed item {n}.</p>" for n in range(200))
    data = f"<html><body>{body}".encode() + hostile * times + b"</body></html>"
    started = time.perf_counter()
    try:
        text = read(data).text
    except ExtractionError:
        text = None  # refused is an answer too; what matters is when
    assert time.perf_counter() - started < 20  # about 1 s; the expression took minutes
    assert hostile == b"<script" or "Paragraph 199 of the minutes" in text
