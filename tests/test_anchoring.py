"""Unit tests for sources.anchoring: finding quotes, offsets, context, re-anchoring."""

import json

import pytest

from sources.anchoring import (
    CONTEXT_LENGTH,
    AmbiguousQuote,
    AnchorState,
    AnchoringError,
    Candidate,
    ContextMismatch,
    EmptyQuote,
    OccurrenceOutOfRange,
    OffsetsOutOfRange,
    QuoteMismatch,
    QuoteNotFound,
    SplitsCharacter,
    WorkBudget,
    agreement_after,
    agreement_before,
    context_of,
    find_all,
    fuzzy_suggestion,
    reanchor,
    resolve_offsets,
    resolve_quote,
    validate_offsets,
)
from tests.support import needs_reference, reference_path, seed_text

SEED_004 = seed_text("004_80fb5168a06efd21.txt")
# The opening of A Tale of Two Cities (public domain): the text the external quote-matching
# cases are written against, and a good one for repeats.
TWO_CITIES = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the "
    "age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the "
    "season of Light, it was the season of Darkness, it was the spring of hope, it was the winter "
    "of despair, we had everything before us, we had nothing before us, we were all going direct "
    "to Heaven, we were all going direct the other way."
)
CASES_FILE = "hypothesis-match-quote-cases.json"
REFERENCE_CASES = reference_path(CASES_FILE)


def reference_context_cases() -> list:
    if REFERENCE_CASES is None or not REFERENCE_CASES.exists():
        return [pytest.param({"quote": "", "expected": ""}, id="no-reference-data")]  # skipped by its marker
    return json.loads(REFERENCE_CASES.read_text(encoding="utf-8"))["context_cases"]


def code_point_offset_via_bytes(text: str, quote: str) -> int:
    """The code point offset of ``quote``, computed independently through UTF-8 bytes."""
    byte_offset = text.encode("utf-8").index(quote.encode("utf-8"))
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8"))


# find_all


def test_find_all_includes_overlapping_occurrences_in_order():
    assert find_all("aaaa", "aa") == [Candidate(0, 2), Candidate(1, 3), Candidate(2, 4)]


def test_find_all_returns_nothing_when_quote_is_absent():
    assert find_all("It was the best of times", "worst") == []


def test_find_all_rejects_empty_quote():
    with pytest.raises(EmptyQuote):
        find_all("text", "")


def test_find_all_counts_code_points_not_utf16_units():
    text = "🎉🎉 Iran’s “strategic” partner 🇷🇺 Russia"
    [candidate] = find_all(text, "Russia")
    assert text[candidate.start : candidate.end] == "Russia"
    assert candidate.start == code_point_offset_via_bytes(text, "Russia")
    # Each emoji before the quote is two UTF-16 units but one code point.
    assert candidate.start < len(text[: candidate.start].encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    "quote",
    [
        "a “powerful surveillance system capable of monitoring landline",
        "Russian “betrayal.”<sup>",
        "nuclear activities.<sup>5</sup> Not once",
        "bring a \\$4 billion lawsuit",
        "concrete goals in mind.<sup>2</sup>\n\nFollowing the death",
    ],
    ids=["curly-quotes", "curly-quotes-and-tag", "literal-sup-tag", "escaped-dollar", "paragraph-break"],
)
def test_find_all_locates_real_seed_passages_by_code_point(quote):
    candidates = find_all(SEED_004, quote)
    assert len(candidates) == 1
    [candidate] = candidates
    assert SEED_004[candidate.start : candidate.end] == quote
    assert candidate.start == code_point_offset_via_bytes(SEED_004, quote)
    assert candidate.end - candidate.start == len(quote)


def test_candidate_as_dict():
    assert Candidate(3, 9).as_dict() == {"start": 3, "end": 9}


# errors


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (QuoteNotFound, "quote_not_found"),
        (AmbiguousQuote, "ambiguous_quote"),
        (OffsetsOutOfRange, "offsets_out_of_range"),
        (QuoteMismatch, "quote_mismatch"),
        (OccurrenceOutOfRange, "occurrence_out_of_range"),
        (EmptyQuote, "empty_quote"),
        (ContextMismatch, "context_mismatch"),
    ],
)
def test_every_error_is_an_anchoring_value_error_with_its_code(error, code):
    assert issubclass(error, AnchoringError)
    assert issubclass(error, ValueError)
    assert error.code == code


def test_resolve_quote_rejects_empty_quote():
    with pytest.raises(EmptyQuote) as raised:
        resolve_quote(TWO_CITIES, "")
    assert raised.value.code == "empty_quote"


