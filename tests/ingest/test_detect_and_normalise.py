"""What a file is (from its bytes first), how text is decoded, and the one normalisation
extracted text gets."""

from __future__ import annotations

import codecs
import hashlib
import io
import time

import pytest

from sources.ingest import ExtractionError, extract
from sources.ingest.detect import HTML, MARKDOWN, PDF, PLAIN, detect_media_type
from sources.ingest.normalise import normalise_extracted
from sources.ingest import text
from sources.ingest.text import decode


@pytest.mark.parametrize(
    "head, declared, filename, expected",
    [
        (b"%PDF-1.7\n...", "text/plain", "notes.txt", PDF),  # the signature wins
        (b"%PDF-1.4", "", "", PDF),
        (b"<!DOCTYPE html><html>", "", "", HTML),
        (b"\xef\xbb\xbf  <html lang='en'>", "application/octet-stream", "", HTML),
        (b"<!-- comment --><html>", "", "", HTML),
        (b"<html> is a tag", "text/plain", "x.txt", PLAIN),  # declared text stays text
        (b"# Title", "", "post.md", MARKDOWN),
        (b"# Title", "text/markdown; charset=utf-8", "", MARKDOWN),
        (b"plain words", "", "", PLAIN),
        (b"plain words", "text/csv", "", PLAIN),
        (b"plain words", "image/png", "x.png", ""),
        (b"\x89PNG\r\n\x1a\n", "text/plain", "", ""),
        (b"PK\x03\x04", "", "a.docx", ""),
        (b"not a pdf", "application/pdf", "a.pdf", ""),
    ],
)
def test_the_type_comes_from_the_bytes_before_the_declaration(head, declared, filename, expected):
    assert detect_media_type(head, declared_type=declared, filename=filename) == expected


PROLOG = b'<?xml version="1.0" encoding="utf-8"?>'
XHTML = b'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en">'
XHTML_DOCTYPE = b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'


@pytest.mark.parametrize(
    "head",
    [
        PROLOG + XHTML,
        PROLOG + b"\n" + XHTML_DOCTYPE + b"\n" + XHTML,
        b"\xef\xbb\xbf" + PROLOG + XHTML,
        b" \r\n\t" + PROLOG + b"\n\n" + XHTML,
        b"\xef\xbb\xbf \n" + PROLOG + XHTML_DOCTYPE + XHTML,
        b"<?xml version='1.0'?>\n<!DOCTYPE html>\n<html>",
        PROLOG + b'\n<?xml-stylesheet type="text/css" href="a.css"?>\n<!-- made by hand -->\n' + XHTML_DOCTYPE + XHTML,
        b'<?XML VERSION="1.0"?><HTML>',
    ],
    ids=["prolog", "prolog-doctype", "bom", "white-space", "bom-white-space-doctype", "single-quotes-html5-doctype", "stylesheet-comment", "upper-case"],
)
@pytest.mark.parametrize("declared, filename", [("application/octet-stream", "page"), ("", "page"), ("", ""), ("binary/octet-stream", "download"), ("text/xml", "page.xml")])
def test_xhtml_after_its_xml_declaration_is_html(head, declared, filename):
    assert detect_media_type(head + b"<head><title>T</title></head>", declared_type=declared, filename=filename) == HTML


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>',
        b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><title>T</title></svg>',
        b'<?xml version="1.0"?><!DOCTYPE note SYSTEM "note.dtd"><note><body>T</body></note>',
        b'<?xml version="1.0"?><title>An XML document whose root is a title</title>',
        b'<?xml version="1.0"?><!-- <html> --><data/>',
        b'<?xml version="1.0"?>',
    ],
    ids=["rss", "atom", "svg", "other-doctype", "title-root", "html-in-a-comment", "declaration-alone"],
)
def test_other_xml_after_its_declaration_stays_what_it_was(head):
    assert detect_media_type(head, declared_type="application/octet-stream", filename="feed") == PLAIN
    assert detect_media_type(head, declared_type="application/xml", filename="feed") == ""


@pytest.mark.parametrize(
    "head",
    [b"<!---->" * 1170 + b"<x>", PROLOG + b"<!---->" * 1165 + b"<x>", PROLOG + b"<?a?>" * 1630 + b"<x>", b"<!--<!--" * 1024],
    ids=["comments", "comments-after-a-declaration", "instructions", "unclosed-comments"],
)
def test_a_head_of_comments_leading_to_no_markup_is_told_from_markup_at_once(head):
    # Every way of joining 1,170 comments into fewer was tried: the worker never answered.
    started = time.perf_counter()
    assert detect_media_type(head, declared_type="application/octet-stream") == PLAIN
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    "head",
    [b"<!---->" * 1170 + b"<x>", PROLOG + b"<?a?>" * 1630 + b"<x>", b"<!doctype x>" * 680 + b"<x>", b"<html " + b"a=1 " * 2000],
    ids=["comments", "instructions", "doctypes", "attributes"],
)
def test_a_head_declared_as_xml_that_leads_to_no_xhtml_is_told_from_xhtml_at_once(head):
    started = time.perf_counter()
    assert detect_media_type(head, declared_type="application/xml") == ""
    assert time.perf_counter() - started < 1


