"""A line's characters from the order they stand on the page (left to right) to the order
they are typed in (logical order): the Unicode Bidirectional Algorithm (UAX #9) run on the
visual order, which gives the logical order back for what a line shows (Hebrew and Arabic
words read from the right, numbers and Latin words within them left to right, a bracket
pair around what it holds).

A PDF draws glyphs where they stand; PDFium's text follows the order they are drawn in,
which for right-to-left script is neither the visual nor the logical order in general.
``sources/ingest/pdf.py`` sorts a line's glyphs by their places and asks this module for
the order a reader reads them in. No explicit embeddings (a PDF's text has no LRE or RLI):
every character stands at the paragraph's level or one or two above it.

Pure logic: no PDFium, no Django. A line is a sequence of *units*, each one or more
characters that stay together in their own order (a letter with its marks, the letters of
one ligature glyph, a run of one direction PDFium already reads in typed order); a unit is
classed by its first character or by the class given with it. Nothing is dropped or added:
the answer is a permutation of the units, each bracket and other mirrored character at a
right-to-left level turned to its mirror image (the glyph a line shows for a typed ``(`` in
Hebrew is the one for ``)``).

Written here rather than taken from python-bidi, whose ``get_display`` orders a typed
string's characters for display: reading a PDF goes the other way, from units of several
characters each with a class of its own, and needs the levels themselves.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence

# Characters a right-to-left level shows as their mirror image (Unicode's BidiMirroring.txt,
# the pairs that occur in prose and code).
_MIRROR_PAIRS = "()[]{}<>«»‹›⁅⁆⁽⁾₍₎⌈⌉⌊⌋〈〉❨❩❪❫❬❭❮❯❰❱❲❳❴❵⟦⟧⟨⟩⟪⟫⦃⦄⦅⦆〈〉《》「」『』【】〔〕〖〗〘〙〚〛﹙﹚﹛﹜﹝﹞﹤﹥（）＜＞［］｛｝｟｠｢｣≤≥"
MIRRORED = {**dict(zip(_MIRROR_PAIRS[::2], _MIRROR_PAIRS[1::2])), **dict(zip(_MIRROR_PAIRS[1::2], _MIRROR_PAIRS[::2]))}
# Paired brackets (BidiBrackets.txt): opening to closing.
_BRACKET_PAIRS = "()[]{}⁅⁆⁽⁾₍₎⌈⌉⌊⌋〈〉❨❩❪❫❬❭❮❯❰❱❲❳❴❵⟦⟧⟨⟩⟪⟫⦃⦄⦅⦆〈〉《》「」『』【】〔〕〖〗〘〙〚〛﹙﹚﹛﹜﹝﹞（）［］｛｝｟｠｢｣"
OPENING = dict(zip(_BRACKET_PAIRS[::2], _BRACKET_PAIRS[1::2]))
CLOSING = set(_BRACKET_PAIRS[1::2])
# Quotation marks a right-to-left line shows mirrored, as their glyphs open and close.
_QUOTES = {"«": "opening", "»": "closing", "‹": "opening", "›": "closing"}
MAX_BRACKET_DEPTH = 63  # BD16: deeper nesting pairs no more brackets

_NEUTRAL = frozenset({"B", "S", "WS", "ON", "BN"})
_EXPLICIT = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
_CLASS_CACHE: dict[str, str] = {}


def bidi_class(character: str) -> str:
    """The character's bidirectional class (Unicode's ``Bidi_Class``); explicit embeddings
    and isolates, which a PDF's text does not hold as such, count as boundary neutrals."""
    found = _CLASS_CACHE.get(character)
    if found is None:
        found = unicodedata.bidirectional(character) or "L"
        if found in _EXPLICIT:
            found = "BN"
        _CLASS_CACHE[character] = found
    return found


def is_right_to_left_paragraph(text: str) -> bool:
    """Whether a line reads from the right: more of its words begin with a letter of a
    right-to-left script (Hebrew, Arabic, Syriac, Thaana...) than with a left-to-right one.
    Words, not letters: two English words in a Hebrew sentence hold more letters than three
    Hebrew ones. Its first strong character, the rule of UAX #9, is not known before the
    line is read: it is at the line's right end if the line reads from the right."""
    directions = [first_strong(word) for word in text.split()]
    return directions.count("R") > directions.count("L")


def first_strong(text: str) -> str | None:
    """The direction of ``text``'s first strong letter: ``L``, ``R`` (Hebrew, Arabic and
    the other right-to-left scripts), or None when it holds none."""
    for character in text:
        kind = bidi_class(character)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return None


def _strong(kind: str) -> str | None:
    """The direction a resolved class counts as for neutrals and brackets (numbers count as
    right-to-left, N1), or None for a neutral."""
    if kind == "L":
        return "L"
    if kind in ("R", "EN", "AN"):
        return "R"
    return None


