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