def test_words_copied_with_white_space_a_line_of_the_text_does_not_end_with_are_found_without_it():
    """Chromium copies a table's row before a nested table as "Left\t\n"; the extracted
    text keeps no white space at a line's end. A text that holds the quote as sent is left
    to it (a typed-in source is verbatim)."""
    extracted = "Votes\nLeft\ninner first\tsecond\nRight"
    found = resolve_quote(extracted, "Left\t\ninner first", prefix="Votes \n")
    assert extracted[found.start : found.end] == "Left\ninner first"
    verbatim = "Left\ninner, then Left\t\ninner"
    found = resolve_quote(verbatim, "Left\t\ninner")
    assert (found.start, found.end) == (verbatim.index("Left\t"), len(verbatim))
    with pytest.raises(QuoteNotFound):
        resolve_quote(extracted, "Left \ninner second")


def test_paragraphs_copied_with_a_blank_line_between_them_are_found_as_the_text_breaks_them():
    """Chromium copies two paragraphs of a page with a blank line between them; the text
    extracted from the page breaks the line once. A text that holds the blank line (typed
    in, verbatim) is left to it."""
    extracted = "Title\nsaid in a statement.\nThe deal covers energy.\nEnd"
    found = resolve_quote(extracted, "a statement.\n\nThe deal", prefix="said in \n\n")
    assert extracted[found.start : found.end] == "a statement.\nThe deal"
    found = resolve_quote(extracted, "Title\n\n\nsaid")  # a heading's margin copied too
    assert (found.start, found.end) == (0, len("Title\nsaid"))
    verbatim = "One.\nTwo. One.\n\nTwo."
    found = resolve_quote(verbatim, "One.\n\nTwo.")
    assert (found.start, found.end) == (verbatim.rindex("One."), len(verbatim))


def test_words_copied_with_ligatures_are_found_in_a_text_that_spells_them_out():
    """A PDF viewer copies "ﬃ" as the one character it draws; the text extracted from the
    PDF has the letters. A text that holds the ligature (typed in) is left to it."""
    extracted = "The office was closed. The staff fled to the offices."
    found = resolve_quote(extracted, "The o\ufb03ce was", suffix=" closed")
    assert extracted[found.start : found.end] == "The office was"
    found = resolve_quote(extracted, "sta\ufb00 \ufb02ed")
    assert extracted[found.start : found.end] == "staff fled"
    found = resolve_quote("Call the office.", "the", suffix=" o\ufb03ce")  # the context copied with one
    assert (found.start, found.end) == (5, 8)
    verbatim = "The office, or the o\ufb03ce."
    found = resolve_quote(verbatim, "o\ufb03ce")
    assert (found.start, found.end) == (verbatim.index("o\ufb03ce"), verbatim.index("o\ufb03ce") + 4)


def test_words_copied_decomposed_are_found_in_a_text_that_composed_them():
    """A page may write "é" as "e" and U+0301; a browser copies it so, and the extracted
    text is NFC. A text that holds the decomposed form is left to it."""
    extracted = "Le Café Society, à Paris."
    found = resolve_quote(extracted, "Cafe\u0301 Society", suffix=", a\u0300 Paris")
    assert extracted[found.start : found.end] == "Café Society"
    verbatim = "Café, then Cafe\u0301"
    found = resolve_quote(verbatim, "Cafe\u0301")
    assert (found.start, found.end) == (verbatim.index("Cafe\u0301"), len(verbatim))
    with pytest.raises(QuoteNotFound):
        resolve_quote(extracted, "Cafe\u0301 Societe\u0301")


def test_words_typed_composed_are_found_in_a_text_file_that_kept_them_decomposed():
    """A text file is stored as it was decoded, decomposed if it was written so; the
    analyst's "é" is one character."""
    kept = "Le Cafe\u0301 Society, a\u0300 Paris."
    found = resolve_quote(kept, "Café Society")
    assert kept[found.start : found.end] == "Cafe\u0301 Society"


def test_resolve_quote_reports_missing_quote():
    with pytest.raises(QuoteNotFound) as raised:
        resolve_quote(TWO_CITIES, "the age of reason")
    assert raised.value.code == "quote_not_found"
    assert str(raised.value)


def test_resolve_quote_is_ambiguous_without_context_and_lists_every_candidate():
    with pytest.raises(AmbiguousQuote) as raised:
        resolve_quote(TWO_CITIES, "it was the")
    assert raised.value.code == "ambiguous_quote"
    assert raised.value.candidates == find_all(TWO_CITIES, "it was the")
    assert len(raised.value.candidates) == 9
    assert [c.start for c in raised.value.candidates] == sorted(c.start for c in raised.value.candidates)


@pytest.mark.parametrize(
    ("start", "end"), [(-1, 3), (3, 3), (5, 2), (0, len(TWO_CITIES) + 1), (0.0, 3), (True, 3)]
)
def test_offsets_outside_the_text_are_rejected(start, end):
    with pytest.raises(OffsetsOutOfRange) as raised:
        validate_offsets(TWO_CITIES, start, end)
    assert raised.value.code == "offsets_out_of_range"
    with pytest.raises(OffsetsOutOfRange):
        resolve_offsets(TWO_CITIES, start, end)


