"""Editorial checks (claims/checks.py): pure functions, no database."""

from __future__ import annotations

import datetime as dt
import functools
import re
from re import _constants, _parser

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from claims import checks
from claims.checks import ClaimFacts, EvidenceFacts, SourceFacts, run_checks

REPORT = SourceFacts(id=1, reliability="B", published_on=dt.date(2018, 9, 5), title="A report")
PAPER = SourceFacts(id=2, reliability="B", published_on=None, title="A paper")
WEAK = SourceFacts(id=3, reliability="F", published_on=dt.date(2017, 2, 1), title="A commentary")


def claim(text, *quotes, confidence="moderate", verdict="supported", stance="supports",
          source=REPORT, period_start=None, period_end=None):
    return ClaimFacts(
        text=text,
        confidence=confidence,
        verdict=verdict,
        period_start=period_start,
        period_end=period_end,
        evidence=tuple(EvidenceFacts(quote, stance, source) for quote in quotes),
    )


def codes(warnings):
    return [w["code"] for w in warnings]


# ---------------------------------------------------------------------------------------------
# number_not_in_evidence


@pytest.mark.parametrize(
    "claim_text, quote",
    [
        ("Russia voted six times for sanctions", "Russia voted on 6 occasions for sanctions"),
        ("Russia voted 6 times", "Russia voted on six occasions"),
        ("Twelve states signed", "a dozen states signed"),
        ("72 percent of Iranians distrust Russia", "72% of Iranians distrust Russia"),
        ("72% of Iranians", "seventy-two per cent of Iranians, 72 percent"),
        ("a $4 billion deal", "a deal worth 4 billion dollars"),
        ("a deal worth 4 billion dollars", "a $4bn deal"),
        ("the first round of sanctions", "the 1st round of sanctions"),
        ("1,200 advisers", "1200 advisers"),
        ("two hundred and forty troops", "240 troops"),
        ("half a dozen visits", "six visits"),
    ],
)
def test_a_number_in_any_form_of_the_quote_is_supported(claim_text, quote):
    assert checks.number_not_in_evidence(claim(claim_text, quote)) == []


def test_a_number_no_supporting_quote_contains_is_named_in_the_warning():
    warnings = checks.number_not_in_evidence(
        claim("Russia voted seven times for sanctions", "Russia voted on six occasions")
    )
    assert codes(warnings) == ["number_not_in_evidence"]
    assert '"seven" (7)' in warnings[0]["message"]


def test_money_and_percentages_compare_their_values():
    assert codes(checks.number_not_in_evidence(claim("a $5 billion deal", "a $4 billion deal"))) == [
        "number_not_in_evidence"
    ]
    warnings = checks.number_not_in_evidence(claim("73 percent agree", "72% agree"))
    assert '"73"' in warnings[0]["message"]


def test_an_ordinal_is_not_supported_by_the_same_cardinal():
    warnings = checks.number_not_in_evidence(claim("the second round", "two rounds"))
    assert '"second"' in warnings[0]["message"] and "ordinal" in warnings[0]["message"]


def test_numbers_are_checked_against_supporting_quotes_only():
    facts = ClaimFacts(
        text="six visits",
        verdict="supported",
        evidence=(
            EvidenceFacts("five visits", "supports", REPORT),
            EvidenceFacts("six visits", "context", REPORT),
        ),
    )
    assert codes(checks.number_not_in_evidence(facts)) == ["number_not_in_evidence"]


def test_a_claim_without_supporting_quotes_is_not_checked_for_numbers():
    facts = claim("Russia voted five times", "Russia voted on six occasions", verdict="refuted", stance="refutes")
    assert checks.number_not_in_evidence(facts) == []


def test_names_years_and_the_word_one_are_not_counts():
    facts = claim(
        "One of the S-400 systems named in Resolution 1929 arrived in 2016 on January 13",
        "the S-400 arrived",
    )
    assert checks.number_not_in_evidence(facts) == []


# ---------------------------------------------------------------------------------------------
# date_not_in_evidence


