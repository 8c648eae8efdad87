"""Characters as a reader sees them: Unicode's extended grapheme clusters (UAX #29).

"é" written as "e" and U+0301, a flag (two regional indicators), a family emoji joined by
U+200D: each is several code points and one character on the screen. A span that begins
or ends inside one cites a character the reader never sees alone ("The cafe" of "The
café"), so the page and the stored quote disagree. Pure functions, no Django; offsets are
code points. The reader's script asks the same question of ``Intl.Segmenter``.

The rules are UAX #29's, each asked of the code points next to a place (``is_boundary``);
the few that look further back (a flag's pairs, an emoji joined by U+200D, an Indic
conjunct) read at most ``LOOK_BACK`` code points back (a line of flags, ``FLAGS_LOOK_BACK``).
What lies further back than that (a line of more than 512 regional indicators, an emoji or
a consonant followed by more than 62 combining marks before its U+200D or virama) is
answered by one reading of the whole text, kept (without the text) for the last texts
asked (``_long_sequences``): the answer is the rule's, as browsers' ``Intl.Segmenter`` gives it
at any length, and the cost of a question stays bounded after the first. (Capped instead,
these questions had found a break between two halves of a flag past the 512th indicator
and inside a joined emoji or a conjunct past 64 marks: the server accepted a span the
reader would have widened to the whole character.) (The ``regex`` module gives the
classes; its ``\\X`` is not used: it joins a virama to a consonant whatever precedes the
virama, where the rule and browsers need a consonant, and counts a line of flags again for
each of them.)
"""

from __future__ import annotations

import bisect
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

import regex


LOOK_BACK = 64
# Flags are counted further back: a line of flags (two regional indicators each) is read
# in pairs from its start, up to this many indicators.
FLAGS_LOOK_BACK = 512


def _class(name: str) -> regex.Pattern:
    return regex.compile(rf"\p{{Grapheme_Cluster_Break={name}}}")


_CONTROL = regex.compile(r"[\p{Grapheme_Cluster_Break=Control}\r\n]")
_JOINS_BEFORE = regex.compile(r"[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}\p{Grapheme_Cluster_Break=SpacingMark}]")
_PREPEND = _class("Prepend")
_HANGUL_L, _HANGUL_V, _HANGUL_T, _HANGUL_LV, _HANGUL_LVT = (_class(name) for name in ("L", "V", "T", "LV", "LVT"))
_PICTOGRAPH = regex.compile(r"\p{Extended_Pictographic}")
_REGIONAL_INDICATOR = regex.compile(r"\p{Regional_Indicator}")
_CONSONANT = regex.compile(r"\p{InCB=Consonant}")
_LINKING = regex.compile(r"[\p{InCB=Extend}\p{InCB=Linker}]")
# What a place's left side must end with for the rules that look back, read backwards.
_PICTOGRAPH_JOINED_BEFORE = regex.compile(r"(?r)\p{Extended_Pictographic}\p{Grapheme_Cluster_Break=Extend}*\u200d")
_REGIONAL_INDICATORS_BEFORE = regex.compile(r"(?r)\p{Regional_Indicator}+")
_CONJUNCT_BEFORE = regex.compile(r"(?r)\p{InCB=Consonant}[\p{InCB=Extend}\p{InCB=Linker}]*\p{InCB=Linker}[\p{InCB=Extend}\p{InCB=Linker}]*")
# The same sequences read forwards over a whole text (``_long_sequences``), each without
# backtracking (possessive), so that the reading is linear whatever the text.
_CONJUNCT = regex.compile(r"\p{InCB=Consonant}\p{InCB=Extend}*+\p{InCB=Linker}[\p{InCB=Extend}\p{InCB=Linker}]*+")
_PICTOGRAPH_JOINED = regex.compile(r"\p{Extended_Pictographic}\p{Grapheme_Cluster_Break=Extend}*+\u200d")
_REGIONAL_INDICATORS = regex.compile(rf"\p{{Regional_Indicator}}{{{FLAGS_LOOK_BACK},}}+")
# A run of the code points that join the one before them (rule GB9), read either way.
_JOINING_RUN = regex.compile(r"[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}\p{Grapheme_Cluster_Break=SpacingMark}]+")
_JOINING_RUN_BEFORE = regex.compile(r"(?r)[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}\p{Grapheme_Cluster_Break=SpacingMark}]+")
# Runs of one kind with no boundary inside (rules GB6 to GB9b): Hangul jamo of one kind, and
# prepended signs (each joins what follows it), crossed at once either way.
_SAME_KIND_RUNS = tuple(
    (regex.compile(rf"\p{{Grapheme_Cluster_Break={name}}}+"), regex.compile(rf"(?r)\p{{Grapheme_Cluster_Break={name}}}+"))
    for name in ("L", "V", "T", "Prepend")
)
# Runs that may reach further back than a rule reads.
_LINKING_RUN = regex.compile(r"[\p{InCB=Extend}\p{InCB=Linker}]+")
_EXTEND_RUN = regex.compile(r"\p{Grapheme_Cluster_Break=Extend}+")
# Below U+0300 (Latin, Latin-1, IPA, spacing modifiers) no code point joins another, except
# CR to LF: the common case answers without a look-up.
_FIRST_JOINING = "\u0300"


