"""One stray character does not refuse a whole document: a PDF whose metadata holds a
lone surrogate is read with the rest of its metadata, and a page holding a character XML
cannot hold (written as it is or as a character reference) is read without it."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from project.validation import text_problem
from sources.ingest import extract
from sources.ingest.html import without_characters_xml_cannot_hold
from tests.documents import news_pages, one_column_pdf, report_paragraphs

SOURCES = "/api/v1/sources/"
PARAGRAPHS = report_paragraphs(3)
PLACEHOLDER = "T" * 40


def pdf_with_title(title: bytes) -> bytes:
    """A PDF with a good text layer, Author and CreationDate, whose Info dictionary's
    Title is the PDF string ``title`` (written as it is: ``<FEFF...>`` for UTF-16)."""
    data = one_column_pdf(PARAGRAPHS, info={"Title": PLACEHOLDER, "Author": "Research Unit", "CreationDate": "D:20240301090000Z"})
    written = b"(" + PLACEHOLDER.encode() + b")"
    assert len(title) <= len(written) and data.count(written) == 1
    # Padded with white space to the placeholder's length: every offset in the xref holds.
    return data.replace(written, title.ljust(len(written)))


# "A", a high surrogate without its low half, "B": PDFium hands the title over as UTF-16LE
# that Python's strict codec refuses ("illegal UTF-16 surrogate").
LONE_SURROGATE_TITLE = b"<FEFF0041D8000042>"


@pytest.mark.parametrize(
    "title",
    [LONE_SURROGATE_TITLE, b"<FEFFD800>", b"<FEFFDC00D800>"],
    ids=["surrogate-inside", "surrogate-alone", "halves-reversed"],
)
def test_a_pdf_whose_title_holds_a_lone_surrogate_is_read_with_its_other_metadata(title):
    extraction = extract(io.BytesIO(pdf_with_title(title)))
    flat = " ".join(extraction.text.split())
    assert all(" ".join(paragraph.split()) in flat for paragraph in PARAGRAPHS)
    assert extraction.metadata.authors == "Research Unit"
    assert extraction.metadata.published_on.isoformat() == "2024-03-01"
    # The lone surrogate becomes U+FFFD, as one in the text layer does: storable text; a
    # title of such marks alone is none (the file's name stands in).
    if title == LONE_SURROGATE_TITLE:
        assert extraction.metadata.title == "A\ufffdB"
    else:
        assert extraction.metadata.title == ""
    assert text_problem(extraction.metadata.title) is None


def test_a_pdf_title_around_a_lone_surrogate_keeps_its_readable_characters():
    assert extract(io.BytesIO(pdf_with_title(LONE_SURROGATE_TITLE))).metadata.title == "A\ufffdB"


PAGE = news_pages()[0]
# A word of the article's first paragraph, where a stray character is put: before an "n",
# which is not a hexadecimal digit, so that a reference without its semicolon ends there.
WORD, CUT = "permanence", 5
assert WORD in PAGE.article[0]


def page_with(stray: str) -> str:
    """The page, with ``stray`` in the middle of a word of its article, once."""
    return PAGE.html.replace(WORD, WORD[:CUT] + stray + WORD[CUT:], 1)


def read_page(html: str, **kwargs):
    return extract(io.BytesIO(html.encode("utf-8")), declared_type="text/html", **kwargs)


CLEAN_TEXT = read_page(PAGE.html).text

UNHOLDABLE_REFERENCES = [
    "&#x1;",  # a C0 control
    "&#1;",
    "&#X1F;",
    "&#x0001;",
    "&#x1",  # without the semicolon, as HTML allows
    "&#8",
    "&#0;",
    "&#xFFFE;",  # noncharacters
    "&#xffff;",
    "&#65534;",
    "&#xFDD0;",
    "&#x1FFFF;",
    "&#xD800;",  # a lone surrogate
    "&#57343;",
    "&#x110000;",  # beyond U+10FFFF
    "&#99999999999999999999999999999999999999;",
    "&#x" + "F" * 5000 + ";",
]


@pytest.mark.parametrize("reference", UNHOLDABLE_REFERENCES, ids=[reference[:16] for reference in UNHOLDABLE_REFERENCES])
@pytest.mark.parametrize("charset", [None, "utf-8"], ids=["bytes", "declared-charset"])
def test_a_character_reference_xml_cannot_hold_is_dropped_not_the_page(reference, charset):
    extraction = read_page(page_with(reference), charset=charset)
    assert extraction.text == CLEAN_TEXT
    assert extraction.metadata.title == PAGE.title


RAW_UNHOLDABLE = ["\x01", "\x1f", "\x0b", "\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "\U0010ffff"]


@pytest.mark.parametrize("character", RAW_UNHOLDABLE, ids=[f"U+{ord(c):04X}" for c in RAW_UNHOLDABLE])
@pytest.mark.parametrize("charset", [None, "utf-8"], ids=["bytes", "declared-charset"])
def test_a_raw_character_xml_cannot_hold_is_dropped_not_the_page(character, charset):
    assert read_page(page_with(character), charset=charset).text == CLEAN_TEXT


def test_every_article_paragraph_with_a_stray_reference_is_still_read():
    html = re.sub(r"(<p>[^<]{20})", r"\1&#x1;&#xFFFE;", PAGE.html)
    assert read_page(html).text == CLEAN_TEXT


def test_a_stray_reference_is_dropped_whatever_the_encoding_of_the_page():
    html = page_with("&#x1;").replace('<meta charset="utf-8">', "")
    extraction = extract(io.BytesIO(html.encode("utf-16")), declared_type="text/html")
    assert extraction.text == CLEAN_TEXT


def is_text(code_point: int) -> bool:
    """The rule, written apart from the code that applies it."""
    control = code_point < 0x20 and code_point not in (0x9, 0xA, 0xD)
    surrogate = 0xD800 <= code_point <= 0xDFFF
    noncharacter = 0xFDD0 <= code_point <= 0xFDEF or code_point & 0xFFFE == 0xFFFE
    return not (control or surrogate or noncharacter or code_point > 0x10FFFF)


def sifted_as_expected(references: list[tuple[int, str]]) -> None:
    # One page of them all, each after a "|" (neither a digit nor a semicolon).
    sifted = without_characters_xml_cannot_hold("".join("|" + written for _, written in references))
    expected = "".join("|" + (written if is_text(code_point) else "") for code_point, written in references)
    assert sifted == expected


def test_every_hex_reference_to_what_is_not_text_is_dropped_and_no_other():
    sifted_as_expected([(code_point, "&#x%x;" % code_point) for code_point in range(0x110100)])


BOUNDARIES = sorted(
    {code_point for low in (0, 0xD800, 0xDC00, 0xE000, 0xFDD0, 0xFDF0, 0x110000) for code_point in range(max(0, low - 40), low + 40)}
    | {code_point for plane in range(17) for code_point in range(plane * 0x10000 + 0xFFF0, plane * 0x10000 + 0x10010)}
    | {10**digits - delta for digits in range(1, 9) for delta in (0, 1, 2)}
    | {16**digits - delta for digits in range(1, 9) for delta in (0, 1, 2)}
)


def test_every_decimal_reference_to_what_is_not_text_is_dropped_and_no_other():
    sifted_as_expected([(code_point, "&#%d;" % code_point) for code_point in range(0x20000)])
    sifted_as_expected([(code_point, "&#%d;" % code_point) for code_point in BOUNDARIES])


@pytest.mark.parametrize(
    "spelling",
    ["&#X%X;", "&#x%04x;", "&#x0000000%X", "&#%d", "&#000%d;", "&#x%x"],
)
def test_references_are_read_in_every_spelling_html_allows(spelling):
    sifted_as_expected([(code_point, spelling % code_point) for code_point in BOUNDARIES])


def test_a_reference_without_its_semicolon_takes_every_digit_that_follows():
    # As HTML reads them: U+001A, then U+0001 and "g", 3 and "a", U+0411, beyond U+10FFFF.
    assert without_characters_xml_cannot_hold("&#x1a|&#x1g|&#3a|&#x411|&#x1FFFE0|") == "|g|a|&#x411||"


def test_characters_that_are_text_are_kept_whatever_their_plane():
    text = "caf\u00e9 \u201cquoted\u201d \U0001f642 \U00020000 \U000e0100 \U0010fffd\t\n\r &#233; &#x1F642;"
    assert without_characters_xml_cannot_hold(text) == text


@pytest.mark.parametrize(
    "written, read",
    [
        ("&amp;", "&"),
        ("&#233;", "\u00e9"),
        ("&#xE9;", "\u00e9"),
        ("&#x201C;", "\u201c"),
        ("&#X201d;", "\u201d"),
        ("&#8217;", "\u2019"),
        ("&#x1F642;", "\U0001f642"),
        ("&#x80;", "\u20ac"),  # HTML reads 0x80 to 0x9F as windows-1252: left to the parser
        ("&#x9;", " "),  # tab and carriage return are characters XML holds: white space
        ("&#13;", " "),
    ],
)
def test_ordinary_character_references_are_left_to_the_parser(written, read):
    assert read_page(page_with(written)).text == CLEAN_TEXT.replace(WORD, WORD[:CUT] + read + WORD[CUT:], 1)


@pytest.mark.django_db
def test_uploads_with_a_stray_character_are_created(analyst):
    client = APIClient()
    client.force_authenticate(analyst)
    html = page_with("&#x1;").replace(WORD, WORD + "&#xFFFE;", 1)
    page = client.post(SOURCES, {"file": SimpleUploadedFile("page.html", html.encode(), content_type="text/html")}, format="multipart")
    assert page.status_code == 201, page.json()
    assert page.json()["text"] == CLEAN_TEXT
    assert page.json()["title"] == PAGE.title
    pdf = client.post(
        SOURCES,
        {"file": SimpleUploadedFile("report.pdf", pdf_with_title(LONE_SURROGATE_TITLE), content_type="application/pdf")},
        format="multipart",
    )
    assert pdf.status_code == 201, pdf.json()
    assert (pdf.json()["title"], pdf.json()["authors"], pdf.json()["published_on"]) == ("A\ufffdB", "Research Unit", "2024-03-01")