def resolved_levels(units: Sequence[str], right_to_left: bool, classes: Sequence[str] | None = None) -> list[int]:
    """The embedding level of each unit (W1-W7, N0-N2, I1-I2 of UAX #9, one paragraph,
    no explicit embeddings): 0 or 2 left to right, 1 right to left. A unit's class is its
    first character's, or the one ``classes`` gives."""
    count = len(units)
    start = "R" if right_to_left else "L"
    types = list(classes) if classes is not None else [bidi_class(unit[0]) if unit else "BN" for unit in units]
    # W1: a mark without a base takes the class of what precedes it.
    previous = start
    for index, kind in enumerate(types):
        if kind == "NSM":
            types[index] = previous
        previous = types[index]
    # W2, W3: digits after Arabic letters are Arabic numbers; Arabic letters are R.
    last_strong = start
    for index, kind in enumerate(types):
        if kind in ("L", "R", "AL"):
            last_strong = kind
            if kind == "AL":
                types[index] = "R"
        elif kind == "EN" and last_strong == "AL":
            types[index] = "AN"
    # W4: one separator between two numbers of a kind is part of them (1,250,000; 3.5).
    for index in range(1, count - 1):
        kind = types[index]
        if kind in ("ES", "CS"):
            before, after = types[index - 1], types[index + 1]
            if before == after == "EN" or (kind == "CS" and before == after == "AN"):
                types[index] = before
    # W5: terminators beside European numbers are part of them (28%, $5, 5°).
    index = 0
    while index < count:
        if types[index] != "ET":
            index += 1
            continue
        end = index
        while end < count and types[end] == "ET":
            end += 1
        if (index > 0 and types[index - 1] == "EN") or (end < count and types[end] == "EN"):
            types[index:end] = ["EN"] * (end - index)
        index = end
    # W6, W7: remaining separators and terminators are neutral; European numbers after
    # Latin letters are left to right.
    last_strong = start
    for index, kind in enumerate(types):
        if kind in ("ES", "ET", "CS"):
            types[index] = "ON"
        elif kind in ("L", "R"):
            last_strong = kind
        elif kind == "EN" and last_strong == "L":
            types[index] = "L"
    _resolve_bracket_pairs(units, types, start)
    # N1, N2: a run of neutrals takes the direction on both its sides when they agree, the
    # paragraph's when they do not.
    index = 0
    while index < count:
        if types[index] not in _NEUTRAL:
            index += 1
            continue
        end = index
        while end < count and types[end] in _NEUTRAL:
            end += 1
        before = _strong(types[index - 1]) if index > 0 else start
        after = _strong(types[end]) if end < count else start
        types[index:end] = [before if before == after else start] * (end - index)
        index = end
    # I1, I2.
    if right_to_left:
        return [1 if kind == "R" else 2 for kind in types]
    return [0 if kind == "L" else 1 if kind == "R" else 2 for kind in types]


def _bracket_pairs(units: Sequence[str], types: list[str]) -> list[tuple[int, int]]:
    """BD16: the positions of paired brackets (each an opening and its closing, both
    neutral), ordered by the opening's position."""
    pairs = []
    stack: list[tuple[str, int]] = []
    for index, unit in enumerate(units):
        if types[index] != "ON" or len(unit) != 1:
            continue
        if unit in OPENING:
            if len(stack) == MAX_BRACKET_DEPTH:
                break
            stack.append((OPENING[unit], index))
        elif unit in CLOSING:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == unit:
                    pairs.append((stack[depth][1], index))
                    del stack[depth:]
                    break
    return sorted(pairs)


def _resolve_bracket_pairs(units: Sequence[str], types: list[str], start: str) -> None:
    """N0: a bracket pair takes the paragraph's direction when it holds a strong character
    of it, else the other direction when it holds one of that and the text before it reads
    that way too (``f(x)`` in a Hebrew line stays left to right); otherwise it stays
    neutral.

    What a pair holds is counted from sums over the line made once (the brackets resolved
    before a pair are never within it: pairs are taken in the order they open, and one
    within another opens after it), and what precedes it from the nearest strong character
    and the nearest bracket resolved: a line of 100,000 letters inside 63 brackets is
    resolved in one pass, not 63."""
    pairs = _bracket_pairs(units, types)
    if not pairs:
        return
    opposite = "L" if start == "R" else "R"
    holds_start, holds_opposite, nearest = [0], [0], []
    last = -1
    for index, kind in enumerate(types):
        strong = _strong(kind)
        nearest.append(last)
        if strong is not None:
            last = index
        holds_start.append(holds_start[-1] + (strong == start))
        holds_opposite.append(holds_opposite[-1] + (strong == opposite))
    resolved: list[int] = []
    for opening, closing in pairs:
        direction = None
        if holds_start[closing] - holds_start[opening + 1]:
            direction = start
        elif holds_opposite[closing] - holds_opposite[opening + 1]:
            before = nearest[opening]
            place = bisect.bisect_left(resolved, opening)
            if place and resolved[place - 1] > before:
                before = resolved[place - 1]
            context = _strong(types[before]) if before >= 0 else start
            direction = opposite if context == opposite else start
        if direction is not None:
            types[opening] = types[closing] = direction
            bisect.insort(resolved, opening)
            bisect.insort(resolved, closing)