def _hangul_joins(before: str, after: str) -> bool:
    """Rules GB6 to GB8: the jamo of one Hangul syllable."""
    if _HANGUL_L.match(before):
        return any(kind.match(after) for kind in (_HANGUL_L, _HANGUL_V, _HANGUL_LV, _HANGUL_LVT))
    if _HANGUL_LV.match(before) or _HANGUL_V.match(before):
        return bool(_HANGUL_V.match(after) or _HANGUL_T.match(after))
    if _HANGUL_LVT.match(before) or _HANGUL_T.match(before):
        return bool(_HANGUL_T.match(after))
    return False


def is_boundary(text: str, offset: int) -> bool:
    """Whether ``offset`` falls between two characters of ``text`` as a reader sees them
    (the text's two ends are boundaries): UAX #29's rules GB3 to GB999, in their order."""
    if offset <= 0 or offset >= len(text):
        return True
    before, after = text[offset - 1], text[offset]
    if before < _FIRST_JOINING and after < _FIRST_JOINING:
        return not (before == "\r" and after == "\n")
    if _CONTROL.match(before) or _CONTROL.match(after):
        return not (before == "\r" and after == "\n")
    if _hangul_joins(before, after) or _JOINS_BEFORE.match(after) or _PREPEND.match(before):
        return False
    window = max(0, offset - LOOK_BACK)
    behind = text[window:offset]
    if _CONSONANT.match(after) and _LINKING.match(before):
        if window > 0 and _LINKING_RUN.fullmatch(text, window, offset):
            return offset not in _long_sequences(text).conjuncts
        return _CONJUNCT_BEFORE.match(behind) is None
    if _PICTOGRAPH.match(after) and before == "\u200d":
        if window > 0 and _EXTEND_RUN.fullmatch(text, window, offset - 1):
            return offset not in _long_sequences(text).joined_pictographs
        return _PICTOGRAPH_JOINED_BEFORE.match(behind) is None
    if _REGIONAL_INDICATOR.match(before) and _REGIONAL_INDICATOR.match(after):
        # A flag is a pair: a break after an even number of indicators.
        window = offset - FLAGS_LOOK_BACK
        if window > 0 and _REGIONAL_INDICATOR.match(text[window - 1]) and _REGIONAL_INDICATORS.fullmatch(text, window, offset):
            return (offset - _long_sequences(text).indicator_run_start(offset)) % 2 == 0
        run = _REGIONAL_INDICATORS_BEFORE.match(text, max(0, window), offset)
        return len(run.group()) % 2 == 0
    return True


@dataclass(frozen=True)
class _LongSequences:
    """Where a text's sequences too long for a rule's look-back end: a consonant's linked
    marks (``conjuncts``), an emoji's marks and U+200D (``joined_pictographs``), each the
    offset after it; the ``[start, end)`` of its lines of regional indicators longer than
    ``FLAGS_LOOK_BACK``, in order."""

    conjuncts: frozenset[int]
    joined_pictographs: frozenset[int]
    indicator_runs: tuple[tuple[int, int], ...]

    def indicator_run_start(self, offset: int) -> int:
        """The start of the line of regional indicators that ``offset`` falls inside."""
        index = bisect.bisect_left(self.indicator_runs, (offset,)) - 1
        return self.indicator_runs[index][0]


