"""Memory on large files: a source made from a large text file never holds its text in
memory, from the upload to the database and back into the answer; a long text given as a
string holds it and the answer, never the extra copies that checking, hashing and rendering
can make.

Measured with tracemalloc (Python's allocations: deterministic, unlike RSS). What the
database driver allocates while it runs a statement is its own and is left out; a long text
is never one of a statement's parameters, which the drivers would keep a copy of
(``sources.services._text_sent_in_slices``, tested below). bench/ingestion.py measures the
whole process."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler

import pytest
from django.db import OperationalError, connection, transaction
from rest_framework.renderers import JSONRenderer

from project.api import LongTextJSONRenderer
from project.errors import Conflict
from sources import ingestion, services
from sources.ingest import SpooledText, extract, pdf
from sources.models import Source, sha256_of
from sources.serializers import SourceDetailSerializer
from tests.documents import pdf_bytes
from tests.support import local_server

MB = 2**20
LINE = "Plain notes, one line after another, as a transcript would have them.  \n"


def traced_peak(function, *args, **kwargs) -> tuple[object, int]:
    """What ``function`` returns, and the peak of memory it allocated above what was
    allocated when it was called, outside the database driver's statements (what they
    keep is counted from then on)."""
    peaks = []

    def outside_the_driver(execute, sql, params, many, context):
        peaks.append(tracemalloc.get_traced_memory()[1])
        try:
            return execute(sql, params, many, context)
        finally:
            tracemalloc.reset_peak()

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        with connection.execute_wrapper(outside_the_driver):
            result = function(*args, **kwargs)
        return result, max(peaks + [tracemalloc.get_traced_memory()[1]]) - before
    finally:
        tracemalloc.stop()


def text_file(tmp_path, name: str, size: int, *, line: str = LINE, newline: str = "\n"):
    path = tmp_path / name
    data = (line.replace("\n", newline) * (size // len(line))).encode()
    path.write_bytes(data)
    return path, len(data)


FILES = pytest.mark.parametrize(
    ("name", "line", "newline"),
    [
        ("notes.txt", LINE, "\n"),
        ("notes.md", "# Minutes\n\nSome *emphasis*, a [link](https://example.org), trailing spaces.  \n", "\n"),
        ("windows.txt", LINE, "\r\n"),
        ("accents.txt", "Café, naïve, Zürich, São Paulo, déjà vu: a line of notes.\n", "\n"),
    ],
)


# What a large text file may cost, whatever its size: a few pieces of a megabyte.
FLAT = 8 * MB


@FILES
def test_reading_a_20_mb_text_file_holds_a_few_pieces_of_it_not_its_text(tmp_path, name, line, newline):
    path, size = text_file(tmp_path, name, 20 * MB, line=line, newline=newline)
    with path.open("rb") as stream:
        extraction, peak = traced_peak(extract, stream, filename=name)
    # Joined into a string, the pieces and the text made 2x the file.
    assert peak < FLAT, f"{peak / MB:.1f} MB allocated at the peak for a {size / MB:.1f} MB file"
    assert isinstance(extraction.text, SpooledText)
    first = next(extraction.text.pieces())
    assert first.startswith(line.replace("\r\n", "\n")[:20]) and "\r" not in first


def test_hashing_a_long_text_does_not_copy_it():
    text = LINE * (20 * MB // len(LINE))
    digest, peak = traced_peak(sha256_of, text)
    assert peak < 4 * MB and digest == hashlib.sha256(text.encode()).hexdigest()


def _created_and_answered(stream, name: str) -> tuple[Source, str]:
    """A source created from the file, and the SHA-256 of the API's answer, rendered a
    chunk at a time as ``long_text_response`` streams it."""
    source = ingestion.source_create_from_file(stream=stream, filename=name)
    digest = hashlib.sha256()
    for chunk in LongTextJSONRenderer().stream(SourceDetailSerializer(source).data):
        digest.update(chunk)
    return source, digest.hexdigest()


@pytest.mark.django_db
@FILES
def test_a_20_mb_text_file_becomes_a_source_and_its_answer_without_its_text_in_memory(tmp_path, name, line, newline):
    # The first source of the process allocates what stays for the next (lazy imports,
    # compiled queries): measured after one, and against one a tenth of the size.
    small, _ = text_file(tmp_path, "small-" + name, 2 * MB, line="Another line.\n", newline=newline)
    with small.open("rb") as stream:
        _, small_peak = traced_peak(_created_and_answered, stream, small.name)
    path, size = text_file(tmp_path, name, 20 * MB, line=line, newline=newline)
    with path.open("rb") as stream:
        (source, answered), peak = traced_peak(_created_and_answered, stream, name)
    # Held as a string, the text made 1x at least; rendered into one body, 2x.
    assert peak < FLAT, f"{peak / MB:.1f} MB allocated at the peak for a {size / MB:.1f} MB file"
    assert peak < small_peak + MB, f"{small_peak / MB:.1f} MB for 2 MB, {peak / MB:.1f} MB for 20 MB"
    source.refresh_from_db()
    expected = path.read_bytes().decode().replace("\r\n", "\n")
    assert source.text == expected and source.history.get().text == expected
    assert source.text_length == len(expected) and source.text_sha256 == sha256_of(expected)
    assert source.original_size == size
    body = JSONRenderer().render(SourceDetailSerializer(source).data)
    assert answered == hashlib.sha256(body).hexdigest()


def test_the_text_hash_is_the_hash_of_the_whole_text_encoded():
    for text in ["", "a", "é" * (MB + 3), "x\U0001f600" * (MB // 2 + 1), LINE * 40_000]:
        assert sha256_of(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()


LONG = ("A quote \"in quotes\", a back\\slash, a tab\t, Ünïcode, \u2028 and \u2029, and an emoji \U0001f600.\n" * 30_000)


@pytest.mark.parametrize("accepted", [None, "application/json; indent=4"])
def test_a_long_text_renders_byte_for_byte_as_drf_renders_it(accepted):
    assert len(LONG) > LongTextJSONRenderer.LONG
    data = {"id": 7, "text": LONG, "title": "T", "notes": LONG[:100], "more": [1, None, "x"], "quote": LONG[: LongTextJSONRenderer.LONG + 5]}
    ours = LongTextJSONRenderer().render(data, accepted)
    assert ours == JSONRenderer().render(data, accepted)
    assert json.loads(ours)["text"] == LONG


def test_rendering_a_long_text_holds_the_answer_and_little_else():
    text = LINE * (20 * MB // len(LINE))
    data = {"id": 1, "title": "Notes", "text": text}
    body, peak = traced_peak(LongTextJSONRenderer().render, data)
    # DRF's renderer holds the escaped text, the joined JSON and the encoded answer at once.
    assert peak < 1.3 * len(body), f"{peak / MB:.1f} MB allocated at the peak for a {len(body) / MB:.1f} MB answer"
    assert body.startswith(b'{"id":1,"title":"Notes","text":"Plain notes') and body.endswith(b'\\n"}')


# Long, with characters of one to four bytes in UTF-8, one of them across the boundary of
# PostgreSQL's slices.
LONG_ACCENTED = ("Zürich, São Paulo, ½ 🙂 " * (services.TEXT_SLICE // 23 + 1))[: services.TEXT_SLICE - 1] + "🙂é\n" * 2**20


def _long_text_parameters(run, text: str) -> list[int]:
    """The sizes of the parameters of the statements ``run()`` sends that are as long as
    half of ``text`` in UTF-8 or longer (PostgreSQL's slices of it are shorter)."""
    sizes = []
    half = len(text.encode()) // 2

    def record(execute, sql, params, many, context):
        for value in (params or ()) if not many else ():
            if isinstance(value, (str, bytes)) and len(value) >= half:
                sizes.append(len(value))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    return sizes


@pytest.mark.django_db
@pytest.mark.parametrize("text", [LINE * (3 * services.LONG_TEXT // len(LINE)), LONG_ACCENTED], ids=["ascii", "accented"])
def test_a_long_text_is_never_bound_to_a_statement_and_is_stored_whole(text):
    """Bound, a long text's copy outlives its statement (SQLite's statement cache, libpq's
    output buffer); see ``sources.services._text_sent_in_slices``."""
    assert _long_text_parameters(lambda: services.source_create(text=text, title="Long"), text) == []
    source = Source.objects.get(title="Long")
    assert source.text == text
    assert (source.text_length, source.text_sha256) == (len(text), sha256_of(text))
    assert source.history.get().text == text
    replaced = text[::-1].replace("\n", " ") + "\n"
    assert _long_text_parameters(lambda: services.source_update_text(source=source, text=replaced), replaced) == []
    source.refresh_from_db()
    assert source.text == replaced and source.text_length == len(replaced)
    assert source.text_sha256 == sha256_of(replaced)
    assert [row.text == replaced for row in source.history.order_by("-history_id")] == [True, False]


@pytest.mark.django_db
def test_a_short_text_is_saved_as_any_field():
    sizes = []

    def record(execute, sql, params, many, context):
        sizes.extend(len(value) for value in params or () if value == "A short text.")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        services.source_create(text="A short text.", title="Short")
    assert sizes == [13, 13]  # the source's INSERT, its history row's


@pytest.mark.django_db
def test_what_a_long_text_is_read_from_goes_after_its_save_even_a_failed_one(monkeypatch):
    long = LINE * (services.LONG_TEXT // len(LINE) + 1)

    def large_objects() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_largeobject_metadata")
            return cursor.fetchone()[0]

    def no_function() -> bool:
        with connection.cursor() as cursor:
            try:
                cursor.execute("SELECT claimbase_long_text()")
            except OperationalError:
                return True
        return False

    gone = large_objects if connection.vendor == "postgresql" else no_function
    before = gone()
    services.source_create(text=long, title="Long", url="https://example.org/long")
    assert gone() == before
    # Validation would see the URL taken first: the database's constraint must fail the save.
    monkeypatch.setattr(services, "_validated", lambda source: None)
    with pytest.raises(Conflict) as refused:
        with transaction.atomic():
            services.source_create(text=long + "more", title="Again", url="https://example.org/long")
    assert refused.value.code == "duplicate_url"
    assert gone() == before
    assert Source.objects.filter(url="https://example.org/long").count() == 1


def _openings(monkeypatch) -> list[list[int]]:
    """The numbers of the pages loaded by each opening of a document from now on."""
    openings: list[list[int]] = []
    opened = pdf.pdfium.PdfDocument

    class Counted(opened):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            openings.append([])

        def __getitem__(self, number):
            openings[-1].append(number)
            return super().__getitem__(number)

    monkeypatch.setattr(pdf.pdfium, "PdfDocument", Counted)
    return openings


PICTURE = 64 * 1024  # bytes of each page's picture, as stored


def test_a_pdf_of_many_illustrated_pages_is_read_a_few_pages_per_opening_and_whole(monkeypatch):
    """PDFium keeps what it parsed of a document (pictures too) until it is closed: a long
    illustrated report is read by openings of ``PICTURE_BYTES_PER_OPENING`` bytes of
    pictures at most (bench/ingestion.py measures the memory), and its text is the same as
    read in one."""
    monkeypatch.setattr(pdf, "PICTURE_BYTES_PER_OPENING", 8 * PICTURE)
    pages = [[(72, 700, f"Page {number} says something of its own.")] for number in range(19)]
    data = pdf_bytes(pages, image_bytes=PICTURE, picture_on_every_page=True)
    openings = _openings(monkeypatch)
    text, _ = pdf.read_pdf(io.BytesIO(data))
    assert text.split("\n\n") == [f"Page {number} says something of its own." for number in range(len(pages))]
    assert [len(numbers) for numbers in openings] == [8, 8, 3]
    assert [number for numbers in openings for number in numbers] == list(range(len(pages)))
    monkeypatch.setattr(pdf, "PICTURE_BYTES_PER_OPENING", len(pages) * PICTURE)
    assert pdf.read_pdf(io.BytesIO(data))[0] == text


def test_a_pdf_of_many_pages_of_text_is_read_in_one_opening(monkeypatch):
    """Loading page n of a document just opened costs time in proportion to n: reopened
    every 8 pages, 5,000 pages of a word each took 14 s, against 1 s in one opening."""
    pages = [[(72, 700, f"Page {number}.")] for number in range(100)]
    openings = _openings(monkeypatch)
    text, _ = pdf.read_pdf(io.BytesIO(pdf_bytes(pages)))
    assert text.split("\n\n") == [f"Page {number}." for number in range(100)]
    assert openings == [list(range(100))]


def test_a_pdf_of_pages_drawing_many_objects_is_reopened_all_the_same(monkeypatch):
    monkeypatch.setattr(pdf, "OBJECTS_PER_OPENING", 30)
    pages = [[(72, 700 - 14 * line, f"Line {line} of page {number}.") for line in range(10)] for number in range(7)]
    openings = _openings(monkeypatch)
    pdf.read_pdf(io.BytesIO(pdf_bytes(pages)))
    assert [len(numbers) for numbers in openings] == [3, 3, 1]


@pytest.mark.django_db
def test_a_20_mb_text_fetched_from_the_web_becomes_a_source_without_its_text_in_memory(tmp_path, settings):
    """The fetched body goes to a temporary file as it arrives (``project.net``), and
    from there as an uploaded file's does."""
    path, size = text_file(tmp_path, "transcript.txt", 20 * MB)
    small, _ = text_file(tmp_path, "small.txt", 2 * MB, line="Another line.\n")

    class Serving(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            served = tmp_path / self.path.lstrip("/")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(served.stat().st_size))
            self.end_headers()
            with served.open("rb") as stream:
                shutil.copyfileobj(stream, self.wfile, MB)

    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    with local_server(Serving) as base:
        _, small_peak = traced_peak(ingestion.source_create_from_url, url=f"{base}/small.txt")
        source, peak = traced_peak(ingestion.source_create_from_url, url=f"{base}/transcript.txt")
    # Held as one body (and joined from its chunks), the fetched bytes made 2x the file.
    assert peak < FLAT and peak < small_peak + MB, f"{small_peak / MB:.1f} MB for 2 MB, {peak / MB:.1f} MB for 20 MB"
    source.refresh_from_db()
    assert source.text == path.read_text() and source.original_size == size


@pytest.mark.parametrize("compress", [zlib.compress, gzip.compress], ids=["deflate", "gzip"])
def test_an_upload_of_compressed_bytes_is_not_inflated(compress):
    # 50 KB that inflate to 50 MB: the page is read from the bytes sent, never from what they
    # would inflate to (trafilatura's own decoding inflates them).
    bomb = compress(b"<html><body><article><p>" + b"Sanctions. " * 5_000_000 + b"</p></article></body></html>")
    assert len(bomb) < MB
    (_, error), peak = traced_peak(_refusal, bomb)
    assert error is not None
    assert peak < 20 * MB, f"{peak / MB:.0f} MB for {len(bomb) / 1024:.0f} KB of compressed bytes"


def _refusal(data: bytes):
    try:
        return extract(io.BytesIO(data), declared_type="text/html", filename="page.html"), None
    except Exception as error:  # noqa: BLE001 - the refusal is what is looked at
        return None, error


def test_a_page_of_many_drawn_objects_is_not_looked_through_object_by_object(monkeypatch):
    """Its pictures' bytes were summed a call per object: 700 pages of 5,000 shapes took
    past the time a PDF is given (too_complex). Such a page reopens the document by its
    objects' count alone, once the document's allowance of such objects is spent."""
    monkeypatch.setattr(pdf, "PICTURES_COUNTED_UP_TO", 5)
    monkeypatch.setattr(pdf, "CROWDED_OBJECTS_LOOKED_AT", 0)
    calls = []
    get_object = pdf.pdfium_raw.FPDFPage_GetObject
    monkeypatch.setattr(pdf.pdfium_raw, "FPDFPage_GetObject", lambda *args: calls.append(args) or get_object(*args))
    crowded = [[(72, 700 - 14 * line, f"Line {line}.") for line in range(10)]]
    pdf.read_pdf(io.BytesIO(pdf_bytes(crowded)))
    assert calls == []
    sparse = [[(72, 700, "One line.")]]
    pdf.read_pdf(io.BytesIO(pdf_bytes(sparse)))
    assert len(calls) == 1


def test_a_page_of_a_thousand_paragraphs_is_read():
    """The page is cut into blocks in a loop: cut by recursion, 1,150 paragraphs of one
    tall page passed Python's recursion limit, and the PDF was refused as unreadable."""
    boxes = [(72.0, 30000.0 - 24 * number, 300.0, 30008.0 - 24 * number) for number in range(1150)]
    blocks = pdf._reading_order(boxes, 8.0)
    assert [block[0] for block in blocks] == boxes  # each its own block, top first
