"""Unit and property tests for sources.graphemes: where a character as a reader sees it
begins and ends (UAX #29's extended grapheme clusters, as browsers' Intl.Segmenter)."""

from __future__ import annotations

import sys
import time

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.graphemes import FLAGS_LOOK_BACK, LOOK_BACK, character_around, is_boundary, split_character

CAFE = "The cafe\u0301 in Tehran"  # "café" with a combining acute accent
FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # man, woman, girl joined by U+200D
FLAGS = "\U0001F1EE\U0001F1F7\U0001F1F7\U0001F1FA"  # Iran, Russia


def boundaries(text: str) -> list[int]:
    return [offset for offset in range(len(text) + 1) if is_boundary(text, offset)]


def test_a_combining_accent_belongs_to_its_letter():
    assert is_boundary(CAFE, 7) and not is_boundary(CAFE, 8) and is_boundary(CAFE, 9)
    assert character_around(CAFE, 8) == (7, 9)


def test_an_emoji_joined_by_zero_width_joiners_is_one_character():
    text = f"A {FAMILY} family"
    assert boundaries(text)[:4] == [0, 1, 2, 2 + len(FAMILY)]
    assert character_around(text, 3) == (2, 2 + len(FAMILY))


def test_flags_are_pairs_of_regional_indicators():
    text = "Flags " + FLAGS * 40
    inside = [6 + offset for offset in range(1, len(FLAGS) * 40)]
    assert [is_boundary(text, offset) for offset in inside] == [(offset - 6) % 2 == 0 for offset in inside]


def test_a_line_of_flags_longer_than_the_look_back_is_read_in_pairs_to_its_end():
    # Past the 512th indicator every place had been a break: half a flag was accepted.
    for before in ("", "Flags ", "Flag \U0001F1EE"):
        text = before + FLAGS * 300
        first = len(before)
        inside = range(first + 1, len(text))
        parity = 0 if before != "Flag \U0001F1EE" else 1  # an odd indicator before pairs with the line's first
        assert [offset for offset in inside if is_boundary(text, offset)] == [
            offset for offset in inside if (offset - first) % 2 == parity
        ]
    text = FLAGS * 300
    assert len(text) > 2 * FLAGS_LOOK_BACK
    assert split_character(text, 1_001, 1_100).side == "start"
    assert split_character(text, 1_000, 1_101).side == "end"
    assert split_character(text, 1_000, 1_100) is None


@pytest.mark.parametrize("marks", [LOOK_BACK - 3, LOOK_BACK - 2, LOOK_BACK, 100, 5_000])
def test_an_emoji_joined_after_many_marks_is_one_character(marks):
    # UAX #29 (GB11): an emoji, any number of marks, U+200D, an emoji; past 64 code points the
    # rule had not been read and a break was found before the second emoji.
    text = "A \U0001F468" + "\u0301" * marks + "\u200d\U0001F469 family"
    assert boundaries(text)[:4] == [0, 1, 2, 2 + 1 + marks + 2]
    # Not joined: no emoji before the marks.
    text = "A a" + "\u0301" * marks + "\u200d\U0001F469"
    assert boundaries(text) == [0, 1, 2, 3 + marks + 1, len(text)]


@pytest.mark.parametrize("marks", [LOOK_BACK - 2, LOOK_BACK, 100, 5_000])
def test_a_conjunct_linked_after_many_marks_is_one_character(marks):
    # GB9c: a consonant, marks with a virama among them, a consonant.
    for joining in ("\u093c" * marks + "\u094d", "\u094d" + "\u093c" * marks):
        text = "x \u0915" + joining + "\u0937 y"
        assert boundaries(text) == [0, 1, 2, len(text) - 2, len(text) - 1, len(text)]
    # Not joined: no virama among the marks, or a letter of another script before them.
    assert is_boundary("\u0915" + "\u093c" * marks + "\u0937", marks + 1)
    assert is_boundary("a" + "\u093c" * marks + "\u094d\u0937", marks + 2)


def test_a_skin_tone_and_a_variation_selector_belong_to_their_emoji():
    assert boundaries("a\U0001F44D\U0001F3FDb") == [0, 1, 3, 4]
    assert boundaries("\u2764\ufe0f!") == [0, 2, 3]


def test_an_indic_conjunct_is_one_character_but_a_virama_after_a_letter_of_another_script_is_not():
    assert boundaries("\u0915\u094d\u0937") == [0, 3]  # क्ष
    # Chromium's Intl.Segmenter (and UAX #29) break before the consonant here; the regex
    # module's \X does not.
    assert boundaries("a\u094d\u0915") == [0, 2, 3]


def test_hangul_jamo_make_one_syllable():
    assert boundaries("\u1100\u1161\u11a8x") == [0, 3, 4]


def test_cr_lf_is_one_character():
    assert boundaries("a\r\nb") == [0, 1, 3, 4]


def test_letters_whose_case_mapping_changes_length_are_one_character_each():
    for text in ("İstanbul", "Straße STRAẞE", "ΟΔΟΣ", "ﬁnal"):
        assert boundaries(text) == list(range(len(text) + 1))


def test_a_span_that_keeps_whole_characters_has_no_split():
    assert split_character(CAFE, 4, 9) is None
    split = split_character(CAFE, 0, 8)
    assert (split.side, split.offset, split.first, split.last, split.character) == ("end", 8, 7, 9, "e\u0301")
    assert "U+0301 COMBINING ACUTE ACCENT" in split.describe()
    assert split_character(f"A {FAMILY}", 2, 3).side == "end"
    assert split_character(f"A {FAMILY}", 3, 2 + len(FAMILY)).side == "start"