# The readings of the last texts asked, by the text's length and hash: the questions about
# one text come together (a span's two ends, every place a quote occurs, every span of a
# source re-anchored). Kept without the texts themselves, which may be megabytes each.
_READINGS: OrderedDict[tuple[int, int], _LongSequences] = OrderedDict()
_READINGS_KEPT = 4
_READINGS_LOCK = threading.Lock()


def _long_sequences(text: str) -> _LongSequences:
    """One linear reading of ``text``, kept for the last texts asked (``_READINGS``; two
    texts of one length and one 64-bit hash would share one: a chance of 1 in 2**64)."""
    key = (len(text), hash(text))
    with _READINGS_LOCK:
        reading = _READINGS.get(key)
        if reading is not None:
            _READINGS.move_to_end(key)
            return reading
    reading = _read_long_sequences(text)
    with _READINGS_LOCK:
        _READINGS[key] = reading
        while len(_READINGS) > _READINGS_KEPT:
            _READINGS.popitem(last=False)
    return reading


def _read_long_sequences(text: str) -> _LongSequences:
    return _LongSequences(
        conjuncts=frozenset(found.end() for found in _CONJUNCT.finditer(text) if found.end() - found.start() > LOOK_BACK),
        joined_pictographs=frozenset(
            found.end() for found in _PICTOGRAPH_JOINED.finditer(text) if found.end() - found.start() > LOOK_BACK
        ),
        indicator_runs=tuple(found.span() for found in _REGIONAL_INDICATORS.finditer(text)),
    )


@dataclass(frozen=True)
class SplitCharacter:
    """Where a span's end falls inside a character: which end (``start`` or ``end``), the
    character's own ``[first, last)`` offsets (as far as they are read), and its code points."""

    side: str
    offset: int
    first: int
    last: int
    character: str

    def describe(self) -> str:
        names = " + ".join(_name(point) for point in self.character)
        return (
            f"The span's {self.side} ({self.offset:,}) falls inside a character: {self.character!r} "
            f"({names}) is one character on the screen, at [{self.first:,}, {self.last:,}). "
            f"Set the {self.side} to {self.first:,} or {self.last:,} so that the span holds all of it or none of it."
        )


def _name(point: str) -> str:
    return f"U+{ord(point):04X} {unicodedata.name(point, '')}".rstrip()


def _back(text: str, first: int) -> int:
    """The place before ``first`` (not a boundary) to ask next: no place inside a run of
    joining code points, of Hangul jamo of one kind or of prepended signs is a boundary, so
    the next to ask is the run's first."""
    run = _JOINING_RUN_BEFORE.match(text, 0, first + 1) if _JOINS_BEFORE.match(text[first]) else None
    if run is None:
        run = next((found for _, back in _SAME_KIND_RUNS if (found := back.match(text, 0, first + 1))), None)
    return run.start() if run and run.start() < first else first - 1


def _ahead(text: str, last: int) -> int:
    """The place after ``last`` (not a boundary) to ask next: the end of the run it is in."""
    run = _JOINING_RUN.match(text, last) or next((found for ahead, _ in _SAME_KIND_RUNS if (found := ahead.match(text, last))), None)
    return run.end() if run else last + 1


def character_around(text: str, offset: int) -> tuple[int, int]:
    """The ``[first, last)`` offsets of the character that ``offset`` falls inside;
    ``(offset, offset)`` at a boundary. A run of marks (or of U+200D and spacing marks), of
    Hangul jamo of one kind or of prepended signs is crossed at once, whatever its length; at
    most ``LOOK_BACK`` steps are taken either side (a chain of more than 32 linked consonants
    is told as far as they are read)."""
    if is_boundary(text, offset):
        return offset, offset
    first = offset
    for _ in range(LOOK_BACK):
        first = _back(text, first)
        if first <= 0 or is_boundary(text, first):
            break
    last = offset
    for _ in range(LOOK_BACK):
        last = _ahead(text, last) if last < len(text) else last + 1
        if last >= len(text) or is_boundary(text, last):
            break
    return max(first, 0), min(last, len(text))


def split_character(text: str, start: int, end: int) -> SplitCharacter | None:
    """The first end of ``[start, end)`` that falls inside a character, or None when the
    span begins and ends between characters."""
    for side, offset in (("start", start), ("end", end)):
        if not is_boundary(text, offset):
            first, last = character_around(text, offset)
            return SplitCharacter(side, offset, first, last, text[first:last])
    return None
