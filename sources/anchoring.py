"""Anchoring spans in source text: finding quotes, validating offsets, re-anchoring.

Pure functions, no Django. Every offset is a Unicode code point (a Python ``str``
index) and every range is half-open ``[start, end)``, the unit of the W3C Web
Annotation TextPositionSelector.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from project.validation import normalise_line_endings

CONTEXT_LENGTH = 32

# Limits on what a caller may send, so that anchoring costs time linear in the text whatever
# the input: a quote (a passage, not a document), its context, and how many places a quote
# may occur before it is too common to anchor by quote (offsets remain).
MAX_QUOTE_LENGTH = 5_000
MAX_CONTEXT_LENGTH = 256
MAX_CANDIDATES = 10_000
# How many places a refusal as too common lists (the first ones).
LISTED_WHEN_TOO_COMMON = 100


@dataclass(frozen=True)
class Candidate:
    """One place in a text where a quote sits."""

    start: int
    end: int

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end}


class AnchoringError(ValueError):
    """A span cannot be anchored; ``code`` is stable, ``str(error)`` is for people."""

    code = "anchoring_error"


class QuoteNotFound(AnchoringError):
    code = "quote_not_found"


class AmbiguousQuote(AnchoringError):
    code = "ambiguous_quote"

    def __init__(self, message: str, candidates: list[Candidate] | None = None) -> None:
        super().__init__(message)
        self.candidates = list(candidates or [])


class OffsetsOutOfRange(AnchoringError):
    code = "offsets_out_of_range"


class QuoteMismatch(AnchoringError):
    code = "quote_mismatch"

    def __init__(self, message: str, actual: str = "") -> None:
        super().__init__(message)
        self.actual = actual


class OccurrenceOutOfRange(QuoteNotFound):
    code = "occurrence_out_of_range"


class EmptyQuote(AnchoringError):
    code = "empty_quote"


class InputTooLong(AnchoringError):
    code = "too_long"


class QuoteTooCommon(AmbiguousQuote):
    code = "quote_too_common"


def check_input_lengths(quote: str | None, prefix: str | None = None, suffix: str | None = None) -> None:
    """Refuse a quote over ``MAX_QUOTE_LENGTH`` or a context side over ``MAX_CONTEXT_LENGTH``
    code points."""
    if quote is not None and len(quote) > MAX_QUOTE_LENGTH:
        raise InputTooLong(
            f"The quote is {len(quote)} code points long; a span quotes at most {MAX_QUOTE_LENGTH}."
        )
    for name, value in (("prefix", prefix), ("suffix", suffix)):
        if value is not None and len(value) > MAX_CONTEXT_LENGTH:
            raise InputTooLong(
                f"The {name} is {len(value)} code points long; context is at most {MAX_CONTEXT_LENGTH}."
            )


def find_all(text: str, quote: str, limit: int | None = None) -> list[Candidate]:
    """Every occurrence of ``quote`` in ``text``, overlapping ones included, in order; the
    first ``limit`` only, when given. Each search is CPython's linear-time ``str.find``."""
    if not quote:
        raise EmptyQuote("The quote is empty.")
    found: list[Candidate] = []
    position = text.find(quote)
    while position != -1 and (limit is None or len(found) < limit):
        found.append(Candidate(position, position + len(quote)))
        # Step one code point, not len(quote): "aa" occurs twice in "aaa".
        position = text.find(quote, position + 1)
    return found


def _is_offset(value: object) -> bool:
    # bool is an int subclass, but True/False are never meant as offsets.
    return isinstance(value, int) and not isinstance(value, bool)


def validate_offsets(text: str, start: int, end: int) -> None:
    """Require integer offsets with ``0 <= start < end <= len(text)``."""
    if not (_is_offset(start) and _is_offset(end)):
        raise OffsetsOutOfRange("Offsets must be integers.")
    if not 0 <= start < end <= len(text):
        raise OffsetsOutOfRange(
            f"Offsets [{start}, {end}) are outside the text: "
            f"0 <= start < end <= {len(text)} is required."
        )


