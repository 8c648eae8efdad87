"""What a file is (from its bytes first), how text is decoded, and the one normalisation
extracted text gets."""

from __future__ import annotations

import hashlib
import io

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