def test_offsets_the_wrong_way_round_are_refused_for_that_not_as_outside_the_text():
    with pytest.raises(OffsetsOutOfRange) as raised:
        validate_offsets(TWO_CITIES, 10, 5)
    assert str(raised.value) == "The start (10) must come before the end (5): a span holds at least one character."
    with pytest.raises(OffsetsOutOfRange) as raised:
        validate_offsets(TWO_CITIES, 0, len(TWO_CITIES) + 1)
    assert f"outside the text, which has {len(TWO_CITIES):,} characters" in str(raised.value)


def test_offsets_covering_the_whole_text_are_valid():
    validate_offsets(TWO_CITIES, 0, len(TWO_CITIES))
    assert resolve_offsets(TWO_CITIES, 0, len(TWO_CITIES)) == Candidate(0, len(TWO_CITIES))


def test_resolve_offsets_accepts_matching_quote():
    assert TWO_CITIES[11:15] == "best"
    assert resolve_offsets(TWO_CITIES, 11, 15, "best") == Candidate(11, 15)


def test_resolve_offsets_rejects_mismatching_quote_and_reports_actual_text():
    with pytest.raises(QuoteMismatch) as raised:
        resolve_offsets(TWO_CITIES, 11, 15, "worst")
    assert raised.value.code == "quote_mismatch"
    assert raised.value.actual == "best"


# whole characters: a span never begins or ends inside what a reader sees as one character

CAFE = "The cafe\u0301 in Tehran, and the cafe next door."  # the first "café" decomposed
FAMILY = "A \U0001F468\u200d\U0001F469\u200d\U0001F467 family."


def test_resolve_offsets_refuses_an_end_before_a_combining_accent():
    with pytest.raises(SplitsCharacter) as refused:
        resolve_offsets(CAFE, 0, 8, "The cafe")
    assert (refused.value.field, refused.value.split.first, refused.value.split.last) == ("end", 7, 9)
    assert "U+0301 COMBINING ACUTE ACCENT" in str(refused.value)
    assert resolve_offsets(CAFE, 0, 9) == Candidate(0, 9)


def test_resolve_offsets_refuses_part_of_an_emoji_sequence():
    with pytest.raises(SplitsCharacter) as refused:
        resolve_offsets(FAMILY, 2, 3, "\U0001F468")
    assert refused.value.field == "end"
    with pytest.raises(SplitsCharacter) as refused:
        resolve_offsets(FAMILY, 4, 9)
    assert refused.value.field == "start"


def test_resolve_quote_skips_places_inside_a_character():
    # "cafe" sits at 4 too, as "café" without its accent: not an occurrence of the words.
    assert resolve_quote(CAFE, "cafe") == Candidate(CAFE.index("cafe next"), CAFE.index("cafe next") + 4)
    assert resolve_quote(CAFE, "cafe", occurrence=1) == Candidate(CAFE.index("cafe next"), CAFE.index("cafe next") + 4)


def test_resolve_quote_refuses_words_found_only_inside_characters():
    with pytest.raises(SplitsCharacter) as refused:
        resolve_quote(CAFE, "The cafe")
    assert refused.value.field == "quote"
    assert "[0, 8)" in str(refused.value)
    with pytest.raises(SplitsCharacter):
        resolve_quote(FAMILY, "\U0001F468")


def test_resolve_quote_typed_composed_finds_the_decomposed_text_whole():
    assert resolve_quote(CAFE, "The café") == Candidate(0, 9)


# occurrence selection


def test_occurrence_picks_the_nth_occurrence():
    occurrences = find_all(TWO_CITIES, "we had")
    assert resolve_quote(TWO_CITIES, "we had", occurrence=1) == occurrences[0]
    assert resolve_quote(TWO_CITIES, "we had", occurrence=2) == occurrences[1]


def test_occurrence_one_of_a_unique_quote_is_that_quote():
    assert resolve_quote(TWO_CITIES, "Heaven", occurrence=1) == find_all(TWO_CITIES, "Heaven")[0]


@pytest.mark.parametrize("occurrence", [0, -1, 3])
def test_occurrence_out_of_range_says_how_many_there_are(occurrence):
    with pytest.raises(OccurrenceOutOfRange) as raised:
        resolve_quote(TWO_CITIES, "we had", occurrence=occurrence)
    assert raised.value.code == "occurrence_out_of_range"
    assert "2" in str(raised.value)


def test_unique_quote_resolves_without_context():
    candidate = resolve_quote(TWO_CITIES, "Heaven")
    assert TWO_CITIES[candidate.start : candidate.end] == "Heaven"


# prefix/suffix selection


