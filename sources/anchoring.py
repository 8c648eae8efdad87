"""Anchoring spans in source text: finding quotes, validating offsets, re-anchoring.

Pure functions, no Django. Every offset is a Unicode code point (a Python ``str``
index) and every range is half-open ``[start, end)``, the unit of the W3C Web
Annotation TextPositionSelector.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from . import graphemes


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
    """A span cannot be anchored; ``code`` is stable, ``str(error)`` is for people.
    ``fields``: the inputs at fault (``quote``, ``start``...), for per-field messages."""

    code = "anchoring_error"
    fields: tuple[str, ...] = ()

    def __init__(self, message: str, *, fields: tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        if fields is not None:
            self.fields = fields


class QuoteNotFound(AnchoringError):
    code = "quote_not_found"
    fields = ("quote",)


class AmbiguousQuote(AnchoringError):
    code = "ambiguous_quote"
    fields = ("quote",)

    def __init__(self, message: str, candidates: list[Candidate] | None = None) -> None:
        super().__init__(message)
        self.candidates = list(candidates or [])


class OffsetsOutOfRange(AnchoringError):
    code = "offsets_out_of_range"
    fields = ("start", "end")


class QuoteMismatch(AnchoringError):
    code = "quote_mismatch"
    fields = ("quote",)

    def __init__(self, message: str, actual: str = "") -> None:
        super().__init__(message)
        self.actual = actual


class OccurrenceOutOfRange(QuoteNotFound):
    code = "occurrence_out_of_range"
    fields = ("occurrence",)


class EmptyQuote(AnchoringError):
    code = "empty_quote"
    fields = ("quote",)


class InputTooLong(AnchoringError):
    code = "too_long"
    fields = ("quote",)


class QuoteTooCommon(AmbiguousQuote):
    code = "quote_too_common"


class SplitsCharacter(AnchoringError):
    """A span would begin or end inside a character as a reader sees it (a letter and its
    combining accent, a flag, an emoji joined by U+200D): the quote would not be what the
    page shows. ``field`` names what the caller gave that falls there (``start``, ``end``
    or ``quote``); ``split`` says where, and the character's own offsets."""

    code = "splits_character"

    def __init__(self, message: str, field: str, split: graphemes.SplitCharacter) -> None:
        super().__init__(message)
        self.field = field
        self.split = split


def require_whole_characters(text: str, start: int, end: int) -> None:
    """The rule of every span that is created or imported: it begins and ends between
    characters as a reader sees them (``graphemes``), so that its quote is what a reader
    sees there. "The cafe" of "The café" written with a combining accent is refused, not
    stored without its accent."""
    split = graphemes.split_character(text, start, end)
    if split is not None:
        raise SplitsCharacter(split.describe(), split.side, split)


class OffsetsIncomplete(AnchoringError):
    code = "offsets_incomplete"
    fields = ("start", "end")


class OccurrenceWithOffsets(AnchoringError):
    code = "occurrence_with_offsets"
    fields = ("occurrence",)


class PassageUnspecified(AnchoringError):
    code = "span_unspecified"
    fields = ("quote",)


class ContextMismatch(AnchoringError):
    """The prefix or suffix given does not agree with the place that the offsets, the
    occurrence or the quote itself name (or, among repeats, with any place). ``sides`` names
    the sides that disagree; ``candidates`` lists every place of the quote, as
    ``AmbiguousQuote`` does."""

    code = "context_mismatch"

    def __init__(self, message: str, candidates: list[Candidate] | None = None, sides: tuple[str, ...] = ()) -> None:
        super().__init__(message, fields=sides or ("prefix", "suffix"))
        self.candidates = list(candidates or [])
        self.sides = sides


# CR LF or CR, as a line break (a source's breaks are LF; ``project.validation``'s rule).
_LINE_BREAK = re.compile(r"\r\n?")
# White space at the end of a line, which a text extracted from a file never keeps
# (``sources.ingest.normalise``'s ``_TRAILING_SPACE``).
_SPACE_BEFORE_BREAK = re.compile(r"[ \t\u00a0\u3000]+(?=\n)")
# Blank lines: Chromium copies two paragraphs with one between them; a text extracted
# from a page breaks a line once between them.
_BLANK_LINES = re.compile(r"\n{2,}")
# Runs of spaces: Chromium copies the spaces on both sides of an image without alt text, or
# of a hidden word ("The minister  resigned"); an extracted text collapses them.
_SPACE_RUN = re.compile(" {2,}")

# How words copied from a browser may differ from the text they were copied from, each
# with what reads them as the text does: line breaks as CR LF (a textarea posts them so);
# white space ending a line (a table's cell, "Left\t\n"), which an extracted text never
# keeps; blank lines between paragraphs; runs of spaces. Each is undone only when the quote
# as it stands is not in the text (in any of its normal forms, ``_form_in``): a text that
# holds it so (typed in, verbatim) is left to it.
_AS_COPIED = (
    # A PDF viewer copies a ligature as the one character it draws (U+FB01 "ﬁ"); the text
    # extracted from the PDF has its letters.
    (lambda quote: _LIGATURE.search(quote) is not None, lambda part: part.translate(_LIGATURE_LETTERS)),
    (lambda quote: "\r" in quote, lambda part: _LINE_BREAK.sub("\n", part)),
    (_SPACE_BEFORE_BREAK.search, lambda part: _SPACE_BEFORE_BREAK.sub("", part)),
    (lambda quote: "\n\n" in quote, lambda part: _BLANK_LINES.sub("\n", part)),
    (lambda quote: "  " in quote, lambda part: _SPACE_RUN.sub(" ", part)),
)


