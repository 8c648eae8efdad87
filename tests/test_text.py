"""Text cut to fit: at a word boundary, with an ellipsis, never past the room."""

from __future__ import annotations

import pytest

from project.text import shortened

CLAIM = "Trade between Iran and Russia rose by 20 percent in 2023, officials reportedly said, the ministry added."


def test_a_text_that_fits_is_kept_whole():
    assert shortened("Iran and Russia signed the deal.", 80) == "Iran and Russia signed the deal."
    assert shortened("x" * 80, 80) == "x" * 80


def test_a_long_text_is_cut_after_its_last_whole_word():
    assert shortened(CLAIM, 80) == "Trade between Iran and Russia rose by 20 percent in 2023, officials reportedly…"


def test_a_cut_after_a_comma_leaves_the_comma_out():
    assert shortened(CLAIM, 59) == "Trade between Iran and Russia rose by 20 percent in 2023…"


def test_a_cut_falling_on_a_space_keeps_the_word_before_it():
    assert shortened("one two three four", 9) == "one two…"


def test_a_long_run_without_spaces_is_cut_inside_it():
    assert shortened("See https://example.org/" + "a" * 100, 40) == ("See https://example.org/" + "a" * 100)[:39] + "…"


@pytest.mark.parametrize("limit", range(20, 100, 7))
def test_the_cut_text_never_passes_the_room_and_ends_on_a_whole_word(limit):
    cut = shortened(CLAIM, limit)
    assert len(cut) <= limit and cut.endswith("…")
    words = cut[:-1].split()
    assert CLAIM.startswith(cut[:-1]) and CLAIM.split()[len(words) - 1].rstrip(",") == words[-1].rstrip(",")