def test_exact_prefix_selects_its_occurrence():
    candidate = resolve_quote(TWO_CITIES, "before us", prefix="we had nothing ")
    assert TWO_CITIES[: candidate.start].endswith("we had nothing ")


def test_exact_suffix_selects_its_occurrence():
    candidate = resolve_quote(TWO_CITIES, "the season of", suffix=" Darkness")
    assert TWO_CITIES[candidate.end :].startswith(" Darkness")


def test_exact_context_beats_closer_fuzzy_context():
    text = "x alpha beta. y alphb betb. z alpha beta."
    # The prefix "y " sits exactly before the second occurrence only.
    candidate = resolve_quote(text, "alph", prefix="y ")
    assert candidate.start == text.index("y ") + 2


def test_context_tie_is_ambiguous_and_lists_every_candidate():
    text = "one: we had it. two: we had it."
    with pytest.raises(AmbiguousQuote) as raised:
        resolve_quote(text, "we had", suffix=" it.")
    assert raised.value.candidates == find_all(text, "we had")


@needs_reference(CASES_FILE)
def test_the_embedded_text_is_the_reference_cases_text():
    reference = json.loads(REFERENCE_CASES.read_text(encoding="utf-8"))
    assert reference["fixtures"]["twoCities"] == TWO_CITIES


@needs_reference(CASES_FILE)
@pytest.mark.parametrize(
    "case",
    reference_context_cases(),
    ids=lambda case: f"{case['quote']}|{case.get('prefix')}|{case.get('suffix')}",
)
def test_reference_context_cases_pick_the_expected_occurrence(case):
    candidate = resolve_quote(TWO_CITIES, case["quote"], prefix=case.get("prefix"), suffix=case.get("suffix"))
    assert TWO_CITIES[candidate.start : candidate.end] == case["quote"]
    assert TWO_CITIES[candidate.start :].startswith(case["expected"])


# context_of


def test_context_of_takes_32_code_points_each_side_in_the_middle():
    start = TWO_CITIES.index("the age of wisdom")
    end = start + len("the age of wisdom")
    prefix, suffix = context_of(TWO_CITIES, start, end)
    assert len(prefix) == len(suffix) == CONTEXT_LENGTH == 32
    assert TWO_CITIES[:start].endswith(prefix)
    assert TWO_CITIES[end:].startswith(suffix)


def test_context_of_is_shorter_at_the_edges_of_the_text():
    prefix, suffix = context_of(TWO_CITIES, 3, len(TWO_CITIES) - 5)
    assert prefix == "It "
    assert suffix == " way."
    assert context_of("short", 0, 5) == ("", "")


def test_context_of_counts_code_points():
    text = "🎉" * 40 + "quote" + "𝄞" * 40
    prefix, suffix = context_of(text, 40, 45)
    assert prefix == "🎉" * 32
    assert suffix == "𝄞" * 32


def test_context_of_honours_a_custom_length():
    assert context_of("abcdefgh", 3, 5, length=2) == ("bc", "fg")


def test_context_of_rejects_offsets_outside_the_text():
    with pytest.raises(OffsetsOutOfRange):
        context_of("abc", 2, 4)


# reanchor


def span_in(text: str, quote: str, nth: int = 0) -> dict:
    """A span on the nth occurrence of quote, with the context stored at creation."""
    candidate = find_all(text, quote)[nth]
    prefix, suffix = context_of(text, candidate.start, candidate.end)
    return {
        "quote": quote,
        "start": candidate.start,
        "end": candidate.end,
        "prefix": prefix,
        "suffix": suffix,
    }


def test_reanchor_keeps_a_span_whose_quote_is_still_in_place():
    span = span_in(TWO_CITIES, "the age of wisdom")
    new_text = TWO_CITIES.replace("the other way.", "the other way, in short.")
    result = reanchor(new_text, **span)
    assert result.state is AnchorState.ANCHORED
    assert (result.start, result.end) == (span["start"], span["end"])
    assert result.suggestion is None


def test_reanchor_relocates_a_span_shifted_by_an_earlier_edit():
    span = span_in(TWO_CITIES, "the age of wisdom")
    new_text = "🎉 Preface.\n\n" + TWO_CITIES
    result = reanchor(new_text, **span)
    assert result.state is AnchorState.RELOCATED
    assert result.start == span["start"] + len("🎉 Preface.\n\n")
    assert new_text[result.start : result.end] == span["quote"]


def test_reanchor_orphans_a_span_whose_words_changed_and_suggests_without_applying():
    span = span_in(TWO_CITIES, "the age of foolishness")
    new_text = TWO_CITIES.replace("the age of foolishness", "the age of foolishnes")
    result = reanchor(new_text, **span)
    assert result.state is AnchorState.ORPHANED
    assert (result.start, result.end) == (span["start"], span["end"])
    assert result.suggestion is not None
    assert result.suggestion.quote == "the age of foolishnes"
    assert new_text[result.suggestion.start : result.suggestion.end] == result.suggestion.quote
    assert 80 <= result.suggestion.score < 100