def reordered(units: Sequence, levels: Sequence[int], lowest: int | None = None) -> list:
    """L2: the units with each run at a level or above reversed, from the highest level down
    to the lowest odd one (or to ``lowest``)."""
    result = list(units)
    levels = list(levels)
    if not levels:
        return result
    highest = max(levels)
    lowest_odd = (min(level for level in levels) | 1) if lowest is None else lowest
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        count = len(levels)
        while index < count:
            if levels[index] < level:
                index += 1
                continue
            end = index
            while end < count and levels[end] >= level:
                end += 1
            result[index:end] = result[index:end][::-1]
            levels[index:end] = levels[index:end][::-1]
            index = end
    return result


def shown_brackets(units: Sequence[str]) -> list[str]:
    """The units of a line, left to right, each bracket given as the glyph it shows: one
    that opens onto a word on its right and follows none is an opening bracket (``(``), one
    that closes a word on its left and opens onto none a closing one (``)``); others as they
    are. A PDF's text may give a bracket of a right-to-left line as the character typed or
    as its mirror (PDFium turns the brackets of what it reads as right to left), and what is
    typed is known from what is shown."""
    shown = list(units)
    for index, unit in enumerate(units):
        if unit not in OPENING and unit not in CLOSING and unit not in _QUOTES:
            continue
        before = units[index - 1][-1:] if index > 0 else ""
        after = units[index + 1][:1] if index + 1 < len(units) else ""
        word_before, word_after = before.isalnum(), after.isalnum()
        if word_after and not word_before:
            shown[index] = unit if unit in OPENING or _QUOTES.get(unit) == "opening" else MIRRORED[unit]
        elif word_before and not word_after:
            shown[index] = unit if unit in CLOSING or _QUOTES.get(unit) == "closing" else MIRRORED[unit]
    return shown


def logical_order(units: Sequence[str], right_to_left: bool | None = None, classes: Sequence[str] | None = None) -> list[str]:
    """The units of a line, given left to right as it shows them, in the order they are
    read; a mirrored character at a right-to-left level is turned to its mirror. The line
    reads from the right when ``right_to_left`` says so, or, when it is None, when most of
    its letters are of a right-to-left script (``is_right_to_left_paragraph``). A unit's
    class is its first character's, or the one ``classes`` gives (a word of several
    letters and the spaces within it, read as a whole)."""
    if right_to_left is None:
        right_to_left = is_right_to_left_paragraph("".join(units))
    levels = resolved_levels(units, right_to_left, classes)
    shown = [MIRRORED.get(unit, unit) if level % 2 else unit for unit, level in zip(units, levels)]
    by_places = reordered(shown, levels)
    # Brackets pair by their order (N0), which the units reversed turn over, and a number
    # beside left-to-right words shows the same on either side of them (the page does not
    # say which was typed): a line holding either is read by its places.
    if right_to_left and not any(unit in MIRRORED for unit in units):
        kinds = list(classes) if classes is not None else [bidi_class(unit[0]) if unit else "BN" for unit in units]
        if "L" not in kinds:
            typed = _typed_from_the_right(units, kinds)
            if [units[index] for index in typed] != by_places and _shown_as(typed, units, kinds):
                return [units[index] for index in typed]
    return by_places


def _typed_from_the_right(units: Sequence[str], kinds: list[str]) -> list[int]:
    """The places of a line's units read from the right, in typed order, found from the
    units reversed: they are the typed order but within what runs left to right (a
    number), and their classes the typed text's, so that the levels resolved on them are
    the typed text's (a percent sign goes with the number before it, W5, where beside the
    Arabic word it stands by on the line the number took that word's class, W2: "71%" was
    read "%71"); each run above the line's level is then turned back. (No bracket nor
    other mirrored character is in such a line: nothing to turn.)"""
    order = list(range(len(units)))[::-1]
    levels = resolved_levels([units[index] for index in order], True, [kinds[index] for index in order])
    return reordered(order, levels, lowest=2)


def _shown_as(typed: list[int], units: Sequence[str], kinds: list[str]) -> bool:
    """Whether the units in the order ``typed`` read from the right as they are shown (the
    algorithm run forward): an order that does not is no typed order of the line."""
    levels = resolved_levels([units[index] for index in typed], True, [kinds[index] for index in typed])
    return [units[index] for index in reordered(typed, levels)] == list(units)