def test_a_year_no_quote_or_publication_date_gives_is_named():
    warnings = checks.date_not_in_evidence(claim("Russia left Syria in 2016", "Russia left Syria", source=PAPER))
    assert codes(warnings) == ["date_not_in_evidence"]
    assert '"2016"' in warnings[0]["message"]


def test_the_publication_date_supports_a_year_and_month():
    assert checks.date_not_in_evidence(claim("In September 2018 Iran defied the US", "Iran defied the US")) == []


def test_a_month_named_in_the_claim_must_be_in_the_evidence():
    warnings = checks.date_not_in_evidence(
        claim("In January 2016 Russia withdrew", "in 2016 Russia withdrew", source=PAPER)
    )
    assert [w["message"] for w in warnings] == ['No supporting quote or source publication date gives the month "January".']


def test_a_day_must_be_in_the_evidence():
    warnings = checks.date_not_in_evidence(
        claim("On August 7, 2018 sanctions returned", "sanctions returned in August 2018")
    )
    assert '"August 7"' in warnings[0]["message"]
    assert checks.date_not_in_evidence(claim("On August 7, 2018 sanctions returned", "on 7 August 2018")) == []


def test_the_period_is_checked_at_its_granularity():
    quote = "from June 2006 to June 2010, Russia voted to sanction Iran"
    whole_months = claim("Russia voted for sanctions", quote, period_start=dt.date(2006, 6, 1), period_end=dt.date(2010, 6, 30))
    assert checks.date_not_in_evidence(whole_months) == []
    whole_years = claim("Russia voted for sanctions", quote, period_start=dt.date(2006, 1, 1), period_end=dt.date(2010, 12, 31))
    assert checks.date_not_in_evidence(whole_years) == []
    wrong = claim("Russia voted for sanctions", quote, period_start=dt.date(2005, 6, 1), period_end=dt.date(2010, 7, 31))
    messages = " ".join(w["message"] for w in checks.date_not_in_evidence(wrong))
    assert '"2005"' in messages and '"July"' in messages


def test_a_relative_time_is_resolved_from_the_publication_date():
    published = SourceFacts(id=9, reliability="C", published_on=dt.date(2018, 9, 5))
    facts = claim("In August 2018 the US re-imposed sanctions", "last month the US re-imposed sanctions", source=published)
    assert checks.date_not_in_evidence(facts) == []
    weekday = claim(
        "They met on October 11, 2024", "they met on Friday",
        source=SourceFacts(id=8, published_on=dt.date(2024, 10, 14)),
    )
    assert checks.date_not_in_evidence(weekday) == []


@pytest.mark.parametrize("published_on", [dt.date(1, 1, 1), dt.date(1, 12, 31), dt.date(9999, 12, 31)])
@pytest.mark.parametrize("quote", ["two years ago the ministry voted", "yesterday the ministry voted", "last year the ministry voted", "next year the ministry votes", "tomorrow the ministry votes"])
def test_a_relative_time_seen_from_the_calendars_edge_supports_no_date(published_on, quote):
    """A source dated at the edge of the calendar (0001-01-01, as a document's zero date
    was read) had failed every check of a claim quoting "two years ago" from it: year -1 is
    no date, and the claim could not be saved."""
    facts = claim("The ministry voted in 2020.", quote, source=SourceFacts(id=7, published_on=published_on))
    assert codes(checks.date_not_in_evidence(facts)) == ["date_not_in_evidence"]
    run_checks(facts)


def test_a_decade_is_supported_by_the_decade_or_a_year_in_it():
    assert checks.date_not_in_evidence(claim("in the 1990s they cooperated", "in 1995 they cooperated", source=PAPER)) == []
    assert codes(checks.date_not_in_evidence(claim("in the 1980s they cooperated", "in 1995", source=PAPER))) == [
        "date_not_in_evidence"
    ]


def test_may_is_a_month_only_in_a_date():
    assert checks.date_mentions("Iran may respond") == ()
    assert [m.month for m in checks.date_mentions("on 8 May 2018 and in May")] == [5, 5]


# ---------------------------------------------------------------------------------------------
# hedged_evidence


def test_a_claim_that_drops_the_quotes_hedge_is_warned():
    warnings = checks.hedged_evidence(
        claim("Russia did not coordinate with Iran", "the decision most likely was not coordinated with Tehran")
    )
    assert codes(warnings) == ["hedged_evidence"]
    assert '"most likely"' in warnings[0]["message"]


