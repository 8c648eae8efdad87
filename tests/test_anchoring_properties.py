"""Property tests for sources.anchoring: offsets round-trip, and re-anchoring after
random edits of a real source never points a span at different words."""

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from sources.anchoring import (
    CONTEXT_LENGTH,
    AmbiguousQuote,
    AnchorState,
    ContextMismatch,
    SplitsCharacter,
    context_of,
    find_all,
    reanchor,
    resolve_offsets,
    resolve_quote,
)
from sources.graphemes import is_boundary, split_character
from tests.support import seed_text

SEED_002 = seed_text("002_33db2ed9014b8c21.txt")
PARAGRAPH_BREAKS = [index + 2 for index in range(len(SEED_002)) if SEED_002.startswith("\n\n", index)]

SETTINGS = settings(max_examples=200, deadline=None)

# Arbitrary characters plus the ones that trip up offset arithmetic: astral-plane
# emoji (two UTF-16 units each), curly quotes, paragraph breaks, markup-like text, and
# characters of several code points (a combining accent, a flag, joined emoji).
TRICKY = st.sampled_from(["🎉", "𝄞", "🇷🇺", "“", "”", "’", "\n\n", "<sup>5</sup>", "\\$", "é", "e\u0301", "\u200d👩"])
texts = st.lists(st.one_of(st.characters(), TRICKY), min_size=1, max_size=100).map("".join)


@st.composite
def text_and_any_range(draw):
    text = draw(texts)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


@st.composite
def text_and_range(draw):
    """A text and a range of it that begins and ends between characters (a span's rule)."""
    text = draw(texts)
    boundaries = [offset for offset in range(len(text) + 1) if is_boundary(text, offset)]
    start = draw(st.sampled_from(boundaries[:-1]))
    end = draw(st.sampled_from([offset for offset in boundaries if offset > start]))
    return text, start, end


@given(text_and_any_range())
@SETTINGS
def test_resolve_offsets_takes_a_range_exactly_when_it_splits_no_character(case):
    text, start, end = case
    split = split_character(text, start, end)
    try:
        candidate = resolve_offsets(text, start, end, text[start:end])
    except SplitsCharacter as error:
        assert split is not None and error.split == split
        assert not is_boundary(text, split.offset) and split.first < split.offset < split.last
    else:
        assert split is None and (candidate.start, candidate.end) == (start, end)


@given(text_and_range())
@SETTINGS
def test_resolve_offsets_round_trips_any_valid_range(case):
    text, start, end = case
    candidate = resolve_offsets(text, start, end, text[start:end])
    assert (candidate.start, candidate.end) == (start, end)


@given(before=texts, quote=texts, after=texts)
@SETTINGS
def test_context_is_at_most_32_code_points_and_adjacent_to_the_range(before, quote, after):
    # Drawn in three parts so that long stretches on either side are common.
    text, start, end = before + quote + after, len(before), len(before) + len(quote)
    prefix, suffix = context_of(text, start, end)
    assert len(prefix) <= CONTEXT_LENGTH and len(suffix) <= CONTEXT_LENGTH
    assert len(prefix) == min(CONTEXT_LENGTH, start)
    assert len(suffix) == min(CONTEXT_LENGTH, len(text) - end)
    assert text[start - len(prefix) : start] == prefix
    assert text[end : end + len(suffix)] == suffix


@given(text_and_range())
@SETTINGS
def test_resolving_a_quote_with_its_own_context_finds_it_or_a_true_twin(case):
    text, start, end = case
    quote = text[start:end]
    prefix, suffix = context_of(text, start, end)
    assert (start, end) in [(c.start, c.end) for c in find_all(text, quote)]
    try:
        candidate = resolve_quote(text, quote, prefix=prefix, suffix=suffix)
    except AmbiguousQuote as error:
        # Only when another occurrence carries exactly the same context.
        assert any(
            c.start != start and carries_context(text, c.start, c.end, prefix, suffix)
            for c in error.candidates
        )
    else:
        assert text[candidate.start : candidate.end] == quote
        assert carries_context(text, candidate.start, candidate.end, prefix, suffix)