def test_reanchor_orphans_without_suggestion_when_nothing_resembles_the_quote():
    span = span_in(TWO_CITIES, "the season of Light")
    result = reanchor("Completely different words now.", **span)
    assert result.state is AnchorState.ORPHANED
    assert result.suggestion is None


def test_reanchor_chooses_among_duplicates_by_context_before_distance():
    text = "Alpha said: Iran and Russia agree. Beta said: Iran and Russia differ."
    span = span_in(text, "Iran and Russia", nth=1)
    # An insertion moves both occurrences; the old start now lies nearest the first one.
    new_text = "Preface " * 5 + text.replace("Beta said", "Beta, much later, said")
    result = reanchor(new_text, **span)
    assert result.state is AnchorState.RELOCATED
    assert new_text[result.start :].startswith("Iran and Russia differ")


def test_reanchor_chooses_among_identical_duplicates_by_distance():
    paragraph = "It was the season of Light, it was the season of Darkness."
    text = f"{paragraph}\n\n{paragraph}"
    span = span_in(text, "season of Darkness", nth=1)
    # The context of both copies is now identical; the one nearest the old start wins.
    new_text = f"{paragraph}\n\n{paragraph}\n\n{paragraph}"
    result = reanchor(new_text, **span)
    assert (result.start, result.end) == (span["start"], span["end"])
    assert result.state is AnchorState.ANCHORED


def test_reanchor_does_not_stay_on_other_words_shifted_into_the_old_offsets():
    text = "Iran: a Iran bxx Iran c"
    span = span_in(text, "Iran", nth=2)
    # The edit shifts a different "Iran" onto the old offsets; the span's own words,
    # recognisable by their context, moved to the end.
    new_text = "Iran: zzzzzzzzzz Iran zz bxx Iran c"
    assert new_text[span["start"] : span["end"]] == "Iran"
    result = reanchor(new_text, **span)
    assert result.state is AnchorState.RELOCATED
    assert new_text[result.start :] == "Iran c"


def test_reanchor_state_values_are_the_design_strings():
    assert [state.value for state in AnchorState] == ["anchored", "relocated", "orphaned"]


# fuzzy_suggestion


@needs_reference(CASES_FILE)
def test_fuzzy_suggestion_scores_follow_similarity_order():
    reference = json.loads(REFERENCE_CASES.read_text(encoding="utf-8"))
    solitude = reference["fixtures"]["solitude"]
    quotes = reference["ordering_cases"]["solitude_quotes_desc_similarity"]
    scores = [fuzzy_suggestion(solitude, quote, min_score=0).score for quote in quotes]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores)
    assert scores[0] == 100


# A typo of a phrase that occurs twice: a hint near either occurrence picks that one.
HINT_QUOTE = "befor us"


def hint_case_position(after: str) -> int:
    return TWO_CITIES.index(after) + len(after)


@pytest.mark.parametrize("after", ["everything ", "nothing "])
@pytest.mark.parametrize("nudge", [0, -3, 4])
def test_fuzzy_suggestion_hint_selects_the_nearest_of_equal_matches(after, nudge):
    quote = HINT_QUOTE
    expected = hint_case_position(after)
    suggestion = fuzzy_suggestion(TWO_CITIES, quote, hint=expected + nudge)
    assert suggestion.start == expected
    assert suggestion.quote == "before us"


def test_fuzzy_suggestion_without_hint_selects_the_first_of_equal_matches():
    suggestion = fuzzy_suggestion(TWO_CITIES, HINT_QUOTE)
    assert suggestion.start == hint_case_position("everything ")


def test_fuzzy_suggestion_context_breaks_ties_before_the_hint():
    suggestion = fuzzy_suggestion(
        TWO_CITIES, "befor us", prefix="we had nothing ", hint=hint_case_position("everything ")
    )
    assert suggestion.start == hint_case_position("nothing ")


def test_fuzzy_suggestion_is_none_below_min_score():
    assert fuzzy_suggestion(TWO_CITIES, "quantum chromodynamics") is None
    assert fuzzy_suggestion("", "anything", min_score=0) is None


def test_fuzzy_suggestion_finds_a_typo_in_a_long_text():
    passage = "no other state can be more useful to Russian machinations"
    typo = passage.replace("machinations", "machinatons").replace("useful", "usefull")
    suggestion = fuzzy_suggestion(SEED_004, typo)
    assert suggestion.quote == passage
    assert suggestion.start == SEED_004.index(passage)


# context agreement: the code points next to the quote


