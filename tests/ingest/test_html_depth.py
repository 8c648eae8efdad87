"""A page nested deep is read whole or refused, never cut: libxml2 stops at a depth, and
all that follows that point was lost without a word. Legacy markup (an element opened
before each paragraph and never closed) is read whole."""

from __future__ import annotations

import io

import pytest

from sources.ingest import ExtractionError, extract
from sources.ingest import html
from tests.documents import seed_paragraphs

ARTICLE = seed_paragraphs(0, count=4)


def read(body: str):
    return extract(io.BytesIO(f"<html><head><title>Minutes</title></head><body>{body}</body></html>".encode()), declared_type="text/html")


def minutes(number: int) -> str:
    return f"Paragraph number {number} of the minutes: the committee discussed item {number} at length."


@pytest.mark.parametrize("opened", ["<font face=Arial>", "<div class=x>", "<center>", "<blockquote>", "<span>", "<b><i>"])
def test_a_legacy_page_opening_an_element_before_each_of_400_paragraphs_is_read_whole(opened):
    text = read("".join(f"{opened}<p>{minutes(number)}</p>" for number in range(400))).text
    assert text.splitlines() == [minutes(number) for number in range(400)]


def test_the_paragraphs_after_a_region_nested_300_deep_are_kept():
    depth = 300
    body = f"<article><p>{ARTICLE[0]}</p>" + "<div>" * depth + f"<p>{ARTICLE[1]}</p>" + "</div>" * depth
    text = read(body + "".join(f"<p>{paragraph}</p>" for paragraph in ARTICLE[2:]) + "</article>").text
    assert text.splitlines() == ARTICLE


def test_a_page_nested_deeper_than_the_parser_reads_is_refused_saying_so():
    depth = html.PARSED_DEPTH + 10
    with pytest.raises(ExtractionError) as refused:
        read(f"<article><p>{ARTICLE[0]}</p>" + "<div>" * depth + "deep" + "</div>" * depth + f"<p>{ARTICLE[1]}</p></article>")
    assert refused.value.code == "too_complex" and f"{html.PARSED_DEPTH:,} deep or more" in refused.value.message


def test_a_page_nested_deeper_than_is_read_is_refused_saying_so():
    # Lists in lists are no chain of like elements: they stay nested, and past the depth read
    # they are refused (they had been cut at libxml2's depth, the page's end lost).
    items = "".join(f"<ul><li>{minutes(number)}" for number in range(200)) + "</li></ul>" * 200
    with pytest.raises(ExtractionError) as refused:
        read(f"<p>{ARTICLE[0]}</p>{items}<p>{ARTICLE[1]}</p>")
    assert refused.value.code == "too_complex" and f"more than {html.MAX_HTML_DEPTH} deep" in refused.value.message


def test_a_page_of_many_elements_nested_deep_is_refused_saying_so():
    # 39,000 paragraphs under 250 divisions took 34 s: each element's ancestors are looked at.
    opening = "".join(f"<div class=level{depth % 2}><p>{minutes(depth)}</p>" for depth in range(100))
    with pytest.raises(ExtractionError) as refused:
        read(opening + "<p>x</p>" * 30_000 + "</div>" * 100)
    assert refused.value.code == "too_complex" and "deep on average" in refused.value.message


def test_a_chain_of_like_elements_is_laid_side_by_side_in_its_order():
    from lxml import etree
    from lxml.html import fromstring

    depth = html.SIDE_BY_SIDE_FROM + 10
    tree = fromstring("<html><body>" + "".join(f"<div class=x>{number} " for number in range(depth)) + "</body></html>")
    before = "".join(tree.itertext())
    html._like_chains_side_by_side(tree)
    assert "".join(tree.itertext()) == before
    assert max(len(list(element.iterancestors())) for element in tree.iter(etree.Element)) <= html.SIDE_BY_SIDE_FROM
