"""``export_claims`` and ``import_claims`` carry an orphaned span's re-anchoring suggestion
(``suggested_start``, ``suggested_end``, ``suggestion_score``), in evidence and in span
lines; a file written before they travelled still imports."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from claims import services
from claims.models import Claim, Evidence, Review
from sources.models import Source, Span
from sources.services import source_create, source_update, span_create

pytestmark = pytest.mark.django_db

BEFORE = "Intro line.\nThe committee met on Monday and approved the budget of five million.\nThe quick brown fox jumps over the lazy dog.\nEnd."
AFTER = "Intro line.\nThe board met on Tuesday, then approved the budget, of 5 million.\nA quick brown fox jumps.\nEnd."


def _export(tmp_path) -> bytes:
    path = tmp_path / "export.jsonl"
    call_command("export_claims", "--output", str(path), "--no-progress", "--with-sources", stderr=io.StringIO())
    return path.read_bytes()


def _import(tmp_path, content: bytes) -> None:
    path = tmp_path / "import.jsonl"
    path.write_bytes(content)
    call_command("import_claims", str(path), "--no-progress", stdout=io.StringIO())


def _empty_the_database() -> None:
    Review.objects.all()._raw_delete(Review.objects.db)
    Evidence.objects.all().delete()
    Claim.objects.all().delete()
    Span.objects.all().delete()
    Source.objects.all().delete()


def _suggestions() -> dict:
    return {
        span.quote: (span.anchor_state, span.suggested_start, span.suggested_end, span.suggestion_score)
        for span in Span.objects.all()
    }


@pytest.fixture
def orphans(analyst, reviewer):
    """Two orphaned spans with a suggestion: one cited by a draft claim, one cited by none."""
    source = source_create(user=analyst, title="Relocate probe source", text=BEFORE)
    services.claim_create(
        author=analyst, text="The committee approved the budget.",
        evidence=[services.EvidenceInput(source=source, quote="approved the budget", stance="supports")],
    )
    span_create(source=source, user=analyst, quote="quick brown fox")
    source_update(source=source, user=reviewer, text=AFTER)
    found = _suggestions()
    assert all(state == "orphaned" and start is not None for state, start, _, _ in found.values()), found
    return found


def test_an_orphaned_spans_suggestion_survives_export_and_import(tmp_path, orphans):
    exported = _export(tmp_path)
    lines = [json.loads(line) for line in exported.splitlines()]
    carried = [item for line in lines for item in line.get("evidence", [])] + [line for line in lines if line.get("type") == "span"]
    assert {item["quote"]: item["suggested_start"] for item in carried} == {
        quote: start for quote, (_, start, _, _) in orphans.items()
    }
    _empty_the_database()
    _import(tmp_path, exported)
    assert _suggestions() == orphans
    assert _export(tmp_path) == exported


def test_a_file_without_suggestions_still_imports_with_none(tmp_path, orphans):
    lines = [json.loads(line) for line in _export(tmp_path).splitlines()]
    for line in lines:
        for item in [line, *line.get("evidence", [])]:
            for name in ("suggested_start", "suggested_end", "suggestion_score"):
                item.pop(name, None)
    _empty_the_database()
    _import(tmp_path, b"".join(json.dumps(line).encode() + b"\n" for line in lines))
    assert {quote: values[1:] for quote, values in _suggestions().items()} == {quote: (None, None, None) for quote in orphans}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"suggestion_score": None}, "gives all of suggested_start, suggested_end, suggestion_score or none of them"),
        ({"suggested_end": 10_000}, "is not a passage of the source's text"),
        ({"suggestion_score": 101}, "suggestion_score must be a number from 0 to 100"),
        ({"anchor_state": "anchored", "quote": "quick brown fox", "start": None, "end": None},
         "only an orphaned span has a suggestion"),
    ],
)
def test_a_suggestion_that_cannot_be_is_a_line_error(tmp_path, orphans, change, message):
    lines = [json.loads(line) for line in _export(tmp_path).splitlines()]
    span = next(line for line in lines if line.get("type") == "span")
    span.update(change)
    _empty_the_database()
    with pytest.raises(CommandError):
        out = io.StringIO()
        path = tmp_path / "import.jsonl"
        path.write_bytes(b"".join(json.dumps(line).encode() + b"\n" for line in lines))
        call_command("import_claims", str(path), "--no-progress", stdout=out, stderr=out)
    assert message in out.getvalue()
