"""A file written before spans had to hold whole characters: its spans that begin or end
inside a character are refused with a way out (``--widen-split-characters``), and with it
are widened to hold the character, each one listed; nothing else changes."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command

from claims.models import Claim
from claims.transfer import ImportRefused, import_claims
from sources.models import Source, Span

pytestmark = pytest.mark.django_db

FLAG = "\U0001f1f7\U0001f1fa"  # one character on the screen, two code points
TEXT = f"Moscow {FLAG} voted six times for the sanctions, June 2006 to June 2010."
FLAG_AT = TEXT.index(FLAG)


@pytest.fixture
def flagged(analyst):
    from sources.services import source_create

    return source_create(user=analyst, title="Votes", text=TEXT, publisher="Example")


def claim_line(source, start: int, end: int, **evidence) -> dict:
    return {
        "uid": str(uuid.uuid4()), "author": "analyst", "text": "Moscow voted six times for the sanctions.",
        "status": "draft", "verdict": "supported",
        "evidence": [{"source_sha256": source.text_sha256, "start": start, "end": end, "quote": TEXT[start:end],
                      "stance": "supports", **evidence}],
    }


def written(tmp_path, *lines: dict) -> str:
    path = tmp_path / "old.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return str(path)


def test_a_span_ending_inside_a_character_is_refused_naming_the_way_to_widen_it(tmp_path, flagged):
    path = written(tmp_path, claim_line(flagged, 0, FLAG_AT + 1))
    with pytest.raises(ImportRefused) as refused:
        import_claims(path)
    message = str(refused.value.errors[0])
    assert "line 1" in message and "inside a character" in message and "--widen-split-characters" in message
    assert not Claim.objects.exists()


def test_widened_the_span_holds_the_whole_character_and_its_quote_is_the_text_there(tmp_path, flagged):
    report = import_claims(written(tmp_path, claim_line(flagged, 0, FLAG_AT + 1)), widen_split_characters=True)
    span = Span.objects.get()
    assert (span.start, span.end) == (0, FLAG_AT + 2)
    assert span.quote == TEXT[span.start:span.end] == f"Moscow {FLAG}"
    assert report.spans_widened == [(1, (0, FLAG_AT + 1), (0, FLAG_AT + 2))]


def test_a_start_inside_a_character_is_moved_back_to_its_beginning(tmp_path, flagged):
    import_claims(written(tmp_path, claim_line(flagged, FLAG_AT + 1, FLAG_AT + 8)), widen_split_characters=True)
    span = Span.objects.get()
    assert (span.start, span.end) == (FLAG_AT, FLAG_AT + 8) and span.quote.startswith(FLAG)


def test_widening_still_asks_that_the_quote_is_the_text_at_the_offsets_given(tmp_path, flagged):
    line = claim_line(flagged, 0, FLAG_AT + 1)
    line["evidence"][0]["quote"] = "Moscow voted"
    with pytest.raises(ImportRefused) as refused:
        import_claims(written(tmp_path, line), widen_split_characters=True)
    assert "does not match" in str(refused.value.errors[0])
    assert not Span.objects.exists()


def test_widening_still_asks_that_the_context_agrees_with_the_text_at_the_offsets_given(tmp_path, flagged):
    line = claim_line(flagged, FLAG_AT + 1, FLAG_AT + 8, suffix=" abstained, June 2006")
    with pytest.raises(ImportRefused):
        import_claims(written(tmp_path, line), widen_split_characters=True)
    assert not Span.objects.exists()


def test_widening_leaves_spans_of_whole_characters_as_they_are(tmp_path, flagged):
    report = import_claims(written(tmp_path, claim_line(flagged, 0, 6)), widen_split_characters=True)
    assert (Span.objects.get().start, Span.objects.get().end) == (0, 6) and report.spans_widened == []


def test_a_span_line_is_widened_too(tmp_path, flagged):
    line = {"type": "span", "uid": str(uuid.uuid4()), "source_sha256": flagged.text_sha256,
            "start": FLAG_AT + 1, "end": len(TEXT)}
    report = import_claims(written(tmp_path, line), widen_split_characters=True)
    assert (Span.objects.get().start, Span.objects.get().end) == (FLAG_AT, len(TEXT))
    assert report.spans_widened == [(1, (FLAG_AT + 1, len(TEXT)), (FLAG_AT, len(TEXT)))]


def test_the_command_lists_each_span_it_widened(tmp_path, flagged):
    out = io.StringIO()
    path = written(tmp_path, claim_line(flagged, 0, FLAG_AT + 1))
    with pytest.raises(CommandError):
        call_command("import_claims", path, "--no-progress", stdout=out, stderr=io.StringIO())
    call_command("import_claims", path, "--no-progress", "--widen-split-characters", stdout=out)
    assert f"line 1: span [0, {FLAG_AT + 1}) widened to [0, {FLAG_AT + 2})" in out.getvalue()
    assert "1 spans widened to whole characters" in out.getvalue()
    assert Source.objects.count() == 1 and Claim.objects.count() == 1


def test_the_context_an_old_file_gives_is_read_at_the_offsets_it_gives(tmp_path, flagged):
    """Its prefix ends inside the character, where its span begins: it agrees there, not
    at the widened start."""
    line = claim_line(flagged, FLAG_AT + 1, FLAG_AT + 8, prefix=TEXT[FLAG_AT : FLAG_AT + 1], suffix=" six")
    import_claims(written(tmp_path, line), widen_split_characters=True)
    span = Span.objects.get()
    assert (span.start, span.end) == (FLAG_AT, FLAG_AT + 8) and span.prefix == "Moscow "