def carries_context(text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    return text[:start].endswith(prefix) and text[end:].startswith(suffix)


@dataclass(frozen=True)
class Edit:
    """Replace old_text[start:end] with `inserted`; an insertion has start == end."""

    start: int
    end: int
    inserted: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.inserted + text[self.end :]

    @property
    def shift(self) -> int:
        return len(self.inserted) - (self.end - self.start)


@st.composite
def edits(draw):
    kind = draw(st.sampled_from(["insert", "delete", "replace", "duplicate_paragraph"]))
    if kind == "duplicate_paragraph":
        # Copy one paragraph (with its break) to another paragraph boundary.
        first = draw(st.sampled_from([0, *PARAGRAPH_BREAKS]))
        following = [position for position in PARAGRAPH_BREAKS if position > first]
        paragraph = SEED_002[first : following[0]] if following else SEED_002[first:] + "\n\n"
        where = draw(st.sampled_from([0, *PARAGRAPH_BREAKS]))
        return Edit(where, where, paragraph)
    start = draw(st.integers(0, len(SEED_002)))
    end = start if kind == "insert" else draw(st.integers(start, min(len(SEED_002), start + 300)))
    if kind == "delete":
        return Edit(start, end, "")
    # New words are either fresh text or a copy of a passage of the source, which
    # creates duplicates of quotes elsewhere.
    copy_from = draw(st.integers(0, len(SEED_002) - 1))
    inserted = draw(
        st.one_of(
            st.lists(st.one_of(st.characters(), TRICKY), min_size=1, max_size=40).map("".join),
            st.integers(1, 200).map(lambda length: SEED_002[copy_from : copy_from + length]),
        )
    )
    return Edit(start, end, inserted)


@st.composite
def spans(draw):
    start = draw(st.integers(0, len(SEED_002) - 1))
    end = draw(st.integers(start + 1, min(len(SEED_002), start + 150)))
    return start, end


def touches(edit: Edit, low: int, high: int) -> bool:
    """Whether the edit changes or splits old text in [low, high)."""
    if edit.start == edit.end:
        return low < edit.start < high
    return edit.start < high and edit.end > low


@given(edit=edits(), chosen=st.lists(spans(), min_size=1, max_size=6))
@SETTINGS
def test_reanchor_after_random_edits_never_points_at_different_words(edit, chosen):
    new_text = edit.apply(SEED_002)
    for start, end in chosen:
        quote = SEED_002[start:end]
        prefix, suffix = context_of(SEED_002, start, end)
        result = reanchor(new_text, quote=quote, start=start, end=end, prefix=prefix, suffix=suffix)

        if result.state is AnchorState.ORPHANED:
            assert (result.start, result.end) == (start, end)
            if result.suggestion is not None:
                suggestion = result.suggestion
                assert new_text[suggestion.start : suggestion.end] == suggestion.quote
            if quote in new_text and result.suggestion is not None:
                # The words are there, but no place's context agreed convincingly: the best
                # one (unless tied) is offered, never applied.
                assert result.suggestion.quote == quote
        else:
            assert new_text[result.start : result.end] == quote
            assert result.state is (AnchorState.ANCHORED if result.start == start else AnchorState.RELOCATED)

        if touches(edit, start - len(prefix), end + len(suffix)):
            continue
        # The span's words and its whole context survived the edit: it must land on
        # them, or on a twin carrying exactly the same words and context.
        expected = start + edit.shift if edit.end <= start - len(prefix) else start
        twins = [c.start + len(prefix) for c in find_all(new_text, prefix + quote + suffix)]
        assert expected in twins
        assert result.state is not AnchorState.ORPHANED
        assert result.start in twins
        if len(twins) == 1:
            assert (result.start, result.end) == (expected, expected + len(quote))


@given(text_and_range(), st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
@SETTINGS
def test_context_running_past_the_texts_ends_still_finds_its_place(case, before, after):
    # A caller's context may hold words beyond the text's start or end (a longer version of
    # the document): agreeing up to the boundary, it picks the place as exact context does.
    # (Context wholly beyond the text, with none of it next to the quote, is a contradiction:
    # test_context_wholly_beyond_the_text_is_refused.)
    text, start, end = case
    quote = text[start:end]
    prefix = (before + text[:start]) if 0 < start < CONTEXT_LENGTH else text[start - CONTEXT_LENGTH : start]
    suffix = (text[end:] + after) if 0 < len(text) - end < CONTEXT_LENGTH else text[end : end + CONTEXT_LENGTH]
    try:
        candidate = resolve_quote(text, quote, prefix=prefix[-256:], suffix=suffix[:256])
    except AmbiguousQuote as error:
        assert any(
            c.start != start and text[: c.start].endswith(text[:start][-CONTEXT_LENGTH:])
            and text[c.end :].startswith(text[end:][:CONTEXT_LENGTH])
            for c in error.candidates
        )
    else:
        assert text[candidate.start : candidate.end] == quote
        assert text[: candidate.start].endswith(text[:start][-CONTEXT_LENGTH:])
        assert text[candidate.end :].startswith(text[end:][:CONTEXT_LENGTH])


@given(text_and_range())
@SETTINGS
def test_the_context_derived_at_a_place_is_never_refused_with_its_offsets_or_occurrence(case):
    # What the admin's selection and the importer send: the exact place and its own context.
    text, start, end = case
    prefix, suffix = context_of(text, start, end)
    assert resolve_offsets(text, start, end, text[start:end], prefix=prefix, suffix=suffix).start == start
    # Occurrences are counted among the places that split no character.
    whole = [c.start for c in find_all(text, text[start:end]) if split_character(text, c.start, c.end) is None]
    occurrence = whole.index(start) + 1
    assert resolve_quote(text, text[start:end], prefix=prefix, suffix=suffix, occurrence=occurrence).start == start


WORDS = st.text(st.characters(whitelist_categories=("Lu", "Ll")), min_size=3, max_size=12)


@given(
    speakers=st.lists(WORDS, min_size=2, max_size=2, unique=True),
    quote=st.sampled_from(["said yes", "said yes to the proposal", "agreed", "x"]),
    opening=st.sampled_from(["", "Intro text here. ", "On Monday, "]),
    closing=st.sampled_from(["", " End.", " Talks continue on the next day."]),
    edit=st.sampled_from(["swap", "delete_own", "delete_other", "separate", "rename_own"]),
    new_name=WORDS,
)
@SETTINGS
def test_reanchor_never_moves_a_span_onto_another_speakers_words(speakers, quote, opening, closing, edit, new_name):
    own, other = speakers
    if any(a.endswith(b) for a, b in ((own, other), (other, own), (new_name, other), (other, new_name))):
        return  # one name is the end of the other: the words before the quote agree
    first, second = f"{other} {quote}.", f"{own} {quote}."
    text = f"{opening}{first} {second}{closing}"
    start = text.rindex(f"{own} {quote}") + len(own) + 1
    prefix, suffix = context_of(text, start, start + len(quote))
    new_text = {
        "swap": f"{opening}{second} {first}{closing}",
        "delete_own": f"{opening}{first}{closing}",
        "delete_other": f"{opening}{second}{closing}",
        "separate": f"{opening}{second} Meanwhile, {first}{closing}",
        # The speaker's name corrected: the words stay the span's.
        "rename_own": f"{opening}{first} {new_name} {quote}.{closing}",
    }[edit]
    result = reanchor(new_text, quote=quote, start=start, end=start + len(quote), prefix=prefix, suffix=suffix)
    if result.state is not AnchorState.ORPHANED:
        # Kept or moved only onto the words the span's speaker said.
        assert new_text[: result.start].endswith(f"{new_name if edit == 'rename_own' else own} ")
        assert new_text[result.start : result.end] == quote


@given(text_and_range(), st.text(min_size=1, max_size=40))
@SETTINGS
def test_context_wholly_beyond_the_text_is_refused(case, beyond):
    text, start, end = case
    if start == 0:
        try:
            resolve_offsets(text, start, end, prefix=beyond)
        except ContextMismatch as error:
            assert error.sides == ("prefix",)
        else:
            raise AssertionError("a prefix at the text's start was accepted")
    if end == len(text):
        try:
            resolve_offsets(text, start, end, suffix=beyond)
        except ContextMismatch as error:
            assert error.sides == ("suffix",)
        else:
            raise AssertionError("a suffix at the text's end was accepted")
