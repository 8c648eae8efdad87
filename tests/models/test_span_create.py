"""``span_create``: by offsets (a quote may come along and must match) or by quote, with
``prefix``/``suffix`` or ``occurrence`` choosing among repeats; an existing span is reused."""

from __future__ import annotations

import pytest

from project.errors import InvalidInput
from sources.models import Source, Span
from sources.services import AnchoringFailed, span_create

from ..support import SAMPLE_TEXT

pytestmark = pytest.mark.django_db

# "Russia voted" occurs twice in the sample text: at 0 and at 178.
FIRST, SECOND = 0, SAMPLE_TEXT.index("Russia voted again")


def _refused(code: str, source: Source, **arguments) -> AnchoringFailed | InvalidInput:
    count = Span.objects.count()
    with pytest.raises(InvalidInput) as caught:
        span_create(source=source, **arguments)
    assert caught.value.code == code
    assert caught.value.status_code == 400
    assert Span.objects.count() == count
    return caught.value


# ---------------------------------------------------------------------------------------------
# By offsets


def test_by_offsets_takes_the_quote_and_context_from_the_text(source, analyst):
    start = SAMPLE_TEXT.index("Moscow")
    end = start + len("Moscow later said")

    span, created = span_create(source=source, user=analyst, start=start, end=end)

    assert created
    assert (span.start, span.end, span.quote) == (start, end, "Moscow later said")
    assert span.prefix == SAMPLE_TEXT[start - 32 : start]
    assert span.suffix == SAMPLE_TEXT[end : end + 32]
    assert span.anchor_state == Span.AnchorState.ANCHORED
    assert span.created_by == analyst
    assert Span.objects.get(pk=span.pk).quote == SAMPLE_TEXT[start:end]


def test_context_is_shorter_at_the_edges_of_the_text(source):
    span, _ = span_create(source=source, start=0, end=6)
    assert span.prefix == ""
    end_span, _ = span_create(source=source, start=len(SAMPLE_TEXT) - 6, end=len(SAMPLE_TEXT))
    assert end_span.suffix == ""


def test_offsets_count_code_points(source):
    # The emoji is one code point (two UTF-16 units, four UTF-8 bytes).
    start = SAMPLE_TEXT.index("🙂")
    span, _ = span_create(source=source, start=start, end=start + 3)
    assert span.quote == "🙂 s"


def test_by_offsets_with_the_matching_quote(source):
    span, created = span_create(source=source, start=FIRST, end=FIRST + 12, quote="Russia voted")
    assert created and span.quote == "Russia voted"


def test_by_offsets_with_a_quote_that_does_not_match_is_refused(source):
    error = _refused("quote_mismatch", source, start=0, end=6, quote="Moscow")
    assert error.extra["actual"] == "Russia"


@pytest.mark.parametrize(
    ("start", "end"),
    [(-1, 5), (5, 5), (6, 5), (0, len(SAMPLE_TEXT) + 1)],
    ids=["negative", "empty", "reversed", "past-the-end"],
)
def test_offsets_outside_the_text_are_refused(source, start, end):
    _refused("offsets_out_of_range", source, start=start, end=end)


def test_whole_text_is_a_valid_span(source):
    span, _ = span_create(source=source, start=0, end=len(SAMPLE_TEXT))
    assert span.quote == SAMPLE_TEXT


def test_one_offset_alone_is_refused(source):
    _refused("offsets_incomplete", source, start=3)
    _refused("offsets_incomplete", source, end=3)


def test_occurrence_with_offsets_is_refused(source):
    _refused("occurrence_with_offsets", source, start=0, end=6, occurrence=1)


def test_neither_offsets_nor_quote_is_refused(source):
    _refused("span_unspecified", source)


# ---------------------------------------------------------------------------------------------
# By quote


def test_by_quote_finds_its_unique_place(source):
    span, created = span_create(source=source, quote="the sanctions went too far")
    start = SAMPLE_TEXT.index("the sanctions went too far")
    assert created and (span.start, span.end) == (start, start + len("the sanctions went too far"))


def test_quote_not_in_the_text_is_refused(source):
    _refused("quote_not_found", source, quote="Iran voted")