# The Latin ligatures of Unicode's Alphabetic Presentation Forms, and their letters.
_LIGATURE_LETTERS = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
})
_LIGATURE = re.compile("[\ufb00-\ufb06]")


def _form_in(text: str, quote: str) -> str | None:
    """How ``text`` holds ``quote``: as it is (""), or in the other normal form, "NFC" or
    "NFD" (a page writes "e" and U+0301 where an extracted text is composed; a text file
    keeps what the analyst types composed decomposed, as it was written); None if not at all."""
    if quote in text:
        return ""
    for form in ("NFC", "NFD"):
        if not unicodedata.is_normalized(form, quote) and unicodedata.normalize(form, quote) in text:
            return form
    return None


# Spaces a copy and its text may hold for one another: a browser copies a no-break space
# (U+00A0; narrow, U+202F; of a figure's width, U+2007) as a space, and a text extracted
# from a page has a space where the page wrote one of them. Each is one code point, as a
# space is: a text read with them as spaces keeps its offsets.
_OTHER_SPACES = "\u00a0\u202f\u2007"


def _holds_other_spaces(value: str | None) -> bool:
    return bool(value) and any(space in value for space in _OTHER_SPACES)


def _as_spaces(value: str) -> str:
    """``value`` with each no-break space a space. By ``replace``, each a linear search in
    C: ``str.translate`` took 0.94 s for 10 MB of text that is not ASCII."""
    for space in _OTHER_SPACES:
        value = value.replace(space, " ")
    return value


def _spaces_alike(text: str, quote: str, prefix: str | None, suffix: str | None) -> tuple[str, str, str | None, str | None]:
    """The text, the quote and its context with every no-break space read as a space,
    where one of them holds one: the places of a quote are then its places whatever kind
    of space each has (a span stores the text's own words at its offsets), and context
    tells them apart as it would. Read so only when it can matter: a text without them is
    not copied."""
    parts = (quote, prefix, suffix)
    text_holds = _holds_other_spaces(text)
    if not (text_holds or any(_holds_other_spaces(part) for part in parts)):
        return text, quote, prefix, suffix
    if not any(part and (" " in part or _holds_other_spaces(part)) for part in parts):
        return text, quote, prefix, suffix
    quote, prefix, suffix = (_as_spaces(part) if part else part for part in parts)
    return (_as_spaces(text) if text_holds else text), quote, prefix, suffix


def _as_the_text_reads(text: str, quote: str, prefix: str | None, suffix: str | None) -> tuple[str, str | None, str | None]:
    """The quote and its context read as ``text`` reads, where a browser's copy of it
    differs (``_AS_COPIED``, then the normal form the text holds it in)."""
    if _LIGATURE.search(text) is None:
        # A text without a ligature (extracted: PDFium spells them out) is read against its
        # context's letters too: a copy's context holds the viewer's ligatures as its quote does.
        prefix, suffix = (part.translate(_LIGATURE_LETTERS) if part else part for part in (prefix, suffix))
    for differs, undo in _AS_COPIED:
        if differs(quote) and _form_in(text, quote) is None:
            quote, prefix, suffix = (undo(part) if part else part for part in (quote, prefix, suffix))
    if form := _form_in(text, quote):
        quote, prefix, suffix = (unicodedata.normalize(form, part) if part else part for part in (quote, prefix, suffix))
    return quote, prefix, suffix


def with_lf_breaks(text: str) -> tuple[str, list[int]]:
    """``text`` with every CR LF and lone CR as LF (``project.validation``'s rule for a
    source's text), and where the CRs it dropped were in ``text`` (those of CR LF pairs), in
    order: what ``lf_offsets`` and ``lf_piece`` need to carry a place in ``text`` over."""
    if "\r" not in text:
        return text, []
    dropped = [match.start() for match in re.finditer("\r\n", text)]
    return _LINE_BREAK.sub("\n", text), dropped


