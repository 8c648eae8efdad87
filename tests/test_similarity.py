"""The pure part of similar claims (claims/similarity.py): canonical forms and scores."""

from __future__ import annotations

from claims.similarity import EntityMatcher, analyse, numbers_as_digits, score

MATCHER = EntityMatcher(
    [
        (1, "Russia", ["Russian Federation", "Moscow", "Kremlin"]),
        (2, "Iran", ["Tehran"]),
        (3, "Vladimir Putin", ["Putin", "President Putin"]),
        (4, "United Nations Security Council", ["UN Security Council", "UNSC"]),
        (5, "United States", ["US"]),
    ]
)


def test_numbers_in_words_and_digits_become_the_same_digits():
    assert numbers_as_digits("voted six times") == numbers_as_digits("voted 6 times")
    assert "4000000000" in numbers_as_digits("lost $4 billion")
    assert "4000000000" in numbers_as_digits("lost four billion dollars")
    assert "194000" in numbers_as_digits("194,000 barrels")


def test_entity_aliases_and_titles_reduce_to_one_token():
    titled = analyse("Russian President Vladimir Putin visited Tehran", MATCHER)
    plain = analyse("Putin visited Iran", MATCHER)
    assert titled.tokens == plain.tokens
    assert titled.entities == {2, 3}


def test_all_capital_aliases_match_only_as_written():
    assert analyse("the US imposed sanctions", MATCHER).entities == {5}
    assert analyse("tell us about sanctions", MATCHER).entities == frozenset()


def test_the_longest_alias_wins():
    assert analyse("the UN Security Council voted", MATCHER).entities == {4}


def test_inflections_and_synonyms_meet():
    assert set(analyse("Moscow backed sanctions", MATCHER).tokens) == set(analyse("Russia voted for sanction", MATCHER).tokens)


def test_paraphrase_scores_high():
    claim = analyse("Russia voted six times for UN Security Council sanctions on Iran", MATCHER)
    paraphrase = analyse("Six times the Kremlin backed UNSC sanctions against Tehran", MATCHER)
    assert score(paraphrase, claim) >= 0.8


def test_a_different_number_lowers_the_score():
    claim = analyse("Russia voted six times for UN sanctions on Iran in 2007", MATCHER)
    same = analyse("Russia voted six times for UN sanctions on Iran in 2007", MATCHER)
    other = analyse("Russia voted five times for UN sanctions on Iran in 2007", MATCHER)
    assert score(other, claim) < 0.6 <= score(same, claim)


def test_a_different_entity_lowers_the_score():
    claim = analyse("Russia sold missiles to Iran", MATCHER)
    other = analyse("The United States sold missiles to Iran", MATCHER)
    assert score(other, claim) < 0.6


def test_a_negation_on_one_side_lowers_the_score():
    claim = analyse("Iran is intervening in the war", MATCHER)
    assert score(analyse("Iran is not intervening in the war", MATCHER), claim) < 0.6


def test_opposite_words_lower_the_score():
    claim = analyse("Trade between Iran and Russia rose in 2013", MATCHER)
    assert score(analyse("Trade between Iran and Russia fell in 2013", MATCHER), claim) < 0.6
    assert score(analyse("Trade between Iran and Russia grew in 2013", MATCHER), claim) >= 0.8


def test_scores_stay_between_0_and_1():
    for text in ["", "!!!", "the of and", "Russia Russia Russia 1 2 3"]:
        value = score(analyse(text, MATCHER), analyse("Russia voted six times", MATCHER))
        assert 0 <= value <= 1
