"""Every input path, fuzzed: whatever the bytes, extraction returns text or refuses with
an ``ExtractionError`` (a 400), and the upload endpoint never answers 5xx."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from sources.ingest import Extraction, ExtractionError, extract
from sources.ingest import text as text_module
from sources.ingest.encoding import choose
from project.validation import normalise_line_endings
from tests.documents import news_pages, report_paragraphs, two_column_pdf

VALID_PDF = two_column_pdf(report_paragraphs(6), header="Head")
VALID_HTML = news_pages()[0].html.encode()
DECLARED = st.sampled_from(["", "text/plain", "text/html", "application/pdf", "image/png", "text/markdown", "application/octet-stream", "x/y; charset=bogus"])
NAMES = st.sampled_from(["", "a.txt", "a.pdf", "a.html", "a.md", "a.png", "noext"])
# Labels of text encodings, labels of none, and Python codecs that are not text encodings.
CHARSETS = st.sampled_from([None, "utf-8", "latin-1", "iso-8859-1", "nonsense", "utf-16", "utf-16be", "utf-32", "shift_jis", "idna", "undefined", "base64", "zlib"])


def read(data: bytes, **kwargs) -> Extraction | ExtractionError:
    try:
        return extract(io.BytesIO(data), **kwargs)
    except ExtractionError as error:
        return error


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=4096), declared=DECLARED, filename=NAMES, charset=CHARSETS)
def test_random_bytes_are_read_or_refused(data, declared, filename, charset):
    result = read(data, declared_type=declared, filename=filename, charset=charset)
    if isinstance(result, Extraction):
        assert result.text.strip()
        # A zero byte is binary data; a NUL character of UTF-16 or UTF-32 text is text, which
        # the source's validation refuses (``null_character``).
        assert "\x00" not in result.text or choose(io.BytesIO(data), charset).has_zero_bytes


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_corrupt_pdfs_are_read_or_refused(data):
    pdf = bytearray(VALID_PDF)
    for _ in range(data.draw(st.integers(1, 20))):
        position = data.draw(st.integers(0, len(pdf) - 1))
        pdf[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(8, len(pdf)))
    result = read(bytes(pdf[:cut]))
    assert isinstance(result, (Extraction, ExtractionError))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_corrupt_html_is_read_or_refused(data):
    html = bytearray(VALID_HTML)
    for _ in range(data.draw(st.integers(1, 40))):
        position = data.draw(st.integers(0, len(html) - 1))
        html[position] = data.draw(st.sampled_from(b"<>\"'=/\x00\xff\xfe&;!-"))
    result = read(bytes(html), declared_type="text/html")
    if isinstance(result, Extraction):
        assert "\x00" not in result.text


HTML_BOMBS = {
    "deep-nesting": b"<html><body>" + b"<div>" * 100_000 + b"<p>deep</p>" + b"</div>" * 100_000 + b"</body></html>",
    "unclosed-tags": b"<html><body>" + b"<b><i><u>" * 50_000 + b"text",
    "huge-attribute-count": b"<html><body><div " + b" ".join(b'a%d="x"' % i for i in range(200_000)) + b"><p>text</p></div></body></html>",
    "huge-attribute-value": b"<html><body><p title=\"" + b"x" * 3_000_000 + b"\">Words of the page, long enough to be its main text here.</p></body></html>",
    "endless-comment": b"<html><body><!--" + b"-" * 2_000_000,
    "entity-flood": b"<html><body><p>" + b"&amp;&#x41;&lt;" * 200_000 + b"</p></body></html>",
    "nul-and-garbage": b"<html><body><p>\x00\x01\x02 text \xff\xfe</p>" * 1000 + b"</body></html>",
    "script-only": b"<html><head><script>" + b"var a=1;" * 100_000 + b"</script></head><body></body></html>",
    # 8 MB of a million short paragraphs: read, it held a thread for a minute and a half.
    "paragraph-flood": b"<html><body>" + b"<p>x</p>" * 1_000_000 + b"</body></html>",
}


@pytest.mark.parametrize("name", HTML_BOMBS)
def test_html_bombs_are_refused_or_read_in_seconds(name):
    started = time.perf_counter()
    result = read(HTML_BOMBS[name], declared_type="text/html")
    assert isinstance(result, (Extraction, ExtractionError))
    # Generous, for a busy machine: the point is that none of them takes minutes.
    assert time.perf_counter() - started < 30


def test_a_page_of_more_elements_than_are_read_is_refused_saying_so():
    from sources.ingest import html

    def page(paragraphs: int, extra: str = "") -> str:
        # html, head, body and the paragraphs
        return f"<html><head>{extra}</head><body>" + "<p>x</p>" * paragraphs + "</body></html>"

    html.refuse_element_floods(page(html.MAX_HTML_ELEMENTS - 3))
    # What a script, a style or a comment holds is text, not elements.
    html.refuse_element_floods(page(html.MAX_HTML_ELEMENTS - 5, "<script>" + "<p>" * 1000 + "</script><style>a{}</style>"))
    with pytest.raises(ExtractionError) as refused:
        html.refuse_element_floods(page(html.MAX_HTML_ELEMENTS - 2))
    assert refused.value.code == "too_complex" and f"{html.MAX_HTML_ELEMENTS + 1:,} elements" in refused.value.message
    result = read(HTML_BOMBS["paragraph-flood"], declared_type="text/html")
    assert isinstance(result, ExtractionError) and result.code == "too_complex"


CORRUPT_PDFS = {
    "header-only": b"%PDF-1.7",
    "truncated": VALID_PDF[: len(VALID_PDF) // 2],
    "no-xref": VALID_PDF.split(b"xref")[0],
    "garbage-body": b"%PDF-1.4\n" + bytes(range(256)) * 200,
    "encrypted-looking": VALID_PDF.replace(b"/Root", b"/Encrypt 99 0 R /Root"),
    "zero-pages": b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF",
}


@pytest.mark.parametrize("name", CORRUPT_PDFS)
def test_corrupt_pdfs_are_a_clear_refusal(name):
    result = read(CORRUPT_PDFS[name])
    assert isinstance(result, (Extraction, ExtractionError))
    if isinstance(result, ExtractionError):
        assert result.code in {"unreadable_pdf", "no_text_layer", "empty_file"}


UPLOADS = [
    ("zero.txt", b"", "text/plain"),
    ("zero.pdf", b"", "application/pdf"),
    ("pdf-as-text.txt", VALID_PDF, "text/plain"),
    ("html-as-pdf.pdf", VALID_HTML, "application/pdf"),
    ("png-as-html.html", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "text/html"),
    ("bogus-type", b"words", "no/such; charset=\x7f"),
    ("nul.txt", b"a\x00b", "text/plain"),
    ("latin1.txt", "Café".encode("latin-1"), "text/plain; charset=utf-8"),
    ("deep.html", HTML_BOMBS["deep-nesting"], "text/html"),
    ("attributes.html", HTML_BOMBS["huge-attribute-count"], "text/html"),
    ("corrupt.pdf", CORRUPT_PDFS["truncated"], "application/pdf"),
    ("../../../etc/passwd", b"path traversal in the name", "text/plain"),
    ("x" * 300 + ".txt", b"a long file name", "text/plain"),
    ("ctrl\u202e.txt", b"a name with a direction override", "text/plain"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name, data, content_type", UPLOADS, ids=[item[0][:20] for item in UPLOADS])
def test_no_upload_is_answered_with_a_server_error(analyst, name, data, content_type):
    client = APIClient()
    client.force_authenticate(analyst)
    response = client.post("/api/v1/sources/", {"file": SimpleUploadedFile(name, data, content_type=content_type)}, format="multipart")
    assert response.status_code in (201, 400), response.content[:300]
    assert response.json()["code" if response.status_code == 400 else "id"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nno end", "multipart/form-data; boundary=x"),
        (b"garbage", "multipart/form-data"),
        (b"garbage", "multipart/form-data; boundary="),
        (b"--x--\r\n", "multipart/form-data; boundary=x"),
        (b"a=b", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_multipart_bodies_are_a_4xx(analyst, body, content_type):
    client = APIClient()
    client.force_authenticate(analyst)
    response = client.generic("POST", "/api/v1/sources/", body, content_type=content_type)
    assert 400 <= response.status_code < 500


TEXTS = st.text(st.characters(blacklist_categories=["Cs"]), max_size=300) | st.text(alphabet="\r\n\u2028\u2029 aé🙂\t", max_size=300)


@settings(max_examples=200, deadline=None)
@given(
    text=TEXTS,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]),
    chunk=st.integers(min_value=1, max_value=9),
)
def test_a_spooled_text_is_the_text_read_whole_whatever_the_bytes_and_the_pieces(text, encoding, chunk):
    """A file is decoded into a ``SpooledText`` or joined into a string depending only on
    its size: both must give the same text, or refuse it the same way, however the file
    falls into reads (``CHUNK``) and whatever its encoding."""
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    outcomes = []
    for spooled in (False, True):
        try:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(text_module, "CHUNK", chunk)
                result = text_module.read_text(io.BytesIO(data), charset=encoding, spooled=spooled)
        except ExtractionError as error:
            outcomes.append(("refused", error.code))
            continue
        if spooled:
            assert result.length == len(result.read()) and result.size == len(result.read().encode())
            assert result.blank == (not result.read() or result.read().isspace())
            result = result.read()
        outcomes.append(("read", result))
    assert outcomes[0] == outcomes[1]
    if encoding.startswith("utf-8") and outcomes[0][0] == "read" and not text.startswith("\ufeff"):
        # UTF-8 is tried first: what was written is what is read, CR LF and CR made LF, the
        # rest as it was (a text that starts with U+FEFF starts with what is read as a byte
        # order mark).
        assert outcomes[0][1] == normalise_line_endings(text)