def context_of(text: str, start: int, end: int, length: int = CONTEXT_LENGTH) -> tuple[str, str]:
    """The ``(prefix, suffix)`` around ``[start, end)``: up to ``length`` code points
    each side, shorter where the text begins or ends."""
    if not (_is_offset(start) and _is_offset(end)) or not 0 <= start <= end <= len(text):
        raise OffsetsOutOfRange(f"Offsets [{start}, {end}) are outside the text.")
    return text[max(0, start - length) : start], text[end : end + length]


def resolve_offsets(text: str, start: int, end: int, quote: str | None = None) -> Candidate:
    """Anchor by offsets; a ``quote`` sent along must equal ``text[start:end]``. The span
    quotes at most ``MAX_QUOTE_LENGTH`` code points, however it is named."""
    validate_offsets(text, start, end)
    if end - start > MAX_QUOTE_LENGTH:
        raise InputTooLong(
            f"Offsets [{start}, {end}) span {end - start} code points; a span quotes at most {MAX_QUOTE_LENGTH}."
        )
    actual = text[start:end]
    if quote is not None and quote != actual:
        raise QuoteMismatch(
            f"The quote does not match the text at [{start}, {end}), which reads {actual[:80]!r}.",
            actual,
        )
    return Candidate(start, end)


def _exact_context(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many of the given sides match exactly: the prefix as the end of the text
    before ``start``, the suffix as the start of the text after ``end``."""
    before_matches = bool(prefix) and start >= len(prefix) and text[start - len(prefix) : start] == prefix
    after_matches = bool(suffix) and text[end : end + len(suffix)] == suffix
    return before_matches + after_matches


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> tuple[int, float]:
    """How well the text around ``[start, end)`` matches the given context.

    Returns ``(exact matches, fuzzy similarity)``: an exact side outranks any amount
    of fuzzy similarity. The fuzzy part compares each side with the same number of
    code points of actual text, so a longer context is not penalised for its length.
    """
    similarity = 0.0
    if prefix:
        similarity += fuzz.ratio(prefix, text[max(0, start - len(prefix)) : start])
    if suffix:
        similarity += fuzz.ratio(suffix, text[end : end + len(suffix)])
    # Rounded so that float noise cannot break what is really a tie.
    return _exact_context(text, start, end, prefix, suffix), round(similarity, 6)


def _best_by_context(text: str, candidates: list[Candidate], prefix: str, suffix: str) -> list[Candidate]:
    """The candidates sharing the best context score, in text order."""
    if not (prefix or suffix):
        return candidates
    # Exact matches first: cheap string comparisons usually leave a single candidate,
    # sparing fuzzy scoring of every occurrence of a common quote.
    exact = [_exact_context(text, c.start, c.end, prefix, suffix) for c in candidates]
    most = max(exact)
    candidates = [c for c, count in zip(candidates, exact) if count == most]
    if len(candidates) == 1:
        return candidates
    scores = [_context_score(text, c.start, c.end, prefix, suffix) for c in candidates]
    best = max(scores)
    return [c for c, score in zip(candidates, scores) if score == best]


def resolve_quote(
    text: str,
    quote: str,
    *,
    prefix: str | None = None,
    suffix: str | None = None,
    occurrence: int | None = None,
) -> Candidate:
    """Anchor by quote.

    ``occurrence`` (1-based) picks the n-th exact occurrence. Otherwise a single
    occurrence wins; several are told apart by ``prefix``/``suffix`` similarity, and
    without context, or when the best context score is shared, the quote is ambiguous
    and every candidate is listed.

    The work is linear in the text: the quote and its context are capped
    (``check_input_lengths``), and a quote occurring more than ``MAX_CANDIDATES`` times is
    refused as too common (its first places listed) instead of scoring every place.
    """
    if "\r" in quote and quote not in text:
        # A source's breaks are LF: words copied with CR LF (as a browser posts a textarea's)
        # are found as the same words. A text that holds the quote as sent is left to it.
        quote, prefix, suffix = (normalise_line_endings(part) if part else part for part in (quote, prefix, suffix))
    check_input_lengths(quote, prefix, suffix)
    candidates = find_all(text, quote, limit=MAX_CANDIDATES + 1)
    if len(candidates) > MAX_CANDIDATES:
        raise QuoteTooCommon(
            f"The quote occurs more than {MAX_CANDIDATES} times; anchor it by offsets "
            f"(start, end) instead. The first {LISTED_WHEN_TOO_COMMON} places are listed.",
            candidates[:LISTED_WHEN_TOO_COMMON],
        )
    if not candidates:
        raise QuoteNotFound("The quote does not occur in the source text.")
    if occurrence is not None:
        if not _is_offset(occurrence) or not 1 <= occurrence <= len(candidates):
            raise OccurrenceOutOfRange(
                f"Occurrence {occurrence} was requested, but the quote occurs "
                f"{len(candidates)} time(s); choose 1 to {len(candidates)}."
            )
        return candidates[occurrence - 1]
    if len(candidates) == 1:
        return candidates[0]
    if prefix or suffix:
        best = _best_by_context(text, candidates, prefix or "", suffix or "")
        if len(best) == 1:
            return best[0]
        message = f"The quote occurs {len(candidates)} times and the context does not single one out."
    else:
        message = f"The quote occurs {len(candidates)} times; give a prefix, suffix or occurrence."
    raise AmbiguousQuote(message, candidates)


class AnchorState(StrEnum):
    ANCHORED = "anchored"
    RELOCATED = "relocated"
    ORPHANED = "orphaned"


@dataclass(frozen=True)
class Suggestion:
    """A fuzzy guess of where a lost quote went; ``score`` runs from 0 to 100."""

    start: int
    end: int
    quote: str
    score: float


@dataclass(frozen=True)
class Reanchored:
    """Where a span sits after its source text changed.

    An orphaned span keeps its old offsets and carries a suggestion, never applied.
    """

    state: AnchorState
    start: int
    end: int
    suggestion: Suggestion | None = None


def reanchor(
    new_text: str, *, quote: str, start: int, end: int, prefix: str = "", suffix: str = ""
) -> Reanchored:
    """Re-anchor a span after its source text was edited.

    Kept (anchored) where ``quote`` still sits at ``[start, end)`` with its context;
    else moved (relocated) to the exact occurrence of ``quote`` whose prefix/suffix
    match best, the one nearest the old start breaking ties; else orphaned. The result
    never points at a different string: ``new_text[start:end] == quote`` unless orphaned.

    When the quote still sits at the old offsets but its context changed there, all
    occurrences compete; the old position keeps the span unless another occurrence's
    context matches strictly better, so a short quote ("Iran") is not left on other words
    that an edit earlier in the text shifted into its place.
    """
    in_place = 0 <= start < end <= len(new_text) and new_text[start:end] == quote
    if in_place and _exact_context(new_text, start, end, prefix, suffix) == bool(prefix) + bool(suffix):
        return Reanchored(AnchorState.ANCHORED, start, end)
    candidates = find_all(new_text, quote) if quote else []
    if not candidates:
        suggestion = None
        if quote:
            suggestion = fuzzy_suggestion(new_text, quote, prefix=prefix, suffix=suffix, hint=start)
        return Reanchored(AnchorState.ORPHANED, start, end, suggestion)
    best = min(
        _best_by_context(new_text, candidates, prefix, suffix),
        key=lambda c: (abs(c.start - start), c.start),
    )
    state = AnchorState.ANCHORED if best.start == start else AnchorState.RELOCATED
    return Reanchored(state, best.start, best.end)


# Alignments within this many points of the best are refined: refining moves a score
# by a few points at most, so anything further behind cannot overtake.
_REFINE_MARGIN = 15.0
# Bounds the work on a quote that loosely matches all over a text (a short, common one).
_MAX_ALIGNMENTS = 100
_MAX_REFINED = 20
# Fuzzy alignment costs time proportional to the text times the quote: on a long text, the
# search for a lost quote stays within this many code points of its old place.
FUZZY_WINDOW = 20_000


def _alignments(text: str, quote: str, min_score: float) -> list[tuple[float, int, int]]:
    """Non-overlapping local alignments of ``quote`` in ``text`` as ``(score, start, end)``.

    ``partial_ratio_alignment`` reports only the single best alignment, which would hide
    ties between repeated passages, so the search recurses into the text on either side
    of each alignment found. Each call is one fast pass in C; the recursion stops at
    segments whose best falls below the refining margin of the overall best.
    """
    first = fuzz.partial_ratio_alignment(quote, text)
    floor = max(first.score, min_score) - _REFINE_MARGIN
    found: list[tuple[float, int, int]] = []
    pending = [(0, len(text))]
    while pending and len(found) < _MAX_ALIGNMENTS:
        low, high = pending.pop()
        segment = text[low:high]
        if len(segment) <= len(quote):
            # Shorter than the quote (roles would swap): the segment is the only candidate.
            score, start, end = fuzz.ratio(quote, segment), 0, len(segment)
        else:
            alignment = fuzz.partial_ratio_alignment(quote, segment)
            score, start, end = alignment.score, alignment.dest_start, alignment.dest_end
        if score < floor or end <= start:
            continue
        found.append((score, low + start, low + end))
        pending.extend(part for part in ((low, low + start), (low + end, high)) if part[1] > part[0])
    return found


def _refine(text: str, quote: str, start: int, end: int) -> tuple[float, int, int]:
    """Nudge the ends of an alignment to the boundaries that match ``quote`` best.

    ``partial_ratio`` only tries stretches exactly as long as the quote; a quote with a
    dropped or added letter matches its passage better at a different length.
    """
    slack = max(1, min(8, len(quote) // 4))
    best = (round(fuzz.ratio(quote, text[start:end]), 2), start, end)
    # Two rounds of moving one end at a time reach what a full grid search would,
    # at a fraction of the ratio calls.
    for _ in range(2):
        _, start, end = best
        for new_start in range(max(0, start - slack), min(end - 1, start + slack) + 1):
            score = round(fuzz.ratio(quote, text[new_start:end]), 2)
            if score > best[0]:
                best = (score, new_start, end)
        _, start, end = best
        for new_end in range(max(start + 1, end - slack), min(len(text), end + slack) + 1):
            score = round(fuzz.ratio(quote, text[start:new_end]), 2)
            if score > best[0]:
                best = (score, start, new_end)
    return best


def fuzzy_suggestion(
    text: str,
    quote: str,
    *,
    prefix: str = "",
    suffix: str = "",
    hint: int | None = None,
    min_score: float = 80.0,
) -> Suggestion | None:
    """The passage of ``text`` most similar to ``quote`` (a quote with typos, or one
    whose passage was lightly edited), or None when nothing reaches ``min_score``.

    Equal similarity is decided by context (as in ``resolve_quote``), then by closeness
    to ``hint`` (an old offset), then by position, the earliest first. With a ``hint``, a
    long text is searched within ``FUZZY_WINDOW`` code points of it only.
    """
    if not quote or not text:
        return None

    def distance(start: int) -> int:
        return abs(start - hint) if hint is not None else start

    if hint is not None and len(text) > 2 * FUZZY_WINDOW + len(quote):
        low = max(0, min(hint, len(text)) - FUZZY_WINDOW)
        window = text[low : min(len(text), hint + len(quote) + FUZZY_WINDOW)]
        raw = [(score, low + start, low + end) for score, start, end in _alignments(window, quote, min_score)]
    else:
        raw = _alignments(text, quote, min_score)
    raw.sort(key=lambda item: (-item[0], distance(item[1]), item[1]))
    refined = {_refine(text, quote, start, end) for _, start, end in raw[:_MAX_REFINED]}
    if not refined:
        return None

    def rank(item: tuple[float, int, int]) -> tuple:
        score, start, end = item
        return (score, _context_score(text, start, end, prefix, suffix), -distance(start), -start)

    score, start, end = max(refined, key=rank)
    if score < min_score:
        return None
    return Suggestion(start, end, text[start:end], score)