def test_an_xhtml_file_with_an_xml_declaration_is_read_as_a_page_not_as_its_markup():
    words = "The words of an article, long enough to be the main text of its page. " * 3
    data = (
        b"\xef\xbb\xbf" + PROLOG + b"\n" + XHTML_DOCTYPE + b"\n" + XHTML
        + b"<head><title>An XHTML page</title></head><body><article><p>" + words.encode() + b"</p></article></body></html>"
    )
    extraction = extract(io.BytesIO(data), declared_type="application/octet-stream", filename="download")
    assert extraction.media_type == HTML
    assert extraction.text.strip() == words.strip()
    assert "<?xml" not in extraction.text and extraction.metadata.title == "An XHTML page"


ARTICLE_WORDS = "The words of an article, long enough to be the main text of its page. " * 3
MARKS = [
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
]


@pytest.mark.parametrize("mark, codec", MARKS, ids=[codec for _, codec in MARKS])
@pytest.mark.parametrize("declared, filename", [("application/octet-stream", "download"), ("", ""), ("binary/octet-stream", "page")])
def test_a_page_in_utf16_or_utf32_with_a_byte_order_mark_is_html_as_one_in_utf8_is(mark, codec, declared, filename):
    page = (
        "<!DOCTYPE html>\n<html><head><title>A page</title></head>"
        f"<body><article><p>{ARTICLE_WORDS}</p></article></body></html>"
    )
    extraction = extract(io.BytesIO(mark + page.encode(codec)), declared_type=declared, filename=filename)
    assert extraction.media_type == HTML
    assert extraction.text.strip() == ARTICLE_WORDS.strip() and extraction.metadata.title == "A page"


@pytest.mark.parametrize("mark, codec", MARKS, ids=[codec for _, codec in MARKS])
def test_text_in_utf16_or_utf32_with_a_byte_order_mark_stays_text(mark, codec):
    head = mark + "Notes from the meeting: <html> is a tag.".encode(codec)
    assert detect_media_type(head, declared_type="application/octet-stream") == PLAIN


XML_TYPES = ["application/xml", "text/xml", "application/xml; charset=utf-8"]


@pytest.mark.parametrize(
    "head",
    [
        PROLOG + XHTML,
        PROLOG + b"\n" + XHTML_DOCTYPE + b"\n" + XHTML,
        XHTML,
        b"<!-- saved from the site -->\n" + XHTML_DOCTYPE + XHTML,
        PROLOG + b'\n<?xml-stylesheet type="text/css" href="a.css"?>\n' + XHTML,
        PROLOG + b"<html xml:lang='en' xmlns='http://www.w3.org/1999/xhtml'>",
    ],
    ids=["prolog", "prolog-doctype", "root-alone", "comment-doctype", "stylesheet", "namespace-after-another-attribute"],
)
@pytest.mark.parametrize("declared", XML_TYPES)
def test_xhtml_declared_as_xml_is_html(head, declared):
    assert detect_media_type(head + b"<head><title>T</title></head>", declared_type=declared, filename="page.xml") == HTML


@pytest.mark.parametrize("declared", XML_TYPES)
def test_an_xhtml_page_sent_as_xml_is_read_as_a_page(declared):
    data = (
        PROLOG + b"\n" + XHTML_DOCTYPE + b"\n" + XHTML
        + b"<head><title>An XHTML page</title></head><body><article><p>" + ARTICLE_WORDS.encode() + b"</p></article></body></html>"
    )
    extraction = extract(io.BytesIO(data), declared_type=declared, filename="page.xml")
    assert extraction.media_type == HTML
    assert extraction.text.strip() == ARTICLE_WORDS.strip() and extraction.metadata.title == "An XHTML page"


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>',
        PROLOG + b"<html><head><title>T</title></head></html>",  # no XHTML namespace: XML, not XHTML
        PROLOG + b'<!-- <html xmlns="http://www.w3.org/1999/xhtml"> --><data/>',
        PROLOG + b'<feed xmlns="http://www.w3.org/2005/Atom"><html xmlns="http://www.w3.org/1999/xhtml"></html></feed>',
    ],
    ids=["rss", "html-without-namespace", "xhtml-in-a-comment", "xhtml-inside-a-feed"],
)
def test_other_xml_declared_as_xml_is_refused_as_before(head):
    with pytest.raises(ExtractionError) as refused:
        extract(io.BytesIO(head), declared_type="application/xml", filename="feed.xml")
    assert refused.value.code == "unsupported_type"
    assert str(refused.value) == (
        "Unsupported type: it is declared as application/xml. Supported: plain text, Markdown, HTML and PDF with a text layer."
    )


