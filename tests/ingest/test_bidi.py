"""A line's characters from the order they stand on the page to the order they are typed
(``sources.ingest.bidi``): the Unicode bidirectional algorithm run back. Each visual string
below is written as a line shows it, left to right, with a bracket written as the glyph
shows it (a typed ``(`` in Hebrew shows as ``)``)."""

from __future__ import annotations

import time
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from sources.ingest.bidi import MIRRORED, logical_order, reordered, resolved_levels


def _typed(visual: str, right_to_left: bool | None = None) -> str:
    return "".join(logical_order(list(visual), right_to_left))


def test_hebrew_words_shown_from_the_right_are_read_first_word_first_each_letter_in_typed_order():
    assert _typed("םלוע םולש") == "שלום עולם"


def test_a_number_in_a_hebrew_line_keeps_its_digits_and_separators_in_order():
    assert _typed("ןאכ 1,250,000 רפסמה") == "המספר 1,250,000 כאן"
    assert _typed("28% ךרעה") == "הערך 28%"


def test_persian_and_arabic_indic_digits_keep_their_order():
    assert _typed("دندرک ۱۴۰۲ ناربت") == "تبران ۱۴۰۲ کردند"
    assert _typed("ةرازولا ١٢٣ تلاق") == "قالت ١٢٣ الوزارة"


def test_english_words_in_a_hebrew_line_keep_their_order():
    assert _typed("ןאכ english words תא האר") == "ראה את english words כאן"


def test_a_bracket_pair_around_hebrew_words_stays_around_them():
    assert _typed("(םיירגוסב) טסקט") == "טקסט (בסוגריים)"


def test_code_in_a_hebrew_line_keeps_its_brackets_left_to_right():
    # N0: the pair holds a Latin letter and follows one, so it is left to right.
    assert _typed("הריזחמ f(x) היצקנופה") == "הפונקציה f(x) מחזירה"
    assert _typed("ןאכ a[i] הארו") == "וראה a[i] כאן"


def test_a_telephone_number_shown_after_its_plus_in_a_hebrew_line_is_read_plus_first():
    assert _typed(".21 98+ ךרעהמ") == "מהערך +98 21."


def test_an_arabic_name_in_an_english_line_is_read_from_its_right():
    assert _typed("Name: دمحم and more.") == "Name: محمد and more."


def test_a_line_without_right_to_left_letters_is_unchanged():
    assert _typed("The treaty (2024) was signed: f(x) = 3.5%.") == "The treaty (2024) was signed: f(x) = 3.5%."


def test_a_word_given_as_one_unit_with_its_class_moves_whole():
    assert logical_order(["עולם", " ", "שלום"], True, ["R", "WS", "R"]) == ["שלום", " ", "עולם"]


def test_levels_of_a_hebrew_line_with_a_number_and_english():
    assert resolved_levels(list("אב 12 cd"), True) == [1, 1, 1, 2, 2, 1, 2, 2]


_ALPHABET = "אבגדהוזחטיכלמנסעפצקרשתابتثجحخدذرسشصضطظعغفقكلمنهويabcdefxyz0123456789٠١٢٣۴۵ ()[]{}<>«».,:;-+%$!?،"


def _canonical(character: str) -> str:
    return min(character, MIRRORED.get(character, character))


@given(st.text(alphabet=_ALPHABET, max_size=80), st.sampled_from([True, False, None]))
def test_reading_back_loses_and_adds_nothing_and_only_turns_mirrored_characters(visual, right_to_left):
    typed = logical_order(list(visual), right_to_left)
    assert len(typed) == len(visual)
    assert Counter(map(_canonical, typed)) == Counter(map(_canonical, visual))
    changed = Counter(typed) - Counter(visual)
    assert all(character in MIRRORED for character in changed)


@given(st.text(alphabet="אבגדהוזחטיכלמנסעפצקרשת .,!?", max_size=80))
def test_a_line_of_hebrew_letters_spaces_and_punctuation_reads_back_reversed(visual):
    assert _typed(visual, True) == visual[::-1]


@given(st.text(alphabet="abcdefxyz0123456789 ().,:-+%", max_size=80))
def test_a_left_to_right_line_reads_back_as_it_stands(visual):
    assert _typed(visual, False) == visual


def test_a_line_of_a_hundred_thousand_letters_is_read_well_under_a_second():
    line = list("אבגדה וזחט 1,250 (abc) f(x) " * 3600)[:100_000]
    started = time.process_time()
    logical_order(line)
    assert time.process_time() - started < 0.5


def test_a_hundred_thousand_letters_inside_nested_brackets_are_read_well_under_a_second():
    # Pairs holding only letters of the other direction: what a pair holds counted once for
    # the line, not once a pair (1.4 s when each of the 62 pairs was looked through).
    line = list("(" * 62 + "a b " * 50_000 + ")" * 62 + " אבג")
    started = time.process_time()
    typed = logical_order(line, True)
    assert time.process_time() - started < 0.6
    assert "".join(typed).startswith("גבא ")


def test_a_percent_after_a_number_that_opens_an_arabic_line_stays_after_it():
    """On the line as shown, the number stands beside Arabic letters, which made it an
    Arabic number (W2) and left the percent sign apart ("%71"); typed, nothing precedes it.
    Read from the units reversed, with no left-to-right word to make the order uncertain."""
    assert "".join(logical_order(list("لقنلاو 71%"), True)) == "71% والنقل"


def test_a_number_beside_english_words_in_a_hebrew_line_is_read_by_its_places():
    """"dollars 250" shows the same typed either way round: the line is read by its places,
    as before, where reading it from the units reversed was right on 8 lines of 17 and
    wrong on 9."""
    shown = list("הדיחיה רובע dollars 250 ריחמה")
    levels = resolved_levels(shown, True)
    by_places = reordered([MIRRORED.get(unit, unit) if level % 2 else unit for unit, level in zip(shown, levels)], levels)
    assert logical_order(shown, True) == by_places