def test_agreement_counts_code_points_next_to_the_quote_only():
    text = "On Monday, Russia said yes."
    start = text.index("said")
    assert agreement_before(text, start, "Monday, Russia ") == len("Monday, Russia ")
    # Words further away that agree do not count once the adjacent ones differ.
    assert agreement_before(text, start, "Monday, Iran ") == 1  # the space
    assert agreement_after(text, start + 4, " yes. More") == len(" yes.")  # the text ends first
    assert agreement_after(text, start + 4, "yes") == 0


# creation by quote: context running past the text's start or end


THREE = "Russia said no. Iran said yes. China said maybe."


@pytest.mark.parametrize("suffix", [" maybe. And more text that is not there", " maybe.", " maybe. And"])
def test_suffix_running_past_the_end_of_the_text_agrees_up_to_there(suffix):
    assert resolve_quote(THREE, "said", suffix=suffix) == Candidate(37, 41)


def test_prefix_running_past_the_start_of_the_text_agrees_up_to_there():
    text = "China said maybe. Russia said no. Iran said yes."
    assert resolve_quote(text, "said", prefix="Long ago, in another text entirely: China ") == Candidate(6, 10)


# creation: context that contradicts the place chosen is refused


def test_prefix_contradicting_the_offsets_is_refused():
    with pytest.raises(ContextMismatch) as raised:
        resolve_offsets(THREE, 0, 4, prefix="zzz")
    assert raised.value.sides == ("prefix",)
    with pytest.raises(ContextMismatch) as raised:
        resolve_offsets(THREE, 21, 25, prefix="Russia ")  # Iran's "said"
    assert raised.value.sides == ("prefix",)
    # The context derived at the offsets (what the admin and the importer may send) agrees.
    prefix, suffix = context_of(THREE, 21, 29)
    assert resolve_offsets(THREE, 21, 29, prefix=prefix, suffix=suffix) == Candidate(21, 29)


def test_prefix_contradicting_a_unique_quote_is_refused():
    with pytest.raises(ContextMismatch) as raised:
        resolve_quote(THREE, "said yes", prefix="Russia ")
    assert "Iran " in str(raised.value)
    assert raised.value.candidates == [Candidate(21, 29)]


def test_prefix_contradicting_the_occurrence_is_refused():
    with pytest.raises(ContextMismatch) as raised:
        resolve_quote(THREE, "said", prefix="Iran ", occurrence=3)
    assert raised.value.candidates == find_all(THREE, "said")
    assert resolve_quote(THREE, "said", prefix="Iran ", occurrence=2) == Candidate(21, 25)


def test_context_agreeing_with_no_place_on_every_side_is_refused_not_guessed():
    # "Russia " fits Russia's place, " maybe" China's: no place carries both.
    with pytest.raises(ContextMismatch) as raised:
        resolve_quote(THREE, "said", prefix="Russia ", suffix=" maybe")
    assert raised.value.candidates == find_all(THREE, "said")
    assert set(raised.value.sides) == {"prefix", "suffix"}


def test_context_with_a_typo_still_agrees():
    assert resolve_quote(THREE, "said", prefix="Iram ") == Candidate(21, 25)
    assert resolve_quote(THREE, "said yes", prefix="Iram ") == Candidate(21, 29)


# re-anchoring: adjacent context decides, close calls are orphaned


SWAPPED_BEFORE = "On Monday, Russia said yes to the proposal. On Tuesday, Iran said yes to the proposal. Talks continue."
SWAPPED_AFTER = "On Tuesday, Iran said yes to the proposal. On Monday, Russia said yes to the proposal. Talks continue."


def test_reanchor_does_not_keep_a_span_on_words_a_swap_put_at_its_offsets():
    span = span_in(SWAPPED_BEFORE, "said yes to the proposal", nth=1)  # Iran's
    assert SWAPPED_AFTER[span["start"] : span["end"]] == span["quote"]  # Russia's words now
    result = reanchor(SWAPPED_AFTER, **span)
    # Iran's place agrees before the quote, Russia's after it: too close to call.
    assert result.state is AnchorState.ORPHANED
    assert (result.start, result.end) == (span["start"], span["end"])
    assert (result.suggestion.start, result.suggestion.end) == (17, 41)  # Iran's, offered only


SPEAKERS = "Intro text here. Russia said yes. Later on, Iran said yes. End."


@pytest.mark.parametrize(
    "new_text",
    [
        "Intro text here. Later on, Iran said yes. Meanwhile Russia said yes. End.",
        "Iran said yes. Meanwhile Russia said yes. End.",
        "Intro text here. Meanwhile Russia said yes. End.",  # Iran's words are gone
    ],
)
def test_reanchor_never_moves_a_span_onto_another_speakers_words(new_text):
    span = span_in(SPEAKERS, "said yes", nth=1)  # Iran's
    result = reanchor(new_text, **span)
    russia = new_text.index("Russia said yes") + len("Russia ")
    assert result.start != russia
    assert result.state is AnchorState.ORPHANED
    if result.suggestion is not None and "Iran said" in new_text:
        assert result.suggestion.start == new_text.index("Iran said yes") + len("Iran ")