def test_empty_quote_is_refused(source):
    _refused("empty_quote", source, quote="")


def test_quote_matching_is_exact(source):
    # Case, quotes and spaces are the text's, never normalised.
    _refused("quote_not_found", source, quote="russia voted")
    _refused("quote_not_found", source, quote='"Curly quotes"')
    span, _ = span_create(source=source, quote="“Curly quotes”")
    assert span.quote == "“Curly quotes”"


def test_ambiguous_quote_is_refused_with_every_candidate(source):
    error = _refused("ambiguous_quote", source, quote="Russia voted")
    assert error.extra["candidates"] == [
        {"start": FIRST, "end": FIRST + 12},
        {"start": SECOND, "end": SECOND + 12},
    ]


def test_ambiguous_candidates_include_overlapping_occurrences(analyst):
    from sources.services import source_create

    source = source_create(user=analyst, title="Repeats", text="aaa")
    error = _refused("ambiguous_quote", source, quote="aa")
    assert error.extra["candidates"] == [{"start": 0, "end": 2}, {"start": 1, "end": 3}]


@pytest.mark.parametrize(("occurrence", "start"), [(1, FIRST), (2, SECOND)])
def test_occurrence_picks_the_nth_repeat(source, occurrence, start):
    span, _ = span_create(source=source, quote="Russia voted", occurrence=occurrence)
    assert (span.start, span.end) == (start, start + 12)


@pytest.mark.parametrize("occurrence", [0, 3, -1])
def test_occurrence_out_of_range_is_refused(source, occurrence):
    _refused("occurrence_out_of_range", source, quote="Russia voted", occurrence=occurrence)


def test_prefix_chooses_among_repeats(source):
    span, _ = span_create(source=source, quote="Russia voted", prefix="this sentence. ")
    assert span.start == SECOND


def test_suffix_chooses_among_repeats(source):
    span, _ = span_create(source=source, quote="Russia voted", suffix=" six times")
    assert span.start == FIRST


def test_context_that_fits_neither_repeat_better_is_ambiguous(source):
    error = _refused("ambiguous_quote", source, quote="Russia voted", suffix=" x")
    assert len(error.extra["candidates"]) == 2


# ---------------------------------------------------------------------------------------------
# Reuse, and the source's current text


def test_existing_span_at_the_same_place_is_reused(source):
    span, created = span_create(source=source, quote="the sanctions went too far")
    again, created_again = span_create(source=source, start=span.start, end=span.end)
    assert created and not created_again
    assert again.pk == span.pk
    assert Span.objects.filter(source=source).count() == 1


def test_different_offsets_make_a_different_span(source):
    first, _ = span_create(source=source, quote="Russia voted", occurrence=1)
    second, created = span_create(source=source, quote="Russia voted", occurrence=2)
    assert created and first.pk != second.pk


def test_orphaned_span_at_the_same_place_is_not_reused(source):
    orphan, _ = span_create(source=source, start=0, end=6)
    Span.objects.filter(pk=orphan.pk).update(anchor_state=Span.AnchorState.ORPHANED)
    fresh, created = span_create(source=source, start=0, end=6)
    assert created and fresh.pk != orphan.pk
    assert fresh.anchor_state == Span.AnchorState.ANCHORED


def test_span_is_anchored_in_the_current_text_even_from_a_stale_source(source, analyst):
    from sources.services import source_update_text

    stale = Source.objects.get(pk=source.pk)
    source_update_text(source=source, text="Preface. " + SAMPLE_TEXT, user=analyst)

    span, _ = span_create(source=stale, quote="Moscow later said")

    current = Source.objects.get(pk=source.pk).text
    assert current[span.start : span.end] == "Moscow later said"
    assert span.start == current.index("Moscow")


def test_spans_of_another_source_are_not_reused(source, analyst):
    from sources.services import source_create

    twin = source_create(user=analyst, title="Twin", text=SAMPLE_TEXT)
    first, _ = span_create(source=source, start=0, end=6)
    second, created = span_create(source=twin, start=0, end=6)
    assert created and second.pk != first.pk and second.source_id == twin.pk