def lf_offsets(dropped: list[int], start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` of a text, in that text with LF breaks (``with_lf_breaks``): each
    offset less the CRs dropped before it. An offset between a CR and its LF lands before
    the LF: the break stays outside a span that ended or inside one that began there."""
    return start - bisect_left(dropped, start), end - bisect_left(dropped, end)


def lf_piece(dropped: list[int], start: int, piece: str) -> str:
    """``piece``, given as the text at ``start`` reads, as the text with LF breaks reads
    there: the dropped CRs left out, any other CR made LF."""
    if "\r" not in piece:
        return piece
    first = bisect_left(dropped, start)
    skip = {position - start for position in dropped[first : bisect_left(dropped, start + len(piece))]}
    # Only a CR is dropped: a piece that does not read as the text does (an orphaned span's
    # old words) loses nothing else.
    return "".join("\n" if char == "\r" else char for index, char in enumerate(piece)
                   if not (index in skip and char == "\r"))

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
                f"The {name} is {len(value)} code points long; context is at most {MAX_CONTEXT_LENGTH}.",
                fields=(name,),
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
    if 0 <= end <= start <= len(text):
        raise OffsetsOutOfRange(f"The start ({start:,}) must come before the end ({end:,}): a span holds at least one character.")
    if not 0 <= start < end <= len(text):
        raise OffsetsOutOfRange(
            f"Offsets [{start}, {end}) are outside the text, which has {len(text):,} characters (code points): "
            f"0 <= start < end <= {len(text)} is required."
        )


def context_of(text: str, start: int, end: int, length: int = CONTEXT_LENGTH) -> tuple[str, str]:
    """The ``(prefix, suffix)`` around ``[start, end)``: up to ``length`` code points
    each side, shorter where the text begins or ends."""
    if not (_is_offset(start) and _is_offset(end)) or not 0 <= start <= end <= len(text):
        raise OffsetsOutOfRange(f"Offsets [{start}, {end}) are outside the text.")
    return text[max(0, start - length) : start], text[end : end + length]


def resolve_offsets(
    text: str,
    start: int,
    end: int,
    quote: str | None = None,
    *,
    prefix: str | None = None,
    suffix: str | None = None,
    widen: bool = False,
) -> Candidate:
    """Anchor by offsets; a ``quote`` sent along must equal ``text[start:end]``, and a
    ``prefix``/``suffix`` sent along must agree with the text around the offsets (see
    ``context_agrees``). The span quotes at most ``MAX_QUOTE_LENGTH`` code points, however
    it is named, and begins and ends between characters (``require_whole_characters``).

    ``widen`` (the import of a file written before that rule, on request): offsets that fall
    inside a character are moved out to hold all of it, once the quote and context are
    found to agree with the text at the offsets given."""
    check_input_lengths(None, prefix, suffix)
    validate_offsets(text, start, end)
    _require_quotable(start, end)
    actual = text[start:end]
    if quote is not None and quote != actual:
        raise QuoteMismatch(
            f"The quote does not match the text at [{start}, {end}), which reads {actual[:80]!r}.",
            actual,
        )
    if widen:
        _require_agreement(text, Candidate(start, end), prefix or "", suffix or "", f"at [{start}, {end})")
        start, end = whole_characters(text, start, end)
        _require_quotable(start, end)
    require_whole_characters(text, start, end)
    candidate = Candidate(start, end)
    if not widen:
        _require_agreement(text, candidate, prefix or "", suffix or "", f"at [{start}, {end})")
    return candidate


def _require_quotable(start: int, end: int) -> None:
    if end - start > MAX_QUOTE_LENGTH:
        raise InputTooLong(
            f"Offsets [{start}, {end}) span {end - start} code points; a span quotes at most {MAX_QUOTE_LENGTH}.",
            fields=("start", "end"),
        )


def whole_characters(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened to hold whole every character it begins or ends inside."""
    return graphemes.character_around(text, start)[0], graphemes.character_around(text, end)[1]



def resolve_passage(
    text: str,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    *,
    prefix: str | None = None,
    suffix: str | None = None,
    occurrence: int | None = None,
    widen: bool = False,
) -> Candidate:
    """The place a caller names, however they name it: by offsets (``resolve_offsets``: a
    quote or context sent along must agree; ``widen`` moves offsets inside a character out
    to hold it), or by quote (``resolve_quote``: ``occurrence`` or context choose among
    repeats). Both offsets or neither; ``occurrence`` only with a quote. Either way the
    passage begins and ends between characters as a reader sees them (``SplitsCharacter``
    otherwise). Every way of naming a passage asks this: the API, the admin and the import."""
    if start is not None or end is not None:
        if start is None or end is None:
            raise OffsetsIncomplete("Give both start and end, or a quote.", fields=("end",) if end is None else ("start",))
        if occurrence is not None:
            raise OccurrenceWithOffsets("occurrence chooses among repeats of a quote; not with offsets.")
        return resolve_offsets(text, start, end, quote, prefix=prefix, suffix=suffix, widen=widen)
    if quote is None:
        raise PassageUnspecified("Give start and end, or a quote.")
    return resolve_quote(text, quote, prefix=prefix, suffix=suffix, occurrence=occurrence)

# Context agreement
#
# Where a quote occurs several times, the context next to it tells the places apart. The
# measure is the agreement next to the quote: how many code points at the end of a prefix
# equal the text just before the place, and how many at the start of a suffix equal the text
# just after it. The code points adjacent to the quote count first, so a context that agrees
# far away but not next to the quote (a far exact match) earns nothing.


def agreement_before(text: str, start: int, prefix: str) -> int:
    """How many code points at the end of ``prefix`` equal the text just before ``start``
    (at most ``start``: the text may begin first)."""
    limit = min(len(prefix), start)
    if limit and text[start - limit : start] == prefix[len(prefix) - limit :]:
        return limit
    # Agreement over k code points implies agreement over fewer: a binary search of slice
    # comparisons (each in C) costs O(log k) comparisons, not k Python steps.
    low, high = 0, max(0, limit - 1)
    while low < high:
        middle = (low + high + 1) // 2
        if text[start - middle : start] == prefix[len(prefix) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def agreement_after(text: str, end: int, suffix: str) -> int:
    """How many code points at the start of ``suffix`` equal the text just after ``end``
    (at most what is left of the text)."""
    limit = min(len(suffix), len(text) - end)
    if limit and text[end : end + limit] == suffix[:limit]:
        return limit
    low, high = 0, max(0, limit - 1)
    while low < high:
        middle = (low + high + 1) // 2
        if text[end : end + middle] == suffix[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _side_agrees(agreed: int, given: int, available: int) -> bool:
    """A given side of context agrees with a place when all of it sits next to the quote,
    or, where the text ends first, all the text there is (at least one code point) does:
    context running past the text's start or end is not held against a place."""
    return agreed == given or 0 < agreed == available


# A given side that does not agree exactly still agrees when it is this similar (rapidfuzz
# ratio, 0-100) to as many code points of the text next to the place: context typed by a
# person ("we had nout" for "we had nothing ") picks its place; other words ("Russia " where
# the text reads "Iran ") do not.
NEAR_SIMILARITY = 50.0


@dataclass(frozen=True)
class _Fit:
    """How a given context fits one place of a quote."""

    candidate: Candidate
    sides: int  # sides given
    exact_sides: int  # given sides that agree exactly (up to the text's boundary)
    agreed: int  # code points agreeing next to the quote, both sides
    similarity: float  # each given side's similarity summed (100 for an exact side)
    disagreeing: tuple[str, ...]  # given sides neither exact nor near

    @property
    def exact(self) -> bool:
        return self.exact_sides == self.sides


def _fit(text: str, candidate: Candidate, prefix: str, suffix: str) -> _Fit:
    exact_sides, agreed, similarity, disagreeing = 0, 0, 0.0, []
    for name, given, agreement, available, nearby in (
        ("prefix", prefix, agreement_before(text, candidate.start, prefix) if prefix else 0, candidate.start,
         lambda: text[max(0, candidate.start - len(prefix)) : candidate.start]),
        ("suffix", suffix, agreement_after(text, candidate.end, suffix) if suffix else 0, len(text) - candidate.end,
         lambda: text[candidate.end : candidate.end + len(suffix)]),
    ):
        if not given:
            continue
        agreed += agreement
        if _side_agrees(agreement, len(given), available):
            exact_sides += 1
            similarity += 100.0
            continue
        # Rounded so that float noise cannot break what is really a tie.
        ratio = round(fuzz.ratio(given, nearby()), 6)
        similarity += ratio
        if ratio < NEAR_SIMILARITY:
            disagreeing.append(name)
    return _Fit(candidate, bool(prefix) + bool(suffix), exact_sides, agreed, similarity, tuple(disagreeing))


def context_agrees(text: str, start: int, end: int, *, prefix: str = "", suffix: str = "") -> bool:
    """Whether a given prefix/suffix agrees with the place ``[start, end)``: each side
    exactly (up to the text's start or end), or nearly (``NEAR_SIMILARITY``)."""
    return not _fit(text, Candidate(start, end), prefix, suffix).disagreeing


def _require_agreement(
    text: str, candidate: Candidate, prefix: str, suffix: str, where: str, candidates: list[Candidate] | None = None
) -> None:
    """Refuse context that contradicts the place chosen by offsets, occurrence or a unique
    quote: a caller who says what surrounds the words means those words."""
    if not (prefix or suffix):
        return
    fit = _fit(text, candidate, prefix, suffix)
    if fit.disagreeing:
        raise _mismatch(text, fit, where, candidates if candidates is not None else [candidate])


def _mismatch(text: str, fit: _Fit, where: str, candidates: list[Candidate]) -> ContextMismatch:
    start, end = fit.candidate.start, fit.candidate.end
    parts = []
    for side in fit.disagreeing:
        if side == "prefix":
            parts.append(f"the prefix does not agree with the text before it, which ends {text[max(0, start - CONTEXT_LENGTH):start]!r}")
        else:
            parts.append(f"the suffix does not agree with the text after it, which begins {text[end:end + CONTEXT_LENGTH]!r}")
    return ContextMismatch(f"The quote {where}: {'; '.join(parts)}.", candidates, fit.disagreeing)


def _best_by_context(text: str, candidates: list[Candidate], prefix: str, suffix: str) -> Candidate:
    """The one place whose context agrees with the given prefix/suffix.

    First the places where every given side agrees exactly (context running past the
    text's start or end agrees up to there), the most code points of agreement winning;
    else the places where every side agrees at least nearly, the most exact sides and then
    the most similar winning. A tie is ``AmbiguousQuote``; no agreeing place at all is
    ``ContextMismatch``.
    """
    fits = [_fit(text, candidate, prefix, suffix) for candidate in candidates]
    exact = [fit for fit in fits if fit.exact]
    if exact:
        ranked = sorted(exact, key=lambda fit: -fit.agreed)
        key = lambda fit: fit.agreed  # noqa: E731
    else:
        ranked = sorted((fit for fit in fits if not fit.disagreeing), key=lambda fit: (-fit.exact_sides, -fit.similarity))
        key = lambda fit: (fit.exact_sides, fit.similarity)  # noqa: E731
    if not ranked:
        if len(fits) == 1:
            raise _mismatch(text, fits[0], f"at [{fits[0].candidate.start}, {fits[0].candidate.end})", candidates)
        raise ContextMismatch(
            f"The quote occurs {len(candidates)} times and the context given agrees with none of them.",
            candidates,
            tuple(side for side, given in (("prefix", prefix), ("suffix", suffix)) if given),
        )
    if len(ranked) > 1 and key(ranked[0]) == key(ranked[1]):
        raise AmbiguousQuote(
            f"The quote occurs {len(candidates)} times and the context does not single one out.", candidates
        )
    return ranked[0].candidate


def resolve_quote(
    text: str,
    quote: str,
    *,
    prefix: str | None = None,
    suffix: str | None = None,
    occurrence: int | None = None,
) -> Candidate:
    """Anchor by quote.

    A place where the quote begins or ends inside a character (``graphemes``: "cafe" in
    "café" written with a combining accent) is not one of its occurrences; a quote that has
    no other is ``SplitsCharacter``.

    ``occurrence`` (1-based) picks the n-th exact occurrence. Otherwise a single
    occurrence wins; several are told apart by ``prefix``/``suffix`` (``_best_by_context``),
    and without context, or when the best is shared, the quote is ambiguous and every
    candidate is listed. Context given must agree with the place chosen, whatever chose
    it (``context_agrees``): else ``ContextMismatch``.

    The work is linear in the text: the quote and its context are capped
    (``check_input_lengths``), and a quote occurring more than ``MAX_CANDIDATES`` times is
    refused as too common (its first places listed) instead of scoring every place.
    """
    text, quote, prefix, suffix = _spaces_alike(text, quote, prefix, suffix)
    quote, prefix, suffix = _as_the_text_reads(text, quote, prefix, suffix)
    check_input_lengths(quote, prefix, suffix)
    prefix, suffix = prefix or "", suffix or ""
    candidates = find_all(text, quote, limit=MAX_CANDIDATES + 1)
    if len(candidates) > MAX_CANDIDATES:
        raise QuoteTooCommon(
            f"The quote occurs more than {MAX_CANDIDATES} times; anchor it by offsets "
            f"(start, end) instead. The first {LISTED_WHEN_TOO_COMMON} places are listed.",
            candidates[:LISTED_WHEN_TOO_COMMON],
        )
    if not candidates:
        raise QuoteNotFound("The quote does not occur in the source text.")
    whole = [candidate for candidate in candidates if graphemes.split_character(text, candidate.start, candidate.end) is None]
    if not whole:
        # Only inside characters: "cafe" where the text reads "cafe" and U+0301 ("café").
        split = graphemes.split_character(text, candidates[0].start, candidates[0].end)
        raise SplitsCharacter(
            f"The quote occurs only as part of a character: at [{candidates[0].start:,}, {candidates[0].end:,}), "
            + split.describe()[0].lower() + split.describe()[1:],
            "quote",
            split,
        )
    candidates = whole
    if occurrence is not None:
        if not _is_offset(occurrence) or not 1 <= occurrence <= len(candidates):
            raise OccurrenceOutOfRange(
                f"Occurrence {occurrence} was requested, but the quote occurs "
                f"{len(candidates)} time(s); choose 1 to {len(candidates)}."
            )
        chosen = candidates[occurrence - 1]
        _require_agreement(text, chosen, prefix, suffix, f"occurrence {occurrence}, at [{chosen.start}, {chosen.end})", candidates)
        return chosen
    if prefix or suffix:
        return _best_by_context(text, candidates, prefix, suffix)
    if len(candidates) == 1:
        return candidates[0]
    raise AmbiguousQuote(f"The quote occurs {len(candidates)} times; give a prefix, suffix or occurrence.", candidates)


class AnchorState(StrEnum):
    ANCHORED = "anchored"
    RELOCATED = "relocated"
    ORPHANED = "orphaned"


@dataclass(frozen=True)
class Suggestion:
    """A guess of where a lost quote went; ``score`` runs from 0 to 100 (100: the exact
    words, at a place whose context did not agree convincingly)."""

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


# Work budgets
#
# Re-anchoring runs inside the source edit's transaction, so its cost must not depend on
# how hostile the text is. Work is counted in cells, roughly nanoseconds: a code point of
# text scanned is one cell, scoring a place's context a fixed few thousand, and a fuzzy
# alignment of a quote of m code points over n of text n * m * ceil(m / 64) (rapidfuzz's
# bit-parallel cost; measured at about one cell per nanosecond). A span that cannot pay for
# a step is orphaned without a suggestion: flagged for a person, never guessed.


class WorkBudget:
    """Cells of work left; a ``share`` of it draws on this budget too."""

    def __init__(self, cells: int, parent: WorkBudget | None = None) -> None:
        self.left = cells
        self.parent = parent

    def affords(self, cells: int) -> bool:
        return cells <= self.left and (self.parent is None or self.parent.affords(cells))

    def spend(self, cells: int) -> bool:
        """Pay ``cells`` when affordable (True); else pay nothing (False)."""
        if not self.affords(cells):
            return False
        budget: WorkBudget | None = self
        while budget is not None:
            budget.left -= cells
            budget = budget.parent
        return True

    def share(self, cells: int) -> WorkBudget:
        """A budget of at most ``cells``, drawn from this one."""
        return WorkBudget(min(cells, self.left), parent=self)


# One span's re-anchoring, and one source edit's (every span of it), about 0.3 s and 1.5 s.
SPAN_BUDGET = 300_000_000
EDIT_BUDGET = 1_500_000_000
# A fuzzy suggestion asked for on its own (not within a re-anchoring).
SUGGESTION_BUDGET = 300_000_000
CELLS_PER_PLACE = 2_000


def _alignment_cost(text_length: int, quote_length: int) -> int:
    return text_length * quote_length * -(-quote_length // 64)


def _ratio_cost(length: int, quote_length: int) -> int:
    return 1_000 + length * quote_length // 64


# Re-anchoring
#
# The rule, per place where the quote occurs in the new text: its agreement is
# ``agreement_before`` the stored prefix plus ``agreement_after`` the stored suffix (each at
# most that side's length; a side stored shorter than CONTEXT_LENGTH because the span was
# near the text's start or end is compared as stored). A place agrees wholly when both
# sides agree over all their length.
#
# 1. The old offsets, when the quote still sits there and agrees wholly; or when it sits
#    there and occurs nowhere else in the text; or when one side agrees there over at least
#    MIN_SIDE_AGREEMENT code points and no other place agrees more on either side (a word
#    changed next to a repeated quote leaves it where it was). A place that agrees more on
#    a side the old one does not is where the span's words went: another speaker's same
#    words moved into the old offsets are not kept.
# 2. Else the wholly agreeing place nearest the old start (the same words and context:
#    copies of a passage are indistinguishable, and the nearest is the least surprising).
# 3. Else the place with the most agreement, when each side agrees over at least
#    MIN_SIDE_AGREEMENT code points next to the quote (or over all of it, when stored
#    shorter) and the place agrees by at least AGREEMENT_MARGIN more than any other: one
#    side alone does not identify words (the same "said yes. End." follows another
#    speaker, and so may a long passage repeated word for word), and close calls are not
#    decided by machine.
# 4. Else orphaned: the place with the most agreement (unless tied) is offered as a
#    suggestion, never applied; without any exact occurrence, a fuzzy suggestion
#    (``fuzzy_suggestion``) within the work budget.
MIN_SIDE_AGREEMENT = 4
AGREEMENT_MARGIN = 3
# Wholly agreeing places are first looked for this many code points either side of the old
# start, nearest first: an edit elsewhere in a long text costs a short search per span.
REANCHOR_WINDOW = 20_000


@dataclass(frozen=True)
class _Placement:
    candidate: Candidate
    agreed: int  # code points agreeing next to the quote, both sides
    whole: bool  # both sides agree over all their stored length
    enough: bool  # both sides agree over at least MIN_SIDE_AGREEMENT (or all) code points
    one_side: bool  # one side at least does
    before: int  # code points agreeing before the quote
    after: int  # and after it


def _placement(text: str, candidate: Candidate, prefix: str, suffix: str) -> _Placement:
    before = agreement_before(text, candidate.start, prefix)
    after = agreement_after(text, candidate.end, suffix)
    sides = (before >= min(len(prefix), MIN_SIDE_AGREEMENT), after >= min(len(suffix), MIN_SIDE_AGREEMENT))
    whole = before == len(prefix) and after == len(suffix)
    return _Placement(candidate, before + after, whole, all(sides), any(sides), before, after)


def _nearest_first(text: str, quote: str, around: int, radius: int):
    """The occurrences of ``quote`` starting within ``radius`` of ``around``, nearest first
    (the earlier of two as near)."""
    around = min(max(0, around), len(text))
    low, high = max(0, around - radius), min(len(text), around + radius + len(quote))
    forward = text.find(quote, around, high)
    backward = text.rfind(quote, low, around - 1 + len(quote)) if around > low else -1
    while forward != -1 or backward != -1:
        if backward != -1 and (forward == -1 or around - backward <= forward - around):
            yield Candidate(backward, backward + len(quote))
            backward = text.rfind(quote, low, backward - 1 + len(quote)) if backward > low else -1
        else:
            yield Candidate(forward, forward + len(quote))
            forward = text.find(quote, forward + 1, high)


def reanchor(
    new_text: str,
    *,
    quote: str,
    start: int,
    end: int,
    prefix: str = "",
    suffix: str = "",
    budget: WorkBudget | None = None,
) -> Reanchored:
    """Re-anchor a span after its source text was edited (the rule above this function).

    The result never points at a different string: ``new_text[start:end] == quote`` unless
    orphaned. The cost is bounded by ``budget`` (default ``SPAN_BUDGET``): places are
    looked for nearest first around the old start, at most ``MAX_CANDIDATES`` of them are
    scored, and what the budget cannot pay for is orphaned without a suggestion.

    A place where the quote now begins or ends inside a character (an accent added after
    "cafe", a person joined to "👨" by U+200D) is not the quote's place: what a reader sees
    there is other words (``graphemes``), and a span created there is refused. Such a span
    had been kept, painted without its accent, and its export refused on import.
    """
    budget = budget if budget is not None else WorkBudget(SPAN_BUDGET)

    def between_characters(candidate: Candidate) -> bool:
        return graphemes.split_character(new_text, candidate.start, candidate.end) is None

    def found(candidate: Candidate) -> Reanchored:
        state = AnchorState.ANCHORED if candidate.start == start else AnchorState.RELOCATED
        return Reanchored(state, candidate.start, candidate.end)

    def orphaned(suggestion: Suggestion | None = None) -> Reanchored:
        return Reanchored(AnchorState.ORPHANED, start, end, suggestion)

    if not quote:
        return orphaned()
    if 0 <= start < end <= len(new_text) and new_text[start:end] == quote and between_characters(Candidate(start, end)):
        if _placement(new_text, Candidate(start, end), prefix, suffix).whole:
            return found(Candidate(start, end))
    # 2. nearest first around the old start: a wholly agreeing place there is the answer.
    if not budget.spend(min(len(new_text), 2 * REANCHOR_WINDOW + len(quote))):
        return orphaned()
    nearby: list[_Placement] = []
    nearby_complete = True
    for candidate in _nearest_first(new_text, quote, start, REANCHOR_WINDOW):
        if len(nearby) == MAX_CANDIDATES or not budget.spend(CELLS_PER_PLACE):
            nearby_complete = False
            break
        if not between_characters(candidate):
            continue
        placement = _placement(new_text, candidate, prefix, suffix)
        if placement.whole:
            return found(candidate)
        nearby.append(placement)
    around = min(max(0, start), len(new_text))
    window_is_whole_text = around <= REANCHOR_WINDOW and len(new_text) - around <= REANCHOR_WINDOW + len(quote)
    complete = True  # ``placements`` holds every place the quote occurs
    if window_is_whole_text and nearby_complete:
        placements = nearby
    else:
        if not budget.spend(len(new_text)):
            return orphaned()
        candidates = [candidate for candidate in find_all(new_text, quote, limit=MAX_CANDIDATES + 1) if between_characters(candidate)]
        if len(candidates) > MAX_CANDIDATES:
            if not nearby_complete:
                return orphaned()  # too common to tell apart within the budget
            placements, complete = nearby, False  # decided among the places near the old one
        elif not budget.spend(CELLS_PER_PLACE * len(candidates)):
            return orphaned()
        else:
            placements = [_placement(new_text, candidate, prefix, suffix) for candidate in candidates]
            whole = [placement.candidate for placement in placements if placement.whole]
            if whole:
                return found(min(whole, key=lambda c: (abs(c.start - start), c.start)))
    if not placements:
        return orphaned(fuzzy_suggestion(new_text, quote, prefix=prefix, suffix=suffix, hint=start, budget=budget))
    in_place = next((p for p in placements if p.candidate.start == start), None)
    if in_place is not None and (
        (complete and len(placements) == 1)
        or (in_place.one_side and not any(p.before > in_place.before or p.after > in_place.after for p in placements))
    ):
        return found(in_place.candidate)
    ranked = sorted(placements, key=lambda p: (-p.agreed, abs(p.candidate.start - start), p.candidate.start))
    best = ranked[0]
    clear = len(ranked) == 1 or best.agreed - ranked[1].agreed >= AGREEMENT_MARGIN
    if clear and best.enough:
        return found(best.candidate)
    if len(ranked) > 1 and best.agreed == ranked[1].agreed:
        return orphaned()  # a tie: no place to suggest over another
    return orphaned(Suggestion(best.candidate.start, best.candidate.end, quote, 100.0))


# Alignments within this many points of the best are refined: refining moves a score
# by a few points at most, so anything further behind cannot overtake.
_REFINE_MARGIN = 15.0
# Bounds the work on a quote that loosely matches all over a text (a short, common one).
_MAX_ALIGNMENTS = 100
_MAX_REFINED = 20
# Fuzzy alignment costs time proportional to the text times the quote: on a long text, the
# search for a lost quote stays within this many code points of its old place (less when
# the budget cannot pay for that much).
FUZZY_WINDOW = 20_000
# The start and the end of a long quote are looked for exactly near its old place: a
# passage edited inside keeps them, and finding them costs a scan, not an alignment.
_ENDS_LENGTH = 32


def _alignments(text: str, quote: str, min_score: float, budget: WorkBudget) -> list[tuple[float, int, int]]:
    """Non-overlapping local alignments of ``quote`` in ``text`` as ``(score, start, end)``.

    ``partial_ratio_alignment`` reports only the single best alignment, which would hide
    ties between repeated passages, so the search recurses into the text on either side
    of each alignment found. Each call is one fast pass in C, paid from ``budget``; the
    recursion stops at segments whose best falls below the refining margin of the overall
    best, after ``_MAX_ALIGNMENTS``, or when the budget cannot pay for the next segment.
    """
    if not budget.spend(_alignment_cost(len(text), len(quote))):
        return []
    first = fuzz.partial_ratio_alignment(quote, text)
    floor = max(first.score, min_score) - _REFINE_MARGIN
    found: list[tuple[float, int, int]] = []
    pending = [(0, len(text))]
    initial = True
    while pending and len(found) < _MAX_ALIGNMENTS:
        low, high = pending.pop()
        segment = text[low:high]
        if len(segment) <= len(quote):
            # Shorter than the quote (roles would swap): the segment is the only candidate.
            if not budget.spend(_ratio_cost(len(segment), len(quote))):
                break
            score, start, end = fuzz.ratio(quote, segment), 0, len(segment)
        elif initial:
            score, start, end = first.score, first.dest_start, first.dest_end
        else:
            if not budget.spend(_alignment_cost(len(segment), len(quote))):
                break
            alignment = fuzz.partial_ratio_alignment(quote, segment)
            score, start, end = alignment.score, alignment.dest_start, alignment.dest_end
        initial = False
        if score < floor or end <= start:
            continue
        found.append((score, low + start, low + end))
        pending.extend(part for part in ((low, low + start), (low + end, high)) if part[1] > part[0])
    return found


def _refine(text: str, quote: str, start: int, end: int, budget: WorkBudget) -> tuple[float, int, int]:
    """Nudge the ends of an alignment to the boundaries that match ``quote`` best.

    ``partial_ratio`` only tries stretches exactly as long as the quote; a quote with a
    dropped or added letter matches its passage better at a different length. Each ratio is
    paid from ``budget``; unpaid, the alignment stays as it is.
    """
    slack = max(1, min(8, len(quote) // 4))
    best = (round(fuzz.ratio(quote, text[start:end]), 2), start, end)
    # Two rounds of moving one end at a time reach what a full grid search would,
    # at a fraction of the ratio calls.
    if not budget.spend(4 * (2 * slack + 1) * _ratio_cost(len(quote) + slack, len(quote))):
        return best
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


def _guesses_by_ends(text: str, quote: str, hint: int) -> list[tuple[float, int, int]]:
    """Where a long quote's first or last ``_ENDS_LENGTH`` code points sit exactly, nearest
    ``hint``: the passage of the quote's length from there, unscored."""
    if len(quote) < 4 * _ENDS_LENGTH:
        return []
    guesses = []
    head, tail = quote[:_ENDS_LENGTH], quote[-_ENDS_LENGTH:]
    for position in _nearest_first(text, head, hint, FUZZY_WINDOW):
        guesses.append((0.0, position.start, min(len(text), position.start + len(quote))))
        break
    for position in _nearest_first(text, tail, hint + len(quote) - _ENDS_LENGTH, FUZZY_WINDOW):
        guesses.append((0.0, max(0, position.end - len(quote)), position.end))
        break
    return guesses


def fuzzy_suggestion(
    text: str,
    quote: str,
    *,
    prefix: str = "",
    suffix: str = "",
    hint: int | None = None,
    min_score: float = 80.0,
    budget: WorkBudget | None = None,
) -> Suggestion | None:
    """The passage of ``text`` most similar to ``quote`` (a quote with typos, or one
    whose passage was lightly edited), or None when nothing reaches ``min_score``.

    Equal similarity is decided by context (as in ``resolve_quote``), then by closeness
    to ``hint`` (an old offset), then by position, the earliest first. With a ``hint``, a
    long text is searched within ``FUZZY_WINDOW`` code points of it only, and less when
    ``budget`` (default ``SUGGESTION_BUDGET``) cannot pay for aligning that much; a long
    quote is also looked for by its exact first and last code points near the hint. What
    the budget cannot pay for is not searched: no suggestion rather than an unbounded wait.
    """
    if not quote or not text:
        return None
    budget = budget if budget is not None else WorkBudget(SUGGESTION_BUDGET)

    def distance(start: int) -> int:
        return abs(start - hint) if hint is not None else start

    center = min(max(0, hint), len(text)) if hint is not None else 0
    raw: list[tuple[float, int, int]] = []
    if hint is not None and budget.spend(min(len(text), 4 * FUZZY_WINDOW)):
        raw.extend(_guesses_by_ends(text, quote, center))
    # The widest window the budget can align (leaving half for the recursion and refining).
    radius = FUZZY_WINDOW if hint is not None else len(text)
    affordable = budget.left // max(1, 2 * _alignment_cost(1, len(quote)))
    if 2 * radius + len(quote) > affordable:
        radius = max(0, (affordable - len(quote)) // 2)
    if radius > 0 or len(text) <= affordable:
        low = max(0, center - radius) if hint is not None else 0
        high = min(len(text), center + len(quote) + radius)
        window = text[low:high]
        raw.extend((score, low + start, low + end) for score, start, end in _alignments(window, quote, min_score, budget))
    raw.sort(key=lambda item: (-item[0], distance(item[1]), item[1]))
    refined = {_refine(text, quote, start, end, budget) for _, start, end in raw[:_MAX_REFINED] if end > start}
    if not refined:
        return None

    def rank(item: tuple[float, int, int]) -> tuple:
        score, start, end = item
        fit = _fit(text, Candidate(start, end), prefix, suffix)
        return (score, (fit.exact_sides, fit.similarity), -distance(start), -start)

    score, start, end = max(refined, key=rank)
    if score < min_score:
        return None
    return Suggestion(start, end, text[start:end], score)