def test_utf8_with_a_byte_order_mark_loses_the_mark():
    assert decode("Hé".encode("utf-8-sig")) == "Hé"


def test_utf16_with_a_byte_order_mark_is_decoded():
    assert decode("Héllo wörld".encode("utf-16")) == "Héllo wörld"


def test_a_declared_charset_decodes_what_is_not_utf8():
    assert decode("Café résumé".encode("cp1252"), charset="windows-1252") == "Café résumé"


def test_text_in_another_encoding_is_recognised_without_a_declaration():
    text = "Всё это было давно, и никто уже не помнит, как это было на самом деле. " * 4
    assert decode(text.encode("cp1251")) == text


def test_nul_bytes_make_binary_data_not_text():
    with pytest.raises(ExtractionError) as error:
        decode(b"abc\x00def")
    assert error.value.code == "unsupported_type"


def test_plain_text_keeps_everything_but_carriage_returns():
    data = "  Indented\r\nTrailing   \rCafe\u0301\n\n\n".encode()
    assert extract(io.BytesIO(data), filename="a.txt").text == "  Indented\nTrailing   \nCafe\u0301\n\n\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_text_read_in_chunks_is_the_text_read_whole(encoding):
    """A CR LF, a CR and a character of several bytes split between two reads of the file
    come out as they would from the whole file."""
    chunk = text.CHUNK
    head = "a" * (chunk - 1)
    for tail in ("\r\nafter", "\rafter", "éafter", "\r\r\nafter"):
        whole = head + tail + "\r\n" * 3 + "end\r"
        data = whole.encode(encoding)
        declared = encoding if encoding == "cp1252" else None
        expected = whole.replace("\r\n", "\n").replace("\r", "\n")
        assert text.read_text(io.BytesIO(data), charset=declared) == expected
        spooled = text.read_text(io.BytesIO(data), charset=declared, spooled=True)
        assert spooled.read() == expected and spooled.length == len(expected)
        assert decode(data, charset=declared) == whole


@pytest.mark.parametrize("size", [text.SPOOLED_FROM - 1, text.SPOOLED_FROM])
def test_a_text_file_of_a_megabyte_or_more_is_spooled_and_measured_as_it_is_written(size):
    line = "Zürich 🙂\r\n"
    data = (line.encode() * (size // len(line.encode()) + 1))[:size]
    data = data[: len(data.decode("utf-8", "ignore").encode())]  # whole characters only
    data += b"x" * (size - len(data))
    expected = data.decode().replace("\r\n", "\n").replace("\r", "\n")
    extracted = extract(io.BytesIO(data), filename="notes.txt").text
    if size < text.SPOOLED_FROM:
        assert extracted == expected
        return
    assert isinstance(extracted, text.SpooledText)
    assert extracted.read() == expected == "".join(extracted.pieces(size=7))
    assert extracted.length == len(expected) and extracted.size == len(expected.encode())
    assert extracted.sha256 == hashlib.sha256(expected.encode()).hexdigest()
    assert b"".join(extracted.chunks(size=5)) == expected.encode() and not extracted.blank


def test_a_spooled_file_of_white_space_is_refused_as_an_empty_one():
    with pytest.raises(ExtractionError) as error:
        extract(io.BytesIO(b" \r\n\t" * text.SPOOLED_FROM), filename="blank.txt")
    assert error.value.code == "empty_file"


def test_nul_bytes_far_into_a_file_make_it_binary():
    data = b"text " * (text.CHUNK // 2) + b"\x00 more text"
    with pytest.raises(ExtractionError) as error:
        extract(io.BytesIO(data), filename="a.txt")
    assert error.value.code == "unsupported_type"


def test_extracted_text_is_nfc_with_newlines_and_no_trailing_spaces():
    assert normalise_extracted("Cafe\u0301  \r\nline\u00a0 \rnext\x07\n\n\n\nend\u2028x") == "Café\nline\nnext\n\nend\nx"


def test_lone_surrogates_never_reach_the_text():
    assert normalise_extracted("a\ud800b") == "a\ufffdb"


def test_normalising_twice_changes_nothing():
    once = normalise_extracted(" A  \r\n\r\n\r\nB\u0301\t\n")
    assert normalise_extracted(once) == once


def test_white_space_only_is_an_empty_file():
    with pytest.raises(ExtractionError) as error:
        extract(io.BytesIO(b" \n\t \n"), filename="a.txt")
    assert error.value.code == "empty_file"


def test_readers_of_a_spooled_text_do_not_disturb_one_another():
    spooled = text.SpooledText()
    for piece in ("première ", "ligne\n", "🙂" * 10):
        spooled.write(piece)
    first, second = spooled.chunks(size=3), spooled.pieces(size=5)
    interleaved = [(next(first), next(second)) for _ in range(3)]
    assert b"".join([a for a, _ in interleaved] + list(first)) == spooled.utf8() == "première ligne\n🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂".encode()
    assert "".join([b for _, b in interleaved] + list(second)) == spooled.read()
