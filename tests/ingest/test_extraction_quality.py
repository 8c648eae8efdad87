"""Extraction quality on pages and reports built like real ones: the article's sentences
are in the text (recall) and the boilerplate's are not (precision). bench/extraction.py
reports the same figures."""

from __future__ import annotations

import io
import re

import pytest

from sources.ingest import extract
from tests.documents import (
    news_pages,
    one_column_pdf,
    report_paragraphs,
    sentence_scores,
    sentences,
    two_column_pdf,
)

PAGES = news_pages()
RUNNING_HEAD = "Example Institute Annual Report 2025"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_html_main_content_keeps_the_article_and_drops_the_boilerplate(page):
    text = extract(io.BytesIO(page.html.encode()), declared_type="text/html").text
    precision, recall = sentence_scores(text, page.article, page.boilerplate)
    assert recall >= 0.95, f"{page.name}: recall {recall:.2f}"
    assert precision >= 0.95, f"{page.name}: precision {precision:.2f}"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_html_navigation_comments_cookie_banners_and_footers_are_dropped(page):
    text = extract(io.BytesIO(page.html.encode()), declared_type="text/html").text
    for noise in ("Accept all cookies", "Great article, thanks", "All rights reserved", "Subscribe now", "window.analytics"):
        assert noise not in text, f"{page.name}: {noise!r} kept"


def _in_order(text: str, paragraphs: list[str]) -> bool:
    flat = " ".join(text.split())
    positions = [flat.find(sentence) for paragraph in paragraphs for sentence in sentences([paragraph])]
    return -1 not in positions and positions == sorted(positions)


@pytest.mark.parametrize("interleaved", [True, False], ids=["drawn-row-by-row", "drawn-column-by-column"])
def test_a_two_column_report_is_read_column_after_column(interleaved):
    paragraphs = report_paragraphs(40)
    data = two_column_pdf(paragraphs, header=RUNNING_HEAD, page_numbers=True, interleaved=interleaved)
    text = extract(io.BytesIO(data)).text
    precision, recall = sentence_scores(text, paragraphs, [RUNNING_HEAD])
    assert recall == 1.0 and precision == 1.0
    assert _in_order(text, paragraphs)


def test_running_heads_and_page_numbers_are_dropped():
    data = two_column_pdf(report_paragraphs(40), header=RUNNING_HEAD, page_numbers=True)
    text = extract(io.BytesIO(data)).text
    assert RUNNING_HEAD not in text
    assert not re.search(r"^Page \d+$", text, re.MULTILINE)


def test_a_one_column_pdf_keeps_its_order_and_paragraphs():
    paragraphs = report_paragraphs(12)
    text = extract(io.BytesIO(one_column_pdf(paragraphs))).text
    assert _in_order(text, paragraphs)
    # A blank line between paragraphs; inside one only where a page ends (2 page breaks).
    assert text.count("\n\n\n") == 0
    assert len(paragraphs) <= len(text.split("\n\n")) <= len(paragraphs) + 2


def test_pdf_metadata_fills_title_authors_and_date():
    data = one_column_pdf(["Body text of the report, long enough."], info={"Title": "Quarterly", "Author": "Desk", "CreationDate": "D:20231231"})
    metadata = extract(io.BytesIO(data)).metadata
    assert (metadata.title, metadata.authors, str(metadata.published_on)) == ("Quarterly", "Desk", "2023-12-31")


def test_pages_of_one_line_each_are_not_taken_for_running_heads():
    from tests.documents import pdf_bytes

    data = pdf_bytes([[(72, 700, "The same short line on every page.")]] * 5)
    assert extract(io.BytesIO(data)).text.count("The same short line on every page.") == 5


def test_a_year_in_the_prose_is_not_taken_for_the_publication_date():
    paragraph = "In 1995 the two governments signed a contract that was still argued about decades later, by everyone involved."
    html = f"<html><body><article><p>{paragraph}</p><p>{paragraph}</p></article></body></html>".encode()
    assert extract(io.BytesIO(html), declared_type="text/html").metadata.published_on is None


def test_metadata_is_found_after_large_inline_scripts():
    page = news_pages()[0]
    html = page.html.replace("<head>", "<head><script>" + "var filler = 1;\n" * 60_000 + "</script>").encode()
    metadata = extract(io.BytesIO(html), declared_type="text/html").metadata
    assert (metadata.title, metadata.authors, str(metadata.published_on)) == (page.title, "Jane Roe", "2025-01-15")
