"""Memory on large files: a source made from a text file holds twice its text at most,
never the extra copies that reading, decoding, checking, hashing and rendering can make.

Measured with tracemalloc (Python's allocations: deterministic, unlike RSS). What the
database driver allocates while it runs a statement is its own and is left out (SQLite's
encodes a text to UTF-8 with room for twice that, psycopg quotes it into the query):
bench/ingestion.py measures the whole process."""

from __future__ import annotations

import hashlib
import json
import tracemalloc

import pytest
from django.db import connection
from rest_framework.renderers import JSONRenderer

from project.api import LongTextJSONRenderer
from sources import ingestion, services
from sources.ingest import extract
from sources.models import Source, sha256_of

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


@FILES
def test_reading_a_20_mb_text_file_holds_twice_its_text_at_most(tmp_path, name, line, newline):
    path, size = text_file(tmp_path, name, 20 * MB, line=line, newline=newline)
    with path.open("rb") as stream:
        extraction, peak = traced_peak(extract, stream, filename=name)
    # The pieces read and the text they are joined into. The whole file's bytes alive with
    # the text, and the text stripped or re-ended whole, made 3x.
    assert peak < 2.2 * size, f"{peak / MB:.1f} MB allocated at the peak for a {size / MB:.1f} MB file"
    assert extraction.text.startswith(line.replace("\r\n", "\n")[:20]) and "\r" not in extraction.text


def test_hashing_a_long_text_does_not_copy_it():
    text = LINE * (20 * MB // len(LINE))
    digest, peak = traced_peak(sha256_of, text)
    assert peak < 4 * MB and digest == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="psycopg keeps a statement's encoded parameters until its cursor closes, after the measurement "
    "above has let the driver's allocations go",
)
@FILES
def test_a_20_mb_text_file_becomes_a_source_holding_at_most_about_twice_its_text(tmp_path, name, line, newline):
    path, size = text_file(tmp_path, name, 20 * MB, line=line, newline=newline)
    with path.open("rb") as stream:
        source, peak = traced_peak(ingestion.source_create_from_file, stream=stream, filename=name)
    # The text and the pieces it is joined from (and a little besides). The whole file's
    # bytes alive with the text, and the text stripped, hashed or re-ended whole, made 3x.
    assert peak < 2.5 * size, f"{peak / MB:.1f} MB allocated at the peak for a {size / MB:.1f} MB file"
    source.refresh_from_db()
    assert source.text_length == len(source.text) > 0.9 * size / (2 if "accents" in name else 1)
    assert source.text_sha256 == sha256_of(source.text)
    assert "\r" not in source.text and source.original_size == size


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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite's driver keeps parameters bound")
def test_on_sqlite_a_long_text_is_not_kept_bound_after_its_commit():
    """SQLite's driver keeps a statement's parameters bound in its statement cache: after a
    long text is committed, the connection is closed so that they go (see
    ``sources.services._release_bound_text``). A short text keeps the connection."""
    services.source_create(text="Short.", title="Short")
    assert connection.connection is not None
    services.source_create(text=LINE * (services.LONG_TEXT // len(LINE) + 1), title="Long")
    assert connection.connection is None
    assert Source.objects.get(title="Long").text_length > services.LONG_TEXT


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's binding of parameters")
def test_on_postgresql_a_long_text_is_sent_apart_from_its_statement():
    """Quoted into the statement (client-side binding), a long text costs two more copies
    of itself: its INSERTs send it as a parameter (see ``_text_sent_apart``), and the
    connection goes back to quoting afterwards."""
    from django.db.backends.postgresql.base import Cursor, ServerBindingCursor

    cursors = []

    def record(execute, sql, params, many, context):
        if sql.startswith("INSERT INTO \"sources_"):
            cursors.append(type(context["cursor"].cursor))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        services.source_create(text=LINE * (services.LONG_TEXT // len(LINE) + 1), title="Long")
        services.source_create(text="Short.", title="Short")
    assert cursors == [ServerBindingCursor, ServerBindingCursor, Cursor, Cursor]
    assert connection.connection.cursor_factory is Cursor
    assert Source.objects.get(title="Long").text_length > services.LONG_TEXT