def test_high_confidence_on_a_hedged_quote_is_warned_even_when_the_claim_hedges():
    facts = claim("Russia reportedly sold missiles", "Russia reportedly sold missiles", confidence="high")
    assert "high" in checks.hedged_evidence(facts)[0]["message"]
    assert checks.hedged_evidence(claim("Russia reportedly sold missiles", "Russia reportedly sold missiles")) == []


def test_a_claim_that_attributes_the_statement_keeps_the_hedge():
    facts = claim("Reuters reported that Russia may sell missiles", "Russia may sell missiles, according to Reuters", confidence="high")
    assert checks.hedged_evidence(facts) == []


def test_a_refuting_quote_that_only_guesses_is_warned():
    facts = claim("Russia coordinated with Iran", "it most likely was not coordinated", verdict="refuted", stance="refutes")
    assert "refuting quote" in checks.hedged_evidence(facts)[0]["message"]


def test_could_not_and_may_the_month_are_not_hedges():
    assert checks.hedges_in("Russia could not stop it in May 2018") == []


def test_an_unverifiable_verdict_carries_the_hedge():
    facts = claim("Russia coordinated with Iran", "it most likely was not coordinated", verdict="unverifiable", stance="refutes")
    assert checks.hedged_evidence(facts) == []


# ---------------------------------------------------------------------------------------------
# single_source, low_reliability, unresolved_relative_time


def test_high_confidence_on_one_source_is_warned():
    assert codes(checks.single_source(claim("x", "x", "y", confidence="high"))) == ["single_source"]
    two = ClaimFacts("x", "high", "supported", evidence=(EvidenceFacts("x", "supports", REPORT), EvidenceFacts("x", "supports", PAPER)))
    assert checks.single_source(two) == []
    assert checks.single_source(claim("x", "x", confidence="moderate")) == []


def test_high_confidence_when_every_source_is_graded_d_to_f_is_warned():
    weak_only = claim("x", "x", confidence="high", source=WEAK)
    warnings = checks.low_reliability(weak_only)
    assert codes(warnings) == ["low_reliability"] and "is F" in warnings[0]["message"]
    mixed = ClaimFacts("x", "high", "supported", evidence=(EvidenceFacts("x", "supports", WEAK), EvidenceFacts("x", "supports", REPORT)))
    assert checks.low_reliability(mixed) == []


def test_a_relative_time_in_an_undated_source_is_warned():
    warnings = checks.unresolved_relative_time(claim("x", "Iran said last month that it would", source=PAPER))
    assert codes(warnings) == ["unresolved_relative_time"] and '"last month"' in warnings[0]["message"]
    assert checks.unresolved_relative_time(claim("x", "Iran said last month that it would", source=REPORT)) == []


def test_run_checks_is_clean_on_a_well_sourced_claim():
    facts = ClaimFacts(
        text="Russia voted six times for UN sanctions on Iran between June 2006 and June 2010",
        confidence="high",
        verdict="supported",
        period_start=dt.date(2006, 6, 1),
        period_end=dt.date(2010, 6, 30),
        evidence=(
            EvidenceFacts("from June 2006 to June 2010, Russia voted to sanction Iran on six occasions", "supports", REPORT),
            EvidenceFacts("Russia backed all six resolutions between 2006 and 2010", "supports", PAPER),
        ),
    )
    assert run_checks(facts) == []


# ---------------------------------------------------------------------------------------------
# Properties

_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def in_words(number: int) -> str:
    if number < 20:
        return _WORDS[number]
    if number < 100:
        tens, units = divmod(number, 10)
        return _TENS[tens - 2] + (f"-{_WORDS[units]}" if units else "")
    hundreds, rest = divmod(number, 100)
    return f"{_WORDS[hundreds]} hundred" + (f" and {in_words(rest)}" if rest else "")


@given(st.integers(min_value=2, max_value=999))
def test_a_number_in_words_matches_the_same_number_in_digits(number):
    assert checks.number_not_in_evidence(claim(f"They met {in_words(number)} times", f"they met {number} times")) == []
    assert checks.number_not_in_evidence(claim(f"They met {number} times", f"they met {in_words(number)} times")) == []


