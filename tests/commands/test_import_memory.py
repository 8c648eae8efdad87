"""An export's sources come first, with their texts (and originals): the import reads them a
bounded batch at a time, not all at once before the first thousand claims."""

from __future__ import annotations

import io
import json
import uuid

import pytest

from claims.transfer import records
from claims.transfer.importing import import_claims
from sources.models import Source
from tests.ingest.test_memory import traced_peak

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def test_a_batch_ends_once_its_lines_pass_the_byte_budget(monkeypatch):
    monkeypatch.setattr(records, "BATCH_BYTES", 250)
    lines = b"".join(json.dumps({"type": "entity", "slug": f"e{n}", "pad": "x" * 60}).encode() + b"\n" for n in range(7))
    batches = list(records._batches(io.BytesIO(lines), 1000, lambda size: None))
    assert [len(batch) for batch in batches] == [3, 3, 1]


def _sources_file(tmp_path, count: int):
    paragraph = "Russia voted for the sanctions on Iran after long talks at the council. " * 14_000  # 1 MB
    path = tmp_path / f"sources-{count}.jsonl"
    with path.open("w") as out:
        for n in range(count):
            out.write(json.dumps({"type": "source", "uid": str(uuid.uuid4()), "title": f"Report {n}", "text": f"{n} {paragraph}"}) + "\n")
    return path


def test_the_memory_an_import_of_sources_holds_does_not_grow_with_the_file(tmp_path, monkeypatch, analyst):
    monkeypatch.setattr(records, "BATCH_BYTES", 2 * MB)
    monkeypatch.setattr(records.SourceCache.__init__, "__defaults__", (MB,))  # texts kept for later claims
    _, few = traced_peak(import_claims, str(_sources_file(tmp_path, 6)), user=analyst)  # the driver's copies left out
    _, many = traced_peak(import_claims, str(_sources_file(tmp_path, 24)), user=analyst)
    assert Source.objects.count() == 30
    # A batch's lines and what checking and writing them takes: not the file. Each batch
    # was held to the end before (a cycle the import's paced collector did not reach).
    assert many < few + 4 * MB, f"{few / MB:.1f} MB at the peak for 6 MB of sources, {many / MB:.1f} MB for 24 MB"


def test_a_line_longer_than_any_valid_line_is_refused_unparsed_and_the_rest_is_checked(tmp_path, settings, analyst):
    """A corrupt line of a 200 MB original was parsed whole (930 MB) before its size was
    refused: one longer than any valid line is counted a chunk at a time and never held."""
    from claims.transfer.records import ImportRefused

    settings.MAX_SOURCE_MB, settings.MAX_BODY_MB = 1, 1  # no valid line of more than 14 MB
    huge = b'{"type": "source", "title": "Huge", "text": "A text.", "original": "' + b"A" * (24 * MB) + b'"}'
    path = tmp_path / "huge.jsonl"
    path.write_bytes(
        b'{"type": "entity", "slug": "before", "name": "Before", "kind": "organization"}\n'
        + huge + b"\n"
        + b'{"type": "entity", "slug": "after", "name": "After", "kind": "nonsense"}\n'
        + b'{"type": "entity", "slug": "last", "name": "Last", "kind": "organization"}'  # no final line break
    )
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path), user=analyst)
    assert [str(error) for error in refused.value.errors] == [
        f"line 2: {len(huge) + 1:,} bytes, longer than any valid line can be (13,981,016, from MAX_SOURCE_MB and MAX_BODY_MB)",
        "line 3: kind 'nonsense' is not one of country, person, organization, event, other",
    ]


def test_the_memory_of_refusing_a_line_too_long_is_a_chunk_not_the_line(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "READ_CHUNK_BYTES", 64 * 1024)
    path = tmp_path / "huge.jsonl"
    path.write_bytes(b'{"type": "entity", "slug": "a", "name": "A", "kind": "other"}\n' + b"x" * (24 * MB) + b"\n{}")

    def read():
        with path.open("rb") as handle:
            return [(number, size, None if line is None else len(line)) for number, size, line in records._read_lines(handle, limit=MB)]

    lines, peak = traced_peak(read)
    assert lines == [(1, 62, 62), (2, 24 * MB + 1, None), (3, 2, 2)]
    assert peak < 2 * MB, f"{peak / MB:.1f} MB to read past a line of 24 MB"


class _Pipe(io.BytesIO):
    def seekable(self):
        return False


@pytest.mark.parametrize("opened", [lambda path: path.open("rb"), lambda path: _Pipe(path.read_bytes())], ids=["file", "pipe"])
def test_a_line_as_long_as_the_limit_is_read_whole_across_chunks(tmp_path, monkeypatch, opened):
    monkeypatch.setattr(records, "READ_CHUNK_BYTES", 1000)
    body = b'{"type": "entity", "slug": "a", "name": "' + b"n" * 4000 + b'", "kind": "other"}'
    path = tmp_path / "long.jsonl"
    path.write_bytes(body + b"\n" + body + b"\n" + body)
    with opened(path) as handle:
        lines = list(records._read_lines(handle, limit=len(body)))
    assert [(number, size, bytes(line)) for number, size, line in lines] == [
        (1, len(body) + 1, body + b"\n"), (2, len(body) + 1, body + b"\n"), (3, len(body), body),
    ]
    with opened(path) as handle:
        assert [(number, line) for number, _, line in records._read_lines(handle, limit=len(body) - 1)] == [
            (1, None), (2, None), (3, None),
        ]