def test_reanchor_orphans_a_short_quote_whose_own_occurrence_was_deleted():
    text = "The first beta is here. The second beta is there."
    span = span_in(text, "beta", nth=1)
    new_text = "The first beta is here. The second is there."
    result = reanchor(new_text, **span)
    assert result.state is AnchorState.ORPHANED
    assert (result.start, result.end) == (span["start"], span["end"])
    assert (result.suggestion.start, result.suggestion.end) == (10, 14)


def test_reanchor_keeps_a_quote_whose_context_changed_away_from_its_edges():
    span = span_in(TWO_CITIES, "it was the epoch of belief")
    new_text = TWO_CITIES.replace("age of foolishness", "age of Foolishness")
    result = reanchor(new_text, **span)
    # The suffix agrees wholly, the prefix over "oolishness, ": enough on both sides.
    assert result.state is AnchorState.ANCHORED


def test_reanchor_orphans_a_quote_whose_adjacent_words_changed_on_one_side():
    span = span_in(TWO_CITIES, "it was the epoch of belief")
    new_text = TWO_CITIES.replace("foolishness, it was the epoch", "foolishness; and it was the epoch")
    result = reanchor(new_text, **span)
    # One side alone does not say whose words these are; the place is offered.
    assert result.state is AnchorState.ORPHANED
    assert result.suggestion.start == new_text.index("it was the epoch of belief")


# re-anchoring: bounded work whatever the text


def test_reanchor_of_a_long_quote_in_a_repetitive_megabyte_is_quick_and_exact():
    import time

    text = "ab" * 500_000
    spans = [dict(quote=text[start : start + 501], start=start, end=start + 501) for start in range(100_000, 1_000_000, 200_000)]
    new_text = "Z" + text
    started = time.perf_counter()
    results = [reanchor(new_text, prefix=text[s["start"] - 32 : s["start"]], suffix=text[s["end"] : s["end"] + 32], **s) for s in spans]
    assert time.perf_counter() - started < 2
    for span, result in zip(spans, results):
        # Copies with the same context either side are the same words: the nearest one.
        assert result.state is AnchorState.RELOCATED and abs(result.start - span["start"]) == 1
        assert new_text[result.start : result.end] == span["quote"]


def test_reanchor_within_an_exhausted_budget_orphans_without_a_suggestion():
    span = span_in(TWO_CITIES, "the age of foolishness")
    new_text = "Preface. " + TWO_CITIES.replace("the age of foolishness", "the age of foolishnes")
    assert reanchor(new_text, **span).suggestion is not None
    result = reanchor(new_text, budget=WorkBudget(0), **span)
    assert result.state is AnchorState.ORPHANED and result.suggestion is None


def test_fuzzy_suggestion_for_a_long_lost_quote_stays_within_its_budget():
    import time

    passage = "".join(f"sentence {index} of a long passage, " for index in range(150))  # ~5,000
    text = "ab " * 10_000 + passage.replace("sentence 75", "sentence seventy-five") + " ba" * 10_000
    started = time.perf_counter()
    suggestion = fuzzy_suggestion(text, passage[:5_000], hint=30_000)
    assert time.perf_counter() - started < 2
    # Found by the quote's exact first code points near its old place.
    assert suggestion is not None and suggestion.start == 30_000