@given(st.integers(min_value=2, max_value=10**6), st.integers(min_value=2, max_value=10**6))
@example(10**30 + 1, 10**30)  # apart past the 28 digits of decimal's default context
@example(2**100, 2**100 + 10**3)
def test_a_different_number_is_always_reported(claimed, quoted):
    warnings = checks.number_not_in_evidence(claim(f"They sent {claimed:,} troops", f"they sent {quoted:,} troops"))
    assert bool(warnings) == (claimed != quoted)
    if warnings:
        assert f"{claimed:,}" in warnings[0]["message"]


@pytest.mark.parametrize("claimed, quoted", [
    ("10000000000000000000000000001 billion", "10000000000000000000000000000 billion"),
    ("10000000000000000000000000001.5 million", "10000000000000000000000000001.4 million"),
    ("1,000,000,000,000,000,000,000,000,000,001", "1000000000000000000000000000000"),
])
def test_long_numbers_are_compared_exactly(claimed, quoted):
    assert codes(checks.number_not_in_evidence(claim(f"They moved {claimed} barrels", f"they moved {quoted} barrels"))) == [
        "number_not_in_evidence"
    ]
    assert checks.number_not_in_evidence(claim(f"They moved {claimed} barrels", f"they moved {claimed} barrels")) == []


@given(st.integers(min_value=1, max_value=99), st.sampled_from(["%", " percent", " per cent"]))
def test_percent_forms_are_interchangeable(number, form):
    assert checks.number_not_in_evidence(claim(f"{number}% agree", f"{number}{form} agree")) == []


_QUOTE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=120
)


@given(_QUOTE_TEXT)
def test_a_claim_that_repeats_its_quote_has_no_number_or_date_warning(text):
    facts = claim(text, text, source=PAPER)
    assert checks.number_not_in_evidence(facts) == []
    assert checks.date_not_in_evidence(facts) == []


@given(_QUOTE_TEXT, _QUOTE_TEXT, st.sampled_from(["low", "moderate", "high", ""]))
def test_checks_never_fail_and_always_answer_known_codes(text, quote, confidence):
    for found in run_checks(claim(text, quote, confidence=confidence)):
        assert found["code"] in checks.CODES and found["message"]


@given(st.integers(min_value=1800, max_value=2099), st.integers(min_value=1800, max_value=2099))
def test_a_year_is_supported_exactly_by_itself(claimed, quoted):
    warnings = checks.date_not_in_evidence(claim(f"It happened in {claimed}", f"it happened in {quoted}", source=PAPER))
    assert bool(warnings) == (claimed != quoted)


def test_a_capitalised_relative_word_mid_sentence_is_a_name_not_a_time():
    facts = claim("x", "Russia’s RT (formerly Russia Today) was launched", source=PAPER)
    assert checks.unresolved_relative_time(facts) == []
    assert codes(checks.unresolved_relative_time(claim("x", "Today, Russia said so", source=PAPER))) == [
        "unresolved_relative_time"
    ]


def test_a_models_plural_keeps_its_number():
    assert checks.number_not_in_evidence(claim("Su-35 fighters and S-400 systems", "Su-35s and S-400s")) == []


def test_a_year_before_a_comma_is_a_year():
    assert [m.year for m in checks.date_mentions("contracted in 1995, it")] == [1995]
    assert checks.number_not_in_evidence(claim("contracted in 1995, it opened", "a 1995 contract")) == []


def test_a_year_missing_from_both_text_and_period_is_reported_once():
    facts = claim("In 2010 it happened", "it happened", source=PAPER,
                  period_start=dt.date(2010, 1, 1), period_end=dt.date(2010, 12, 31))
    assert len(checks.date_not_in_evidence(facts)) == 1


# ---------------------------------------------------------------------------------------------
# Scanned patterns (``checks._scanned``)