# Without Indic linkers, whose one rule the regex module reads more loosely (above).
_ALPHABET = st.sampled_from(
    ["a", " ", "\n", "\r", "e", "\u0301", "\u200d", "\U0001F468", "\U0001F1EE", "\U0001F1F7", "\u1100", "\u1161",
     "\u11a8", "\uac00", "\u0600", "\ufe0f", "\U0001F3FD", "\u093f", "\u0e33", "\u0915", "\t", "İ"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, min_size=1, max_size=40).map("".join))
def test_boundaries_are_those_of_extended_grapheme_clusters(text):
    expected = [0] + [match.end() for match in regex.finditer(r"\X", text)]
    assert boundaries(text) == expected


@pytest.mark.parametrize("text", [
    "\U0001F1EE" * 1_000_000,
    "e" + "\u0301" * 1_000_000,
    "\U0001F468\u200d" * 500_000,
    ("\U0001F1EE\U0001F1F7" * 40 + "\u0301") * 20_000,
    ("\U0001F468" + "\u0301" * 100 + "\u200d") * 10_000,
    ("\u0915" + "\u093c" * 100 + "\u094d") * 10_000,
], ids=["indicators", "marks", "joined", "flags-then-a-mark", "joined-after-marks", "conjuncts-after-marks"])
def test_the_cost_of_a_question_is_bounded_whatever_the_text(text):
    began = time.perf_counter()
    for offset in range(len(text) // 2, len(text) // 2 + 10_000):
        is_boundary(text, offset)
    assert time.perf_counter() - began < 1.0
    # The character around a place (asked once for a refused span): a run of marks crossed at
    # once, whatever its length, and at most LOOK_BACK steps either side.
    began = time.perf_counter()
    for offset in range(len(text) // 2, len(text) // 2 + 10):
        first, last = character_around(text, offset)
        assert first <= offset <= last
    assert time.perf_counter() - began < 1.0


def _character_stepped(text: str, offset: int) -> tuple[int, int]:
    """``character_around`` read one place at a time, without a bound."""
    first = last = offset
    while not is_boundary(text, first):
        first -= 1
    while not is_boundary(text, last):
        last += 1
    return first, last


@pytest.mark.parametrize("text", [
    "A \U0001F468" + "\u0301" * 200 + "\u200d\U0001F469 family",
    "e" + "\u0301" * 200 + "x",
    "Flags " + FLAGS * 200,
    "x \u0915" + "\u093c" * 200 + "\u094d\u0937 y",
    "a\u0903" * 10 + "\u0600" * 3 + "b",
    "\n" + "\u0301" * 200 + "x",
    "A " + "\u1100" * 100 + "\u1161" * 100 + "\u11a8" * 100 + " b",
    "\uac00" + "\u1161" * 100 + "\u11a8" * 100 + "\u1100" * 100,
    "x " + "\u0600" * 150 + "b" + "\u0301" * 70 + " y",
], ids=[
    "joined-after-marks", "marks", "flags", "conjunct-after-marks", "spacing-marks-and-prepend", "marks-after-a-control",
    "long-hangul-syllable", "syllable-then-jamo", "prepended-signs",
])
def test_the_character_around_a_place_is_the_whole_of_it_however_many_marks_it_has(text):
    # Read at most 64 code points either side, a character of more had been told cut short:
    # "Set the start to ..." named a place inside it, refused in its turn.
    assert [character_around(text, offset) for offset in range(len(text) + 1)] == [
        _character_stepped(text, offset) for offset in range(len(text) + 1)
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(_ALPHABET, min_size=1, max_size=40).map("".join))
def test_the_character_around_a_place_is_between_the_nearest_boundaries(text):
    assert [character_around(text, offset) for offset in range(len(text) + 1)] == [
        _character_stepped(text, offset) for offset in range(len(text) + 1)
    ]


@pytest.mark.parametrize("text", [
    "\U0001F1EE" * 1_000_000,
    "\U0001F468" + "\u0301" * 1_000_000 + "\u200d\U0001F469",
    "\u0915" + "\u093c" * 1_000_000 + "\u094d\u0937",
], ids=["indicators", "joined-after-marks", "conjunct-after-marks"])
def test_questions_past_the_look_back_read_the_text_once(text):
    """The places whose answer lies further back than a rule reads: the text is read once,
    then each question costs what a question within the look-back costs."""
    began = time.perf_counter()
    places = range(len(text) - 10_000, len(text) + 1)
    answers = [is_boundary(text, offset) for offset in places]
    assert time.perf_counter() - began < 1.5
    if text[0] == "\U0001F1EE":
        assert answers == [offset % 2 == 0 for offset in places]
    else:
        assert answers == [offset == len(text) for offset in places]


def test_the_reading_of_a_long_text_is_kept_without_the_text():
    """The reading behind the long sequences' answers is kept for the next questions, the
    text itself is not: a worker had held the last two texts asked, 98 MB after two
    requests about texts of 10 million code points."""
    text = "x" + "\U0001F1EE" * (2 * FLAGS_LOOK_BACK + 12)
    held = sys.getrefcount(text)
    assert not is_boundary(text, len(text) - 1)  # half a flag: the whole line read
    assert sys.getrefcount(text) == held
    # A text of the same length, its line one indicator longer: its own reading.
    other = "\U0001F1EE" * len(text)
    assert is_boundary(other, len(other) - 1)
    assert not is_boundary(text, len(text) - 1)