def test_reanchor_finds_a_wholly_agreeing_place_beyond_the_window_around_the_old_one():
    from sources.anchoring import REANCHOR_WINDOW

    passage = "Alpha said: the talks failed at dawn. Beta replied."
    text = passage + " filler." * (REANCHOR_WINDOW * 3 // 16)  # 1.5 windows long
    span = span_in(text, "the talks failed")
    # The passage moves from the start of the text to its end, past the window.
    new_text = text[len(passage) :] + " " + passage
    result = reanchor(new_text, **span)
    assert result.state is AnchorState.RELOCATED
    assert result.start == new_text.index("the talks failed")


def _context_agreeing_over(stored_prefix: str, stored_suffix: str, before: int, after: int) -> tuple[str, str]:
    """A prefix and suffix that agree with the stored ones over exactly ``before`` and
    ``after`` code points next to the quote (the code point past that differs)."""
    prefix = "#" * (len(stored_prefix) - before) + stored_prefix[len(stored_prefix) - before :]
    suffix = stored_suffix[:after] + "#" * (len(stored_suffix) - after)
    return prefix, suffix


@pytest.mark.parametrize(
    ("runner_up", "relocated"),
    [((8, 9), True), ((9, 9), False)],
    ids=["a margin of 3 decides", "a margin of 2 is a close call"],
)
def test_two_partial_places_are_told_apart_only_by_a_margin_of_three(runner_up, relocated):
    # Neither place agrees wholly, both agree over four or more code points on each side:
    # the better one is taken when it agrees by AGREEMENT_MARGIN (3) more, else suggested.
    prefix, suffix = "the council, on Tuesday, said:  ", "  before the vote on sanctions. "
    quote = "yes to the proposal"
    old = prefix + quote + suffix
    best_before, best_after = _context_agreeing_over(prefix, suffix, 10, 10)
    other_before, other_after = _context_agreeing_over(prefix, suffix, *runner_up)
    lead = "Preamble " * 20
    new_text = lead + other_before + quote + other_after + " | " + best_before + quote + best_after
    best_start = new_text.rindex(quote)
    result = reanchor(new_text, quote=quote, start=len(prefix), end=len(prefix) + len(quote),
                      prefix=prefix, suffix=suffix)
    assert old[len(prefix) : len(prefix) + len(quote)] == quote
    if relocated:
        assert (result.state, result.start) == (AnchorState.RELOCATED, best_start)
    else:
        assert result.state == AnchorState.ORPHANED
        assert (result.suggestion.start, result.suggestion.end) == (best_start, best_start + len(quote))


def test_words_copied_with_other_spaces_than_the_text_has_are_found_as_the_text_has_them():
    """A browser copies a no-break space as a space, and a text extracted from a page has a
    space where the page wrote a no-break one: a quote copied from a text file's reader,
    or taken from a page's HTML, was not found. The span stores the text's own words."""
    verbatim = "Le prix\u202f: 100\u00a0km, dit-il. Puis\u2007ici."
    found = resolve_quote(verbatim, "prix : 100 km, dit", prefix="Le ", suffix="-il")
    assert verbatim[found.start : found.end] == "prix\u202f: 100\u00a0km, dit"
    extracted = "It cost 100 km of road."
    found = resolve_quote(extracted, "100\u00a0km of", prefix="It\u00a0cost ")
    assert extracted[found.start : found.end] == "100 km of"
    with pytest.raises(QuoteNotFound):
        resolve_quote(extracted, "100\u00a0km\u00a0on")
    # The places of a quote are its places whatever kind of space each has: context,
    # occurrence or ambiguity choose among them as among exact repeats (the first version
    # pinned "10 km" to the one place written so, whatever the context said).
    both = "In 2019 the wall was 10\u00a0km long. In 2020 the wall was 10 km long."
    found = resolve_quote(both, "10 km", prefix="In 2019 the wall was ")
    assert (found.start, found.end) == (both.index("10\u00a0km"), both.index("10\u00a0km") + 5)
    found = resolve_quote(both, "10\u00a0km", suffix=" long.", prefix="2020 the wall was ")
    assert found.start == both.rindex("10 km")
    assert resolve_quote(both, "10 km", occurrence=2).start == both.rindex("10 km")
    with pytest.raises(AmbiguousQuote) as ambiguous:
        resolve_quote(both, "10 km")
    assert [place.start for place in ambiguous.value.candidates] == [both.index("10\u00a0km"), both.rindex("10 km")]


def test_words_copied_with_a_run_of_spaces_are_found_where_the_text_has_one():
    """Chromium copies the spaces on both sides of an image without alt text ("The minister
    <img alt=""> resigned" as two spaces); the extracted text collapses them. A text that
    holds the run is left to it."""
    extracted = "The minister resigned on Monday."
    found = resolve_quote(extracted, "minister  resigned")
    assert extracted[found.start : found.end] == "minister resigned"
    verbatim = "a b, then a  b"
    found = resolve_quote(verbatim, "a  b")
    assert (found.start, found.end) == (verbatim.index("a  b"), len(verbatim))


@pytest.mark.parametrize(
    "old_text, quote, new_text",
    [
        ("The cafe opened.", "cafe", "The cafe\u0301 opened."),  # an accent added after it
        ("Man \U0001F468 here", "\U0001F468", "Man \U0001F468\u200d\U0001F469 here"),  # joined to another person
        ("A cafe. The cafe opened.", "cafe", "A cafe\u0301. The cafe\u0301 opened."),  # every place split
    ],
)
def test_reanchor_never_keeps_a_span_on_part_of_a_character(old_text, quote, new_text):
    """What a reader sees at the old offsets is another character: the span is orphaned, as
    a span created there would be refused (``splits_character``)."""
    span = span_in(old_text, quote, nth=old_text.count(quote) - 1)
    result = reanchor(new_text, **span)
    assert result.state is AnchorState.ORPHANED


def test_reanchor_moves_a_span_from_a_split_place_to_a_whole_one():
    span = span_in("The cafe opened. A cafe closed.", "cafe", nth=1)
    new_text = "The cafe\u0301 opened. A cafe closed."
    result = reanchor(new_text, **span)
    assert result.state is AnchorState.RELOCATED
    assert new_text[result.start : result.end] == "cafe" and result.start == new_text.index("A cafe") + 2