def _first_characters(items) -> tuple[set[str], bool]:
    """The characters a match of the parsed ``items`` can begin with, and whether it can be
    empty (then what follows may begin it). Zero-width assertions are passed over."""
    found: set[str] = set()
    for op, value in items:
        if op in (_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT):
            continue
        if op is _constants.LITERAL:
            return found | {chr(value)}, False
        if op is _constants.IN:
            for kind, item in value:
                if kind is _constants.LITERAL:
                    found.add(chr(item))
                elif kind is _constants.RANGE:
                    found.update(map(chr, range(item[0], item[1] + 1)))
                elif kind is _constants.CATEGORY and item is _constants.CATEGORY_DIGIT:
                    found.update(_decimals())  # what ``\d`` matches in a str pattern
                else:
                    raise AssertionError(f"no rule for {kind} {item} at a match's start")
            return found, False
        if op is _constants.SUBPATTERN:
            inner, empty = _first_characters(value[-1])
        elif op is _constants.BRANCH:
            firsts = [_first_characters(alternative) for alternative in value[1]]
            inner, empty = set().union(*(first for first, _ in firsts)), any(can for _, can in firsts)
        elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT):
            inner, empty = _first_characters(value[2])
            empty = empty or value[0] == 0
        else:
            raise AssertionError(f"no rule for {op} at a match's start")
        found |= inner
        if not empty:
            return found, False
    return found, True


@functools.cache
def _decimals() -> list[str]:
    return [chr(code) for code in range(0x110000) if chr(code).isdecimal()]


@functools.cache
def _cased() -> list[str]:
    return [chr(code) for code in range(0x10000) if chr(code).lower() != chr(code).upper()]


@pytest.mark.parametrize("scanned", list(checks.SCANNED), ids=lambda scanned: scanned.pattern[:40])
def test_a_scanned_patterns_look_ahead_admits_every_character_a_match_can_begin_with(scanned):
    """The look-ahead of ``checks._scanned`` only skips positions where no match can begin.
    Read from the plain pattern's own parse: every character its matches can begin with,
    in any case the pattern's flags match (the long s for "s", the Kelvin sign for "k"),
    passes the look-ahead. A class that leaves out "D" (of "December") for ``_DATE``, or
    writes ``0-9`` for ``\\d``, fails."""
    plain = checks.SCANNED[scanned]
    firsts, empty = _first_characters(_parser.parse(plain.pattern, plain.flags))
    assert not empty
    if plain.flags & re.IGNORECASE:
        firsts |= {cased for first in firsts if first.isalpha() for cased in _cased()
                   if re.fullmatch(re.escape(first), cased, plain.flags)}
    look_ahead = re.compile(scanned.pattern[: scanned.pattern.index("(?:")], plain.flags)
    assert sorted(first for first in firsts if not look_ahead.match(first)) == []


# What may stand around a match: digits (Unicode ones too, which ``\d`` matches), ordinals,
# punctuation, and letters that only a case-insensitive pattern matches (long s, Kelvin sign).
_AROUND = ["1999", "2010s", "3", "21st", "٣", "May", "mid-May", "of", "in", "ago",
           " ", ", ", ". ", "-", "$", "(", "\n", "ſ", "K"]


@pytest.mark.parametrize("scanned", list(checks.SCANNED), ids=lambda scanned: scanned.pattern[:40])
@given(data=st.data())
def test_a_scanned_pattern_finds_what_the_plain_pattern_finds(scanned, data):
    """Whole matches, group by group, on texts that join strings the pattern matches (drawn
    from the pattern itself) with what may stand around them. The test above reads every
    first character from the pattern; this one would also see a look-ahead that changed
    where a match ends."""
    plain = checks.SCANNED[scanned]
    pieces = st.one_of(st.from_regex(plain, fullmatch=True), st.sampled_from(_AROUND), st.text(max_size=3))
    text = data.draw(st.lists(pieces, max_size=6).map("".join), label="text")
    found = [(match.span(), match.groupdict()) for match in scanned.finditer(text)]
    assert found == [(match.span(), match.groupdict()) for match in plain.finditer(text)]


def test_the_checks_patterns_with_many_alternatives_are_scanned():
    assert {checks._DATE, checks._RELATIVE, checks._HEDGE, checks._ATTRIBUTION} == set(checks.SCANNED)
