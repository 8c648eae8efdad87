"""PDF: the text layer, in reading order, and the document's metadata (PDFium, through
pypdfium2). No OCR: a PDF of scanned pages is refused, saying so.

PDFium gives each run of text with its box; the page's reading order is found by an
XY cut (split the page at the widest empty band, vertical gutters first, and
read the parts left to right, top to bottom), so that two columns are read one after the
other whatever order they were drawn in; a block's lines are read top to bottom, each left
to right, whatever order they were drawn in (``_block_lines``). Page furniture at the top or bottom of most pages
(running heads, page numbers) is dropped; headings such as "Article 3" are kept
(``_running_lines`` says how the two are told apart).

A line with right-to-left script (Hebrew, Arabic, Persian) is read in the order it is typed:
PDFium's order follows the drawing, and a producer may draw such a line's glyphs, words or
runs in any order. The line's pieces (or, where a piece holds both directions or PDFium reads
it the other way, its glyphs) are taken left to right by their places and put in typed order
by the Unicode bidirectional algorithm run back (``sources/ingest/bidi.py``;
``_line_reading``). A line PDFium already reads from the right is kept as read.

PDFium reads in a child process (``extract_pdf``), within a memory and a time limit: what
a page costs PDFium follows what it draws, not the size of the file, and a small file can
ask for gigabytes; a crash of PDFium on a broken file ends the child, not the server.
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import gc
import itertools
import json
import logging
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import unicodedata
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from django.conf import settings

from . import bidi, pdf_tables
from .errors import ExtractionError
from .normalise import normalise_extracted, without_lone_surrogates

logger = logging.getLogger(__name__)

# PDFium is not thread-safe: one document at a time per process.
_PDFIUM = threading.Lock()
MAX_PAGES = 5000
GUTTER = 9.0  # points: the narrowest empty vertical band that separates columns
Box = tuple[float, float, float, float]  # left, bottom, right, top


def _gaps(intervals: list[tuple[float, float]], minimum: float) -> list[tuple[float, float]]:
    """Empty stretches at least ``minimum`` wide between the union of ``intervals``."""
    gaps = []
    intervals = sorted(intervals)
    reach = intervals[0][1]
    for low, high in intervals[1:]:
        if low - reach >= minimum:
            gaps.append((reach, low))
        reach = max(reach, high)
    return gaps


def _reading_order(boxes: list[Box], line_height: float) -> list[list[Box]]:
    """Blocks of boxes in reading order: an XY cut (split the region at its widest empty
    band, a gutter between columns first, then the space between paragraphs; read the parts
    in order, and so on), in a loop: cut by recursion, a page of a thousand paragraphs
    passed Python's recursion limit and was refused as unreadable."""
    blocks = []
    pending = [boxes]  # regions still to read, the next one last
    while pending:
        region = pending.pop()
        parts = _cut(region, line_height) if len(region) > 1 else None
        if parts is None:
            blocks.append(region)
        else:
            pending.extend(reversed(parts))
    return blocks


def _cut(boxes: list[Box], line_height: float) -> tuple[list[Box], list[Box]] | None:
    """A region's two parts in reading order, either side of its widest empty band, or
    None when it has none (a block)."""
    vertical = _gaps([(box[0], box[2]) for box in boxes], GUTTER)
    if vertical:
        low, high = max(vertical, key=lambda gap: gap[1] - gap[0])
        cut = (low + high) / 2
        return [box for box in boxes if box[2] <= cut], [box for box in boxes if box[0] >= cut]
    # Bands separated by more than the space between lines (paragraphs), top first.
    horizontal = _gaps([(box[1], box[3]) for box in boxes], 0.9 * line_height)
    if horizontal:
        low, high = max(horizontal, key=lambda gap: gap[1] - gap[0])
        cut = (low + high) / 2
        return [box for box in boxes if box[1] >= cut], [box for box in boxes if box[3] <= cut]
    return None


# Where a line ends with a hyphen before a word goes on, PDFium joins the lines and writes
# this character for the hyphen (``FPDFText_IsHyphen``): a compound ("Russia-" / "Iran") and
# a hyphenated word ("nego-" / "tiations") alike. The text keeps the hyphen and the line
# break as the page draws them: "RussiaIran" is no word of the document.
_HYPHEN_AT_LINE_END = "\x02"
_HYPHEN_AT_LINE_END_IN_RANGE = "\ufffe"  # the same mark, in the text of a range
_HYPHENS = (_HYPHEN_AT_LINE_END, _HYPHEN_AT_LINE_END_IN_RANGE)


def _drawn_level(textpage) -> bool:
    """Whether the text of the page runs level with its drawing's axes (its runs' boxes,
    which PDFium gives in the page's own space, wider than high in all), not across them."""
    boxes = [textpage.get_rect(index) for index in range(textpage.count_rects())]
    return sum(box[2] - box[0] for box in boxes) > sum(box[3] - box[1] for box in boxes)


def _lines(text: str) -> list[str]:
    """The lines of a text PDFium read, each with its white space collapsed; none empty."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return [line for line in lines if line]


def _lines_as_pdfium_reads(textpage) -> list[list[str]]:
    """The page's text as one block, its lines in PDFium's order."""
    text = textpage.get_text_range().replace(_HYPHEN_AT_LINE_END_IN_RANGE, "-\n").replace(_HYPHEN_AT_LINE_END, "-\n")
    lines = _lines(text)
    return [lines] if lines else []


# A box at least this many times the page's usual line height is no ordinary piece of a
# line: beside two lines or more it is a drop cap (a big first letter), read as a line of its
# own before the first of them, as PDFium reads it when it is drawn first.
TALL = 1.8


def _overlap(low: float, high: float, other_low: float, other_high: float) -> float:
    """How far two vertical extents overlap (negative: how far apart they are)."""
    return min(high, other_high) - max(low, other_low)


def _block_lines(block: list, line_height: float) -> list[list]:
    """A block's boxes in lines, top line first, each line's boxes left to right.

    A box joins a line when they overlap by more than half the height of the lower of the
    two, and a line of smaller type joins a line it reaches into (a superscript, a footnote
    mark or a subscript stands in its line). A box taller than ``TALL`` lines that reaches
    two lines or more at their start (a drop cap) is a line of its own, before the first of
    them; one within them (a large operator), or beside a single line, is part of a line."""
    ordinary = sorted((box for box in block if box[3] - box[1] <= TALL * line_height), key=lambda box: -box[3])
    bands: list[list] = []  # [bottom, top, boxes], top first
    for box in ordinary:
        if bands:
            bottom, top, members = bands[-1]
            if _overlap(bottom, top, box[1], box[3]) > 0.5 * min(top - bottom, box[3] - box[1]):
                bands[-1] = [min(bottom, box[1]), max(top, box[3]), members + [box]]
                continue
        bands.append([box[1], box[3], [box]])
    # A line of small type that reaches into a line at least a third taller (a subscript,
    # a footnote mark drawn apart) is part of it. The line keeps its own height: grown by
    # the small type, it reached the next line, and a block of lines each with a lowered
    # glyph was read as one line.
    joined: list[list] = []
    for band in bands:
        if joined:
            bottom, top, members = joined[-1]
            heights = sorted((top - bottom, band[1] - band[0]))
            if _overlap(bottom, top, band[0], band[1]) > 0 and heights[0] < 0.75 * heights[1]:
                taller = (bottom, top) if top - bottom >= band[1] - band[0] else (band[0], band[1])
                joined[-1] = [*taller, members + band[2]]
                continue
        joined.append(band)
    bands = joined
    for box in sorted((box for box in block if box[3] - box[1] > TALL * line_height), key=lambda box: -box[3]):
        beside = [band for band in bands if _overlap(band[0], band[1], box[1], box[3]) > 0]
        # A drop cap opens the lines it stands beside: none of them starts left of it. A tall
        # symbol within a line (a large operator, a bracket) is part of the line it
        # overlaps most.
        opening = all(member[0] >= box[0] - 1 for band in beside for member in band[2])
        if len(beside) > 1 and not opening:
            max(beside, key=lambda band: _overlap(band[0], band[1], box[1], box[3]))[2].append(box)
        elif len(beside) == 1 and _overlap(beside[0][0], beside[0][1], box[1], box[3]) > 0.5 * (beside[0][1] - beside[0][0]):
            beside[0][2].append(box)
        else:
            # Before the first line it stands beside, or where its top puts it.
            place = bands.index(beside[0]) if len(beside) > 1 else sum(1 for band in bands if band[1] >= box[3])
            bands.insert(place, [box[1], box[3], [box]])
    return [sorted(members, key=lambda box: box[0]) for _, _, members in bands]


# ``FPDFText_GetTextObject`` declared to give the object's address as a number, to compare
# a character's object with the one before it: ``ctypes.cast`` of pypdfium2's pointer, a
# call per character, took longer than PDFium's answer.
_TEXT_OBJECT = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_raw.FPDFText_GetTextObject, ctypes.c_void_p).value
)


def _rect_characters(textpage) -> list[tuple[int, int]] | None:
    """The first and last character of each of the page's runs of text (the rects of
    ``FPDFText_CountRects``: the characters of one text object in a row, from its first of
    some size; characters PDFium generates, spaces and line breaks between objects, belong
    to none), in one pass over the characters; None when the runs found are not PDFium's
    (their count differs)."""
    found: list[tuple[int, int]] = []
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    current = None
    first = last = -1
    sized = False
    for index in range(textpage.count_chars()):
        owner = _TEXT_OBJECT(textpage.raw, index)
        if owner is None:
            continue
        if owner != current:
            if sized:
                found.append((first, last))
            current, sized = owner, False
        if not sized:
            pdfium_raw.FPDFText_GetCharBox(textpage.raw, index, left, right, bottom, top)
            sized = abs(right.value - left.value) >= 0.01 and abs(top.value - bottom.value) >= 0.01
            first = index
        last = index
    if sized:
        found.append((first, last))
    return found if len(found) == textpage.count_rects() else None


# Right-to-left scripts (Hebrew, Arabic...): a line's pieces are kept in the order drawn.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _drawn_from_the_right(line: list) -> bool:
    """Whether a line of more than one piece has them drawn right to left (its boxes, left
    to right, were drawn last first)."""
    return len(line) > 1 and all(box[4] > after[4] for box, after in zip(line, line[1:]))


def _line_text(textpage, line: list, characters: list[tuple[int, int]], codes: str | None = None) -> str:
    """The text of a line's boxes, left to right; a space between two set apart by more than
    0.15 of the line's tallest box (a word space is some 0.3; a footnote mark stands closer),
    unless the text of one of them has one at its end. ``codes``: the page's characters
    (``_page_characters``) when they have been read, else each box's are asked of PDFium."""
    pieces = []
    for box in line:
        first, last = characters[box[4]]
        text = codes[first : last + 1] if codes is not None else textpage.get_text_range(first, last - first + 1)
        pieces.append((box, text.replace(_HYPHEN_AT_LINE_END_IN_RANGE, "-\n").replace(_HYPHEN_AT_LINE_END, "-\n")))
    if _RIGHT_TO_LEFT.search("".join(text for _, text in pieces)):
        pieces.sort(key=lambda piece: piece[0][4])
    height = max(box[3] - box[1] for box in line)
    text = ""
    previous = None
    for box, piece in pieces:
        # The space between two pieces, whichever side of the other each stands (a line of
        # a right-to-left script is read from its right).
        apart = previous is not None and max(box[0] - previous[2], previous[0] - box[2]) > 0.15 * height
        if text and apart and not text[-1].isspace() and not piece[:1].isspace():
            text += " "
        text += piece
        previous = box
    return text


# Of a line's tallest box: how far beyond the line's median gap between its runs a gap
# stands to be a word space. Chromium, printing small type (8-point serif, a table's cells,
# bold), draws each glyph as a text object of its own with no space glyph; in such lines the
# gaps between letters' shapes measured 0.01 to 0.16 of the tallest box (median 0.06), those
# between words 0.30 to 0.41. In 11-point DejaVu Sans letters' shapes stood up to 0.27 apart
# ("Party": 0.21 between "a" and "r"), so a gap so found is a word space only if the glyphs'
# advances stand ``WORD_ADVANCE`` apart too.
WORD_GAP = 0.15

# Of a glyph's loose box (its advance, ascent to descent): how far the next glyph's stands
# from it to be a word apart. Letters drawn one at a time stood 0.00 apart (kerning: -0.05),
# words 0.22 to 0.27 (8-point serif, 11-point DejaVu Sans).
WORD_ADVANCE = 0.1


def _word_gaps(line: list) -> list[int]:
    """The gaps of a line of three runs or more, by the number of the run before each, that
    stand ``WORD_GAP`` of its tallest box beyond its median gap (a line of letters drawn one
    at a time: the median is the gap between letters). Letters set apart evenly (letter
    spacing) have no such gap."""
    if len(line) < 3:
        return []
    height = max(box[3] - box[1] for box in line)
    gaps = [box[0] - before[2] for before, box in zip(line, line[1:])]
    usual = statistics.median(gaps)
    return [number for number, gap in enumerate(gaps) if gap > usual + WORD_GAP * height]


def _advanced_apart(textpage, last: int, first: int) -> bool:
    """Whether a glyph (``first``) stands ``WORD_ADVANCE`` of the loose box of the glyph before
    it (``last``) from its advance, either side (a line read from the right)."""
    before = textpage.get_charbox(last, loose=True)
    after = textpage.get_charbox(first, loose=True)
    return max(after[0] - before[2], before[0] - after[2]) > WORD_ADVANCE * (before[3] - before[1])


def _word_spaces_kept(textpage, text: str, lines: list[list], runs) -> str | None:
    """PDFium's reading of a block drawn in order (``text``, its lines those of ``lines``) with
    a space where a line's runs stand a word apart (``_word_gaps``, ``_advanced_apart``) and
    PDFium read none: a line of glyphs drawn one at a time had read
    "Netcashusedinactivities". None when no line has more gaps of ``_word_gaps`` than PDFium
    read word breaks (a block of runs PDFium spaced, as most are: no run's characters are
    asked for), or when a line wanting a space does not pair with its runs character for
    character (then the block is read as before). ``runs``: a call giving the page's runs
    (``_rect_characters``, None when not known) and its characters (``_page_characters``)."""
    read = _lines(text)
    if len(read) != len(lines):
        return None
    gaps = [_word_gaps(line) for line in lines]
    if not any(len(wanted) > len(reading.split()) - 1 for wanted, reading in zip(gaps, read)):
        return None
    characters, codes = runs()
    if not characters:
        return None
    kept = []
    for line, wanted, reading in zip(lines, gaps, read):
        if len(wanted) <= len(reading.split()) - 1:
            kept.append(reading)
            continue
        spans = [characters[box[4]] for box in line]
        pieces = [codes[first : last + 1] if codes is not None else textpage.get_text_range(first, last - first + 1) for first, last in spans]
        if "".join("".join(pieces).split()) != "".join(reading.split()):
            return None
        # Where each word gap falls in PDFium's reading: after as many of its characters
        # other than white space as the runs before it hold.
        ends = set()
        held = 0
        for number, piece in enumerate(pieces):
            held += len("".join(piece.split()))
            if number in wanted and _advanced_apart(textpage, spans[number][1], spans[number + 1][0]):
                ends.add(held)
        spaced = ""
        held = 0
        for index, character in enumerate(reading):
            spaced += character
            if not character.isspace():
                held += 1
                if held in ends and index + 1 < len(reading) and not reading[index + 1].isspace():
                    spaced += " "
        kept.append(spaced)
    return "\n".join(kept)


def _table_lines(textpage, table: pdf_tables.Table, characters: list[tuple[int, int]]) -> list[str]:
    """A table's rows, a line each, its cells apart by a tab (as a browser copies a table);
    a cell wrapped over lines is one line of it, its lines apart by a space. A cell covered
    by one spanning rows above it (``pdf_tables.Spanned``) is no cell of its row, as a
    browser copies it."""
    rows = []
    for row in table.rows:
        cells = [
            " ".join(_cell_line_text(textpage, line, characters) for line in pdf_tables.cell_lines(cell))
            for cell in row
            if not isinstance(cell, pdf_tables.Spanned)
        ]
        rows.append("\t".join(" ".join(cell.split()) for cell in cells))
    return rows


def _cell_line_text(textpage, line: list, characters: list[tuple[int, int]]) -> str:
    """The text of a line of a cell. When its runs follow each other in the page's text, it
    is PDFium's for their characters, in PDFium's order (a cell drawn from the right, with
    a negative size or a mirrored matrix, keeps its order). Where PDFium breaks the line
    between two of its runs (letters drawn one at a time, each placed anew), the line is
    PDFium's reading of its box, as a block drawn in order is read, if that holds the same
    characters (no glyph of a row above or below): letters set apart are read as one word,
    as there, and words whose glyphs stand a word apart with no space between them apart
    (``_word_spaces_kept``); else the break is a space. A line whose runs do not follow each other is read
    as the lines of a block drawn out of order are (``_line_text``)."""
    runs = sorted(box[4] for box in line)
    if runs[-1] - runs[0] != len(runs) - 1:
        return _line_text(textpage, line, characters)
    first, last = characters[runs[0]][0], characters[runs[-1]][1]
    text = textpage.get_text_range(first, last - first + 1).replace(_HYPHEN_AT_LINE_END_IN_RANGE, "-").replace(_HYPHEN_AT_LINE_END, "-")
    if "\n" in text:
        text = _marks_kept_on(textpage, text, first)
    if "\n" in text:
        left, bottom = min(box[0] for box in line), min(box[1] for box in line)
        right, top = max(box[2] for box in line), max(box[3] for box in line)
        inset = 0.1 * (top - bottom)
        bounded = textpage.get_text_bounded(left, bottom + inset, right, top - inset).replace(_HYPHEN_AT_LINE_END, "-")
        if sorted(bounded.split()) and "".join(sorted("".join(bounded.split()))) == "".join(sorted("".join(text.split()))):
            # Its words apart where its letters stand a word apart (``_word_spaces_kept``).
            spaced = _word_spaces_kept(textpage, bounded, [line], lambda: (characters, None))
            return bounded if spaced is None else spaced
    return text


# Of a glyph's height (its font's, ascent to descent): the least a footnote mark or an
# index stands off the baseline of the glyph it follows or precedes.
MARK_RAISED = 0.2


def _marks_kept_on(textpage, text: str, first: int) -> str:
    """A cell's line read from its characters' range (from ``first``) without the line
    breaks PDFium reads beside a mark raised or lowered off the baseline (``Revenue<sup>1
    </sup>``, ``CO<sub>2</sub>``): a browser copies the mark on its word ("Revenue1"); read
    as a space, it had been "Revenue 1". A glyph stands off another's baseline when the
    boxes of their fonts (ascent to descent, not of their shapes: an "e" is lower than an
    "R") stand ``MARK_RAISED`` of their height apart, both bottom and top."""
    kept = []
    position = 0
    while position < len(text):
        character = text[position]
        if character in "\r\n":
            end = position
            while end < len(text) and text[end] in "\r\n":
                end += 1
            if 0 < position and end < len(text) and _off_the_baseline(textpage, first + position - 1, first + end):
                position = end
                continue
            kept.append(text[position:end])
            position = end
            continue
        kept.append(character)
        position += 1
    return "".join(kept)


def _off_the_baseline(textpage, before: int, after: int) -> bool:
    """Whether of two characters one stands off the other's baseline (``MARK_RAISED``)."""
    left, bottom, right, top = textpage.get_charbox(before, loose=True)
    next_left, next_bottom, next_right, next_top = textpage.get_charbox(after, loose=True)
    height = min(top - bottom, next_top - next_bottom)
    if height <= 0 or textpage.get_text_range(before, 1).isspace() or textpage.get_text_range(after, 1).isspace():
        return False
    rise, rise_top = next_bottom - bottom, next_top - top
    return (rise > MARK_RAISED * height and rise_top > MARK_RAISED * height) or (rise < -MARK_RAISED * height and rise_top < -MARK_RAISED * height)


# PDFium's interface asked through declarations taking addresses: a right-to-left line read
# by its glyphs' places asks for each character's code, box, origin and object.
_DOUBLE = ctypes.POINTER(ctypes.c_double)
_CHARACTER_CODE = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_raw.FPDFText_GetUnicode, ctypes.c_void_p).value
)
_CHARACTER_BOX = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, _DOUBLE, _DOUBLE, _DOUBLE, _DOUBLE)(
    ctypes.cast(pdfium_raw.FPDFText_GetCharBox, ctypes.c_void_p).value
)
_CHARACTER_ORIGIN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, _DOUBLE, _DOUBLE)(
    ctypes.cast(pdfium_raw.FPDFText_GetCharOrigin, ctypes.c_void_p).value
)
# Classes of characters that make a line of more than one direction, or whose reading
# PDFium's order does not settle: Latin letters, digits, brackets and other mirrored
# characters; Arabic letters (PDFium gives the two letters of a lam-alef ligature in either
# order).
_NOT_ONE_DIRECTION = frozenset({"L", "EN", "AN", "AL"})
# Where the glyphs of a line stand more than this many times its height apart in height,
# they stand on two baselines: two lines whose boxes overlap.
BASELINE_APART = 0.35


def _one_direction(text: str) -> bool:
    """Whether a text of a right-to-left script has nothing but Hebrew (or another
    right-to-left script's letters that join nothing), spaces and punctuation that is not
    mirrored: a line that reads the same whatever the levels of its neutrals."""
    return not any(
        bidi.bidi_class(character) in _NOT_ONE_DIRECTION or character in bidi.MIRRORED for character in set(text)
    )


def _read_from_the_right(line: list, text: str) -> bool:
    """Whether PDFium's reading of a right-to-left line is already the order it is typed in
    (logical order), known without the places of its glyphs: the line is of one direction
    (``_one_direction``) and its pieces, in PDFium's order, run from the right (one piece,
    or each drawn left of the one before; PDFium reads each right-to-left piece from its
    right)."""
    return _one_direction(text) and (len(line) == 1 or _drawn_from_the_right(line))


def _page_characters(textpage) -> str | None:
    """The page's characters, one a character index (PDFium's text of the whole page, read
    in one call), or None when PDFium's text and its characters do not match one to one (a
    character past U+FFFF, which the call gives as two)."""
    text = textpage.get_text_range()
    return text if len(text) == textpage.count_chars() else None


def _glyphs_of(textpage, line: list, characters: list[tuple[int, int]], codes: str | None) -> list[list]:
    """The characters of a line in PDFium's order, each ``[text, left, right, baseline,
    piece]``: its pieces' characters and the spaces between two of them (drawn, a space
    makes no piece of its own, being of no height; generated by PDFium: ``piece`` None); ``codes``: ``_page_characters``. A piece's
    characters stand on the baseline of its first (a text object has one). A space PDFium
    generates has no place of its own (PDFium puts it where a glyph beside it starts, inside
    a word when the word is drawn left to right): ``_place_generated_spaces`` gives it one."""
    handle = textpage.raw
    left, right, bottom, top, x, y = (ctypes.c_double() for _ in range(6))
    boxes = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
    origin = (ctypes.byref(x), ctypes.byref(y))
    ranges = sorted((characters[box[4]], box[4]) for box in line)
    glyphs: list[list] = []
    for number, ((first, last), piece) in enumerate(ranges):
        _CHARACTER_ORIGIN(handle, first, *origin)
        baseline = y.value
        indices = range(first, last + 1)
        if number + 1 < len(ranges) and 0 < ranges[number + 1][0][0] - last - 1 <= 2:
            indices = range(first, ranges[number + 1][0][0])
        for index in indices:
            code = ord(codes[index]) if codes is not None else _CHARACTER_CODE(handle, index)
            character = chr(code) if code < 0x110000 else "\ufffd"
            if character in _HYPHENS:
                character = "-"
            elif character.isspace() and _TEXT_OBJECT(handle, index) is None:
                if character not in "\r\n":
                    glyphs.append([" ", None, None, None, None])
                continue
            _CHARACTER_BOX(handle, index, *boxes)
            glyphs.append([character, left.value, right.value, baseline, piece])
    if not any(glyph[1] is not None for glyph in glyphs):
        return []
    _place_generated_spaces(glyphs)
    return glyphs


def _place_generated_spaces(items: list[list]) -> None:
    """Gives each space PDFium generated (``[" ", None, None, ...]`` among ``[text, left,
    right, baseline, ...]`` in PDFium's order) a place: between the letters or digits
    either side of it in PDFium's order when they stand side by side, apart; else the widest
    gap between the glyphs of the words either side of it. PDFium puts such a space where
    its reading goes from one word to the other, which for a line drawn left to right is not
    where they part ("قالت (إن)" was read with its space after the bracket, "لا يزال" with
    it between the ya and the zain), and the widest gap is not always the word's (Amiri
    sets a word space narrower than the gap after an alef). The space stands on the
    baseline of the placed character before it (after it, at the line's start)."""
    if all(item[1] is not None for item in items):
        return
    placed = sorted((item for item in items if item[1] is not None), key=lambda item: item[1] + item[2])
    following = {id(item): after for item, after in zip(placed, placed[1:])}
    for number, item in enumerate(items):
        if item[1] is None:
            baseline = next(
                items[position][3]
                for position in itertools.chain(range(number - 1, -1, -1), range(number + 1, len(items)))
                if items[position][1] is not None
            )
            before = items[number - 1] if number > 0 else None
            after = items[number + 1] if number + 1 < len(items) else None
            side_by_side = [
                (left, right)
                for left, right in ((before, after), (after, before))
                if left is not None
                and right is not None
                and left[1] is not None
                and right[1] is not None
                and following.get(id(left)) is right
                and right[1] > left[2]
                and any(character.isalnum() for character in left[0])
                and any(character.isalnum() for character in right[0])
            ]
            if side_by_side:
                left, right = side_by_side[0]
                middle = (left[2] + right[1]) / 2
            else:
                beside = sorted(
                    [*_word_beside(items, range(number - 1, -1, -1)), *_word_beside(items, range(number + 1, len(items)))],
                    key=lambda glyph: glyph[1],
                )
                if len(beside) < 2:
                    middle = beside[0][2] if beside else 0.0
                else:
                    gap = max(zip(beside, beside[1:]), key=lambda pair: pair[1][1] - pair[0][2])
                    middle = (gap[0][2] + gap[1][1]) / 2
            item[1:4] = [middle, middle, baseline]


def _word_beside(items: list[list], positions: range) -> list[list]:
    """The placed glyphs met at ``positions`` up to the next space: the word on one side of
    a space PDFium generated."""
    word = []
    for position in positions:
        item = items[position]
        if item[1] is None or item[0].isspace():
            break
        word.append(item)
    return word


def _units(glyphs: list[list]) -> list[list]:
    """The line's glyphs gathered into what stays together in its own order: a letter with
    the marks and format characters (vowel points, ZWNJ) PDFium gives after it, and the
    characters of one glyph (PDFium gives them one box)."""
    units: list[list] = []
    for glyph in glyphs:
        if units and (
            unicodedata.category(glyph[0])[0] == "M"
            or unicodedata.category(glyph[0]) == "Cf"
            or (glyph[1] == units[-1][1] and glyph[2] == units[-1][2] and glyph[4] is not None)
        ):
            units[-1][0] += glyph[0]
            continue
        units.append(list(glyph))
    return units


def _baselines(units: list[list], height: float) -> list[list[list]]:
    """The line's units by the baseline they stand on, top first: two lines whose glyphs'
    boxes overlap (tight leading, tall glyphs) are two lines, not one whose letters take
    turns. Fewer than three glyphs on a baseline of their own (a footnote mark, a
    superscript) stand with the line nearest them."""
    heights = sorted({unit[3] for unit in units}, reverse=True)
    bands: list[list[float]] = []
    for baseline in heights:
        if bands and bands[-1][-1] - baseline <= BASELINE_APART * height:
            bands[-1].append(baseline)
        else:
            bands.append([baseline])
    if len(bands) == 1:
        return [units]
    members: list[list[list]] = [[] for _ in bands]
    for unit in units:
        members[next(number for number, band in enumerate(bands) if band[-1] <= unit[3])].append(unit)
    large = [number for number, band in enumerate(members) if sum(len(unit[0].strip()) for unit in band) >= 3]
    if len(large) <= 1:
        return [units]
    grouped: dict[int, list[list]] = {number: [] for number in large}
    for number, band in enumerate(members):
        nearest = min(large, key=lambda other: abs(bands[other][0] - bands[number][0]))
        grouped[nearest] += band
    return [grouped[number] for number in large]


def _typed_order(textpage, line: list, characters: list[tuple[int, int]], codes: str | None) -> str:
    """The text of a line with right-to-left script in the order it is typed: its glyphs
    left to right by their places, then the Unicode bidirectional algorithm run back
    (``bidi.logical_order``); a space between two pieces set apart by more than half the
    line's height with none between them (closer, it is the gap after a letter that joins
    nothing in Arabic). A line of two baselines is read as two lines (``_baselines``)."""
    height = max(box[3] - box[1] for box in line)
    glyphs = _glyphs_of(textpage, line, characters, codes)
    read = []
    for units in _baselines(_units(glyphs), height):
        units.sort(key=lambda unit: (unit[1] + unit[2]) / 2)
        shown: list[str] = []
        previous = None
        for unit in units:
            if (
                previous is not None
                and unit[4] is not None
                and previous[4] is not None
                and unit[4] != previous[4]
                and unit[1] - previous[2] > 0.5 * height
                and not unit[0].isspace()
                and not previous[0].isspace()
            ):
                shown.append(" ")
            shown.append(unit[0])
            previous = unit
        read.append("".join(bidi.logical_order(bidi.shown_brackets(shown))))
    return "\n".join(read)


def _piece_direction(text: str) -> str | None:
    """The bidirectional class a piece of a line stands for as a whole: ``R`` (``AL`` if
    Arabic, whose digits are Arabic numbers) for right-to-left letters with spaces and
    punctuation, ``L`` for Latin letters (digits
    among them), ``EN`` or ``AN`` for a number (``1,250,000``, ``28%``), the class of its
    character for a single neutral (a bracket, a dash) or spaces alone; None for a piece of
    both directions, or of brackets or punctuation beside letters of a right-to-left
    script, whose characters must be placed one by one."""
    kinds = {bidi.bidi_class(character) for character in text}
    if kinds & {"R", "AL"}:
        if kinds & {"L", "EN", "AN", "NSM"} or any(character in bidi.MIRRORED for character in text):
            return None
        return "AL" if "AL" in kinds else "R"
    if "L" in kinds:
        return "L"
    for kind in ("EN", "AN"):
        if kind in kinds:
            return None if kinds & {"EN", "AN"} - {kind} else kind
    if len(text) == 1 or text.isspace():
        return bidi.bidi_class(text[0])
    return None


def _pieces_in_typed_order(textpage, line: list, characters: list[tuple[int, int]], codes: str | None) -> str | None:
    """The text of a line read a piece at a time in the order it is typed: each piece (a
    run of one text object) of one direction, read by PDFium in that direction (its first
    character's glyph right of its last for a right-to-left piece, left of it otherwise),
    stands for a unit of the bidirectional algorithm; the line's pieces left to right, in
    the order the algorithm run back gives (``bidi.logical_order``), with the spaces
    between two of them (a space drawn of its own, which makes no piece: its glyph's place;
    one PDFium generates: ``_place_generated_spaces``). None when a piece is of both directions or
    read the other way (its glyphs are then placed one by one: ``_typed_order``). Two
    glyph places a piece: a line of Hebrew with numbers and English words in it costs
    little more than PDFium's reading."""
    if codes is None:
        return None
    handle = textpage.raw
    left, right, bottom, top, x, y = (ctypes.c_double() for _ in range(6))
    boxes = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))

    def middle(index: int) -> float:
        _CHARACTER_BOX(handle, index, *boxes)
        return left.value + right.value

    pieces: list[list] = []
    ranges = sorted((characters[box[4]], box) for box in line)
    for number, ((first, last), box) in enumerate(ranges):
        text = codes[first : last + 1]
        kind = _piece_direction(text)
        if kind is None or any(character in _HYPHENS for character in text):
            return None
        if kind in ("R", "AL", "L", "EN", "AN") and last > first and (middle(first) > middle(last)) != (kind in ("R", "AL")):
            return None
        _CHARACTER_ORIGIN(handle, first, ctypes.byref(x), ctypes.byref(y))
        pieces.append([text, box[0], box[2], y.value, kind])
        if number + 1 < len(ranges) and 0 < ranges[number + 1][0][0] - last - 1 <= 2:
            for index in range(last + 1, ranges[number + 1][0][0]):
                if not codes[index].isspace() or codes[index] in "\r\n":
                    continue
                if _TEXT_OBJECT(handle, index) is None:
                    pieces.append([" ", None, None, None, "WS"])
                else:
                    _CHARACTER_BOX(handle, index, *boxes)
                    pieces.append([" ", left.value, right.value, y.value, "WS"])
    _place_generated_spaces(pieces)
    read = []
    for group in _baselines(pieces, max(box[3] - box[1] for box in line)):
        group = _stacked_together(group)
        right_to_left = bidi.is_right_to_left_paragraph("".join(piece[0] for piece in group))
        units = bidi.shown_brackets([piece[0] for piece in group])
        read.append("".join(bidi.logical_order(units, right_to_left, [piece[4] for piece in group])))
    return "\n".join(read)


def _stacked_together(pieces: list[list]) -> list[list]:
    """The pieces of a line left to right, those that stand over one another (more than
    half the narrower's width in common: Amiri stacks a lam over a meem, a meem over a hah,
    each its own piece) one piece, in PDFium's order (which reads them as typed): by their
    middles alone, the letter drawn above came before or after the one below it by a
    fraction of a point ("المحادثات" was read "الحمادثات")."""
    ordered = sorted(range(len(pieces)), key=lambda number: pieces[number][1] + pieces[number][2])
    merged: list[list] = []
    members: list[list[int]] = []
    for number in ordered:
        piece = pieces[number]
        if merged and not piece[0].isspace() and not merged[-1][0].isspace():
            last = merged[-1]
            common = min(last[2], piece[2]) - max(last[1], piece[1])
            if common > 0.5 * min(last[2] - last[1], piece[2] - piece[1]) and piece[4] == last[4]:
                members[-1].append(number)
                members[-1].sort()
                last[0] = "".join(pieces[member][0] for member in members[-1])
                last[1], last[2] = min(last[1], piece[1]), max(last[2], piece[2])
                continue
        merged.append(list(piece))
        members.append([number])
    return merged


# A document's right-to-left lines are put in typed order up to this many of their
# characters (some 40 dense pages); past it, a line is read as PDFium gives it. Putting them
# in order costs about 5 microseconds of processor time a character (a Persian book of 198
# pages, 0.93 million such characters, 21.6 s against 16.8 read as PDFium gives it: past
# the 20 s a PDF is given); so bounded, it adds at most some 1.5 s, and a document read
# before is not refused for its right-to-left script.
TYPED_ORDER_CHARACTERS = 300_000


class TypedOrderBudget:
    """What is left of a document's ``TYPED_ORDER_CHARACTERS``."""

    def __init__(self, characters: int | None = None) -> None:
        self.left = TYPED_ORDER_CHARACTERS if characters is None else characters


def _same_characters(text: str) -> Counter:
    """The characters of ``text`` but spaces, a mirrored pair's two as one (a bracket a
    right-to-left line shows turned is read as typed)."""
    return Counter(min(character, bidi.MIRRORED.get(character, character)) for character in text if not character.isspace())


def _upright(textpage, line: list, characters: list[tuple[int, int]]) -> bool:
    """Whether a line's glyphs stand upright (its first's angle about 0): turned (a line
    upside down, as ``transform: rotate(180deg)`` prints one), glyphs left to right by their
    places are no order of the line, and PDFium's reading of it is kept."""
    angle = pdfium_raw.FPDFText_GetCharAngle(textpage.raw, characters[line[0][4]][0])
    return angle < 0 or min(angle, 2 * math.pi - angle) < 0.1


def _line_reading(textpage, line: list, characters: list[tuple[int, int]], codes: list, budget: TypedOrderBudget) -> str:
    """The text of a line in reading order: a line without right-to-left script, or one
    PDFium reads from the right already (``_read_from_the_right``), as ``_line_text``
    reads it (the first a box at a time, as before: such text reads byte for byte as it
    did); any other a piece at a time (``_pieces_in_typed_order``) or, failing that, by
    its glyphs' places (``_typed_order``); should that fail, or give other characters than
    PDFium's reading (a vowel mark or a letter read twice: never a character the document
    does not hold), or the document's ``budget`` be spent, or the line be turned
    (``_upright``), as PDFium reads it (a document
    read before is never refused for its right-to-left lines). ``codes``: a list holding
    ``_page_characters`` once read."""
    if codes:
        text = _line_text(textpage, line, characters, codes[0])
        if not _RIGHT_TO_LEFT.search(text):
            return _line_text(textpage, line, characters)
    else:
        text = _line_text(textpage, line, characters)
        if not _RIGHT_TO_LEFT.search(text):
            return text
        codes.append(_page_characters(textpage))
    if budget.left <= 0 or _read_from_the_right(line, text) or not _upright(textpage, line, characters):
        return text
    budget.left -= len(text)
    try:
        by_pieces = _pieces_in_typed_order(textpage, line, characters, codes[0])
        typed = by_pieces if by_pieces is not None else _typed_order(textpage, line, characters, codes[0])
    except Exception as error:  # noqa: BLE001 - a line not put in typed order is read as before, not refused
        logger.info("A right-to-left line kept in PDFium's order: %r", error)
        return text
    if _same_characters(typed) != _same_characters(text):
        logger.info("A right-to-left line kept in PDFium's order: its typed order read other characters")
        return text
    return typed


def _shown(page) -> Box:
    """The part of the page a viewer shows: its crop box within its media box, either of
    them inherited from the page tree (``FPDF_GetPageBoundingBox``; pypdfium2's
    ``get_cropbox`` reads the page's own entries only, and took a page of an inherited
    media box larger than Letter for Letter)."""
    box = pdfium_raw.FS_RECTF()
    if not pdfium_raw.FPDF_GetPageBoundingBox(page.raw, box):
        return (-float("inf"), -float("inf"), float("inf"), float("inf"))
    return (min(box.left, box.right), min(box.bottom, box.top), max(box.left, box.right), max(box.bottom, box.top))


def _box_text(textpage, boxes: list) -> str:
    """PDFium's text over the extent of a few boxes (a piece of a table's column)."""
    return textpage.get_text_bounded(min(box[0] for box in boxes), min(box[1] for box in boxes), max(box[2] for box in boxes), max(box[3] for box in boxes))


def _within(box: Box, shown: Box) -> bool:
    """Whether any of a run is on the part of the page a viewer shows: a run that reaches
    into it is kept whole (a line running off the crop box is read, its part shown with
    it), only one wholly outside is left out."""
    return box[0] < shown[2] and box[2] > shown[0] and box[1] < shown[3] and box[3] > shown[1]


def _page_blocks(
    textpage, shown: Box, find_tables: bool = False, budget: TypedOrderBudget | None = None, refused: frozenset[int] = frozenset()
) -> list[list[str]]:
    """The page's blocks (paragraphs, column pieces) in reading order, each a list of lines;
    only the text whose runs reach the part of the page a viewer shows (``shown``): text
    drawn wholly off the page, or outside its crop box, is no text of the document as read.

    The text of a block is read in one call for its whole box (PDFium scans the page's
    characters on every call, so one call per line would cost lines x characters), in the
    order the page draws it, with a space where its glyphs stand a word apart and PDFium
    read none (glyphs drawn one at a time: ``_word_spaces_kept``). A block drawn in another
    order than it is read (its lines top to bottom, each left to right: ``_block_lines``),
    or holding right-to-left script PDFium does not read from the right, is read a line at a time from its runs' characters
    (``_rect_characters``, once for the page; ``_line_reading``). A table (``pdf_tables``) is a
    block read a row a line, its cells apart by a tab (``_table_lines``), only if the page
    so read holds the characters of its runs, or those it holds read without tables, each
    as many times: glyphs drawn over each other, or over a table's, are read otherwise by
    PDFium's reading of a box than by a run's, and such a page is read as before. Nor is a
    table whose cells hold a word the page read without tables does not hold
    (``_words_kept``): the same characters may be other words, a figure cut at its decimal
    point (``144 4`` and a ``.`` below), a label cut into letters; such a table is read as
    before, the page's other tables by rows (``refused``: the tables, by their number among
    those found, read as before). Nor is a table with which the page splits or glues a line
    the page read without tables keeps whole (``_lines_broken``): a paragraph's line below
    it taken in as its last row, the rest of its region read a column at a time. Nor are two
    tables side by side read as one (``_header_over_two_halves``), nor a table of figures
    whose labels are read apart from it (``_figures_without_labels``)."""
    boxes = [(*textpage.get_rect(index), index) for index in range(textpage.count_rects())]
    boxes = [box for box in boxes if box[2] > box[0] and box[3] > box[1] and _within(box, shown)]
    if not boxes:
        return []
    line_height = statistics.median(box[3] - box[1] for box in boxes) or 1.0
    blocks = []
    characters: list[tuple[int, int]] | None = []  # read when first needed
    codes: list = []  # the page's characters (``_page_characters``), read when first needed
    budget = TypedOrderBudget() if budget is None else budget

    def page_characters() -> str | None:
        if not codes:
            codes.append(_page_characters(textpage))
        return codes[0]

    def text_of(cell: list) -> str:
        # A run's characters from the page's text, both read once for the page (a call to
        # PDFium's reading of a box scans all of the page's characters: 40 of them had
        # cost a table's page 0.6 ms).
        nonlocal characters
        if characters == []:
            characters = _rect_characters(textpage)
        whole = page_characters()
        if characters is None or not whole:
            return _box_text(textpage, cell)
        return "".join(whole[characters[box[4]][0] : characters[box[4]][1] + 1] for box in cell)

    def runs() -> tuple[list[tuple[int, int]] | None, str | None]:
        # The page's runs and characters, for a block PDFium read with fewer word breaks
        # than its gaps show (``_word_spaces_kept``).
        nonlocal characters
        if characters == []:
            characters = _rect_characters(textpage)
        return characters, (page_characters() if characters else None)

    found = pdf_tables.tables(boxes, line_height, text_of) if find_tables else []
    numbers = [number for number in range(len(found)) if number not in refused]
    tables = [found[number] for number in numbers]
    table_blocks: dict[int, int] = {}  # a table's number among those found: its block
    if tables and characters == []:
        characters = _rect_characters(textpage)
    if tables and characters is not None:
        in_tables = {box[4] for table in tables for box in table.boxes}
        boxes = [box for box in boxes if box[4] not in in_tables]
        boxes += [(*table.extent, -1 - number) for number, table in enumerate(tables)]
    read_around = any(box[4] >= 0 for box in boxes)
    for block in pdf_tables.around_tables(_reading_order(boxes, line_height), lambda part: _reading_order(part, line_height)):
        if block[0][4] < 0:
            table_blocks[numbers[-1 - block[0][4]]] = len(blocks)
            blocks.append(_table_lines(textpage, tables[-1 - block[0][4]], characters))
            continue
        lines = _block_lines(block, line_height)
        left = min(box[0] for box in block)
        bottom = min(box[1] for box in block)
        right = max(box[2] for box in block)
        top = max(box[3] for box in block)
        text = None
        # A line drawn right to left (its pieces drawn from the right) is in order if it is
        # of a right-to-left script (Hebrew, Arabic: their reading order), which the
        # block's text, read once, tells.
        order = [box[4] for line in lines for box in (line[::-1] if _drawn_from_the_right(line) else line)]
        if order == sorted(order) and any(_drawn_from_the_right(line) for line in lines):
            text = textpage.get_text_bounded(left - 1, bottom, right + 1, top)
            if not _RIGHT_TO_LEFT.search(text):
                order = [box[4] for line in lines for box in line]
        if order != sorted(order) and characters == []:
            characters = _rect_characters(textpage)
        # A block whose box reaches into a table's is read from its own runs: PDFium's
        # reading of the box would take in the table's glyphs there too.
        beside_a_table = bool(tables and characters) and any(
            left < extent[2] and right > extent[0] and bottom < extent[3] and top > extent[1] for extent in (table.extent for table in tables)
        )
        if (order == sorted(order) and not beside_a_table) or characters is None:
            if text is None:
                text = textpage.get_text_bounded(left - 1, bottom, right + 1, top)
            if _RIGHT_TO_LEFT.search(text) and not all(_read_from_the_right(line, text) for line in lines):
                if characters == []:
                    characters = _rect_characters(textpage)
                if characters is not None and all(_upright(textpage, line, characters) for line in lines):
                    text = "\n".join(_line_reading(textpage, line, characters, codes, budget) for line in lines)
            text = text.replace(_HYPHEN_AT_LINE_END, "-\n")
            if not _RIGHT_TO_LEFT.search(text):
                spaced = _word_spaces_kept(textpage, text, lines, runs)
                if spaced is not None:
                    text = spaced
        else:
            text = "\n".join(_line_reading(textpage, line, characters, codes, budget) for line in lines)
        if block_lines := _lines(text):
            blocks.append(block_lines)
    if tables and characters is not None:
        read = _visible_characters("".join("".join(block) for block in blocks))
        whole = textpage.get_text_range()
        if len(whole) == textpage.count_chars():
            runs = "".join(whole[first : last + 1] for first, last in characters)
        else:
            runs = "".join(textpage.get_text_range(first, last - first + 1) for first, last in characters)
        if read != _visible_characters(runs.replace(_HYPHEN_AT_LINE_END_IN_RANGE, "-").replace(_HYPHEN_AT_LINE_END, "-")):
            without_tables = _page_blocks(textpage, shown, find_tables=False, budget=budget)
            if read != _visible_characters("".join("".join(block) for block in without_tables)):
                return without_tables
    if table_blocks:
        # The page's own text, read once already, answers for most tables' words; only a
        # table with a word it lacks, or text read around the tables, which they may pull
        # apart (``_lines_broken``), asks for the reading without tables (a page all of one
        # table of 5,000 rows, none around it, takes 25 s to read so).
        whole = (codes[0] or "") if codes else ""
        doubtful = {number for number, block in table_blocks.items() if not _words_kept(blocks[block], whole) or _figures_together(blocks[block])}
        misread = {number for number, block in table_blocks.items() if _header_over_two_halves(blocks[block]) or _figures_without_labels(blocks[block])}
        if doubtful or read_around or misread:
            without_tables = _page_blocks(textpage, shown, find_tables=False, budget=budget)
            before = "\n".join("\n".join(block) for block in without_tables)
            wrong = misread | {number for number in doubtful if not _words_kept(blocks[table_blocks[number]], before)}
            wrong |= _lines_broken(blocks, table_blocks, without_tables)
            if wrong == set(table_blocks):
                return without_tables
            if wrong:
                return _page_blocks(textpage, shown, find_tables=True, budget=budget, refused=refused | wrong)
    return blocks


# Of a table's first rows, those that may be its header.
HEADER_ROWS = 2


def _header_over_two_halves(lines: list[str]) -> bool:
    """Whether a table read by rows is two tables side by side read as one, a row of each a
    line: one of its first rows reads the same header over its two halves (each cell's last
    word: a heading above a half, "Payments", may be read into its first cell), and below
    it the second half starts with labels, no figures (a payslip's payments and deductions,
    "Item Amount Item Amount"). A header of years over figures, "2024 2023 2024 2023", is
    one table's."""
    rows = [line.split("\t") for line in lines]
    for number, cells in enumerate(rows[:HEADER_ROWS]):
        half = len(cells) // 2
        last_words = [cell.split()[-1] if cell.split() else "" for cell in cells]
        if half < 2 or len(cells) % 2 or not all(last_words) or last_words[:half] != last_words[half:]:
            continue
        below = [row[half] for row in rows[number + 1 :] if len(row) > half and row[half].strip()]
        if below and not any(_FIGURE.fullmatch(cell.strip()) for cell in below):
            return True
    return False


def _figures_without_labels(lines: list[str]) -> bool:
    """Whether a table read by rows holds figures only, under a header cell spanning two
    columns or with two figures in a cell: a statement's labels and notes column read
    apart from it, a table of its figures alone. A statement set with cells a pixel apart,
    "Consolidated" and "Parent" each over two years, had been read "Consolidated Parent",
    then "70,045 (74,160) – 70,792", its labels and notes a column at a time above and
    below. A table of years and figures under a header of as many cells ("Year Revenue
    Profit") is one."""
    rows = [line.split("\t") for line in lines]
    with_figures = [cells for cells in rows if any(_FIGURE.fullmatch(word) for cell in cells for word in cell.split())]
    if not with_figures or not all(_FIGURE.fullmatch(word) for cells in with_figures for cell in cells for word in cell.split()):
        return False
    widest = max(len(cells) for cells in rows)
    spanning = any(len(cells) < widest for cells in rows if cells not in with_figures)
    return spanning or any(len(cell.split()) > 1 for cells in with_figures for cell in cells)


def _lines_broken(blocks: list[list[str]], table_blocks: dict[int, int], without_tables: list[list[str]]) -> set[int]:
    """The tables (by their number among those found) to read as before because the page
    read with them splits or glues a line the page read without them keeps: each line of
    that reading must be read within one line of this one, each two of its words still
    apart and none cut outside a table's rows (``_kept_within``): a line of one word too (a
    price "31.50" beside a table, read "3 1 . 50" from its runs). A table had taken
    in a paragraph's last line below it, 40 lines from the rest of its sentence; a region
    read part as a table had read its other rows a column at a time, or their cells glued
    ("£13 841£(75,381)"). A table's cell may join words: that reading sets spaces between
    letters drawn one at a time ("I m pai rment"), and a mark apart from its word
    ("Revenue 1"), which a cell reads whole (its words are the page's: ``_words_kept``).
    A broken line is blamed on the tables read nearest the blocks holding its words around
    the tables (``_nearest_tables``: rows beside a table read otherwise for it), or, none
    holding one, on the tables holding one of its words, or on all of the page's."""
    reading = _without_white_space(blocks, set(table_blocks.values()))
    broken = []
    found_at = 0
    for block in without_tables:
        for line in block:
            if words := line.split():
                found_at = _kept_within(words, reading, found_at)
                if found_at < 0:
                    broken.append(words)
                    found_at = 0
    if not broken:
        return set()
    table_words = {number: set(" ".join(blocks[block]).split()) for number, block in table_blocks.items()}
    blamed: set[int] = set()
    for words in broken:
        holding = {number for number, held in table_words.items() if held.intersection(words)}
        blamed |= _nearest_tables(words, blocks, table_blocks) or holding or set(table_blocks)
    return blamed


def _nearest_tables(words: list[str], blocks: list[list[str]], table_blocks: dict[int, int]) -> set[int]:
    """The tables whose blocks are read nearest, in the page's reading order, to the blocks
    other than tables holding one of ``words`` (a broken line), none if no such block holds
    one: rows between two tables read a column at a time, or a table's header read apart
    above it, the other tables of the page read exactly had been read as before too. A wrong
    guess costs a reading, not a table: the page is read again without the tables blamed,
    and checked again (``_page_blocks``), until no line is broken."""
    wanted = set(words)
    holding = [number for number, block in enumerate(blocks) if number not in table_blocks.values() and wanted.intersection(" ".join(block).split())]
    if not holding:
        return set()
    away = {number: min(abs(block - place) for place in holding) for number, block in table_blocks.items()}
    return {number for number, distance in away.items() if distance == min(away.values())}


def _without_white_space(blocks: list[list[str]], of_tables: set[int]) -> tuple[str, set[int], list[int], list[bool]]:
    """A page's lines (``blocks``), their characters but white space (a tab is as a space),
    each line ended by a line break; the offsets of those white space follows; where each
    line starts; whether it is a table's row (its block in ``of_tables``)."""
    kept: list[str] = []
    spaced = set()
    starts, of_a_table = [], []
    for number, block in enumerate(blocks):
        for line in block:
            starts.append(len(kept))
            of_a_table.append(number in of_tables)
            for character in line:
                if not character.isspace():
                    kept.append(character)
                elif len(kept) > starts[-1]:
                    spaced.add(len(kept) - 1)
            kept.append("\n")
    return "".join(kept), spaced, starts, of_a_table


def _kept_within(words: list[str], reading: tuple[str, set[int], list[int], list[bool]], after: int) -> int:
    """Where ``words`` (a line read without tables) are read in order within one line of
    ``reading`` (``_without_white_space``), each two still apart unless it is a table's
    row, none of them cut (``_pieces_cut``); -1 if nowhere. Their characters are matched,
    not their words: that reading cuts a figure's exponent from it ("10-" and "7" a line
    below). Looked for from ``after`` (where the line before was found: the two readings
    mostly go on alike) to the end, then from the start, so that a page of many lines costs
    about one pass a column."""
    text, spaced, starts, of_a_table = reading
    wanted = "".join(words)
    ends = list(itertools.accumulate(len(word) for word in words[:-1]))
    for low, high in ((after, len(text)), (0, after + len(wanted))):
        start = text.find(wanted, low, high)
        while start >= 0:
            if of_a_table[bisect.bisect_right(starts, start) - 1] or (all(start + end - 1 in spaced for end in ends) and not _pieces_cut(words, start, spaced)):
                return start
            start = text.find(wanted, start + 1, high)
    return -1


def _pieces_cut(words: list[str], start: int, spaced: set[int]) -> bool:
    """Whether the reading (``spaced``: the offsets white space follows) cuts one of ``words``,
    read from ``start``, into pieces: a figure ("3 1 . 50", "1 5.00": a price beside a table
    read from its runs), or any word in pieces of a letter or two. Letters drawn one at a
    time that the reading without tables spaces ("I m pai rment") are its words, not cut."""
    at = start
    for word in words:
        cuts = [offset for offset in range(at, at + len(word) - 1) if offset in spaced]
        bounds = [at - 1, *cuts, at + len(word) - 1]
        if cuts and (_FIGURE.fullmatch(word) or all(high - low <= PIECE for low, high in itertools.pairwise(bounds))):
            return True
        at += len(word)
    return False


# A table's word may be two or more of the reading without tables read together (a mark
# read apart there: ``77.9`` and ``r``), or two or more of its own words one there
# (``Revenue 1`` for ``Revenue1``); up to this many.
WORDS_TOGETHER = 4

# A figure: two digits or more, grouped or with a decimal point, maybe in brackets, after a
# currency sign or before a percent sign; or the dash of a nil. A lone digit is not one: a
# footnote mark read with its figure ("1,340.5" and a raised "1") is read whole in a cell.
_FIGURE = re.compile(r"[–—-]|\(?[£$€¥]?[-−–]?\d[\d,.]*\d%?\)?")

# Two figures read as one word: a figure, then a figure in brackets or after a nil's dash.
_GLUED_FIGURES = re.compile(rf"(?:{_FIGURE.pattern})\(.*\d.*\)")

# A word cut into pieces each at most this long is cut, not spaced ("2 0 2 4", "3 1 . 50").
PIECE = 2


def _figures_together(lines: list[str]) -> bool:
    """Whether a table's cell holds a word that is two figures read together: the page's own
    text may glue them too ("63,199(48,959)", cells a pixel apart), and only the reading
    without tables, which sets them apart, tells whether the table does (``_words_kept``)."""
    return any(_GLUED_FIGURES.fullmatch(word) for line in lines for word in line.split())


def _words_kept(lines: list[str], before: str) -> bool:
    """Whether each word of a table's cells is a word of ``before`` (a reading of the page
    without tables), or some of them read together are, or it is some of them read
    together: a table read by rows reads the page's words in another order, never other
    words. Never two figures read together (cells a pixel apart: "63,199(48,959)" for
    "63,199 (48,959)"), nor a word cut (``_word_cut``)."""
    words = before.split()
    known = set(words)
    spaced = f" {' '.join(words)} "
    if any(_word_cut(cell.split(), known, spaced) for line in lines for cell in line.split("\t")):
        return False
    if all(word in known for line in lines for word in line.split()):
        return True
    for together in range(2, WORDS_TOGETHER + 1):
        known.update(
            "".join(words[start : start + together])
            for start in range(len(words) - together + 1)
            if not any(_FIGURE.fullmatch(first) and _FIGURE.fullmatch(second) for first, second in itertools.pairwise(words[start : start + together]))
        )
    for line in lines:
        for cell in line.split("\t"):
            cell_words = cell.split()
            start = 0
            while start < len(cell_words):
                for together in range(1, WORDS_TOGETHER + 1):
                    if start + together <= len(cell_words) and "".join(cell_words[start : start + together]) in known:
                        start += together
                        break
                else:
                    return False
    return True


def _word_cut(cell_words: list[str], known: set[str], spaced: str) -> bool:
    """Whether a cell reads a word of a reading without tables (``known``: its words;
    ``spaced``: them one space apart, a space at each end) cut in pieces, those pieces not
    being words there in a row: a figure ("1 5.00" for "15.00"), or any
    word in pieces of a letter or two ("2 0 2 4 2 0 2 3": a header's glyphs dealt to cells
    of their own). A word cut at a mark ("Revenue 1") is not."""
    for start in range(len(cell_words) - 1):
        for together in range(2, min(WORDS_TOGETHER, len(cell_words) - start) + 1):
            pieces = cell_words[start : start + together]
            joined = "".join(pieces)
            if joined in known and (_FIGURE.fullmatch(joined) or all(len(piece) <= PIECE for piece in pieces)):
                if f" {' '.join(pieces)} " not in spaced:
                    return True
    return False


def _visible_characters(text: str) -> Counter:
    return Counter(character for character in text if not character.isspace())


# Where a page's furniture is: its first and last ``ENDS`` lines, each at most ``SHORT``
# characters, on at least ``MOST`` of the pages with a body (more than ``BODY`` lines).
ENDS = 2
SHORT = 60
MOST = 0.6
BODY = 4
# Words that may stand beside a page number ("Page 3 of 10", "p. 3", "Seite 3 von 10").
PAGE_WORDS = frozenset({"page", "pages", "p", "pp", "pg", "of", "seite", "von", "página", "pagina", "de", "sur", "side", "sida", "av"})
# A running head's title set apart from its page number: "Annual report 2024 | 7", "7 · Report".
_SET_APART = r"(?:\s*[|\u2022\u00b7\u2027\u2219\u2013\u2014]\s*|\s+-\s+)"
_NUMBER = re.compile(r"\d+")
_MARK = "\x00"


def _ends(lines: list[str]) -> list[int]:
    """Positions of the page's first and last ``ENDS`` lines that are short enough to be
    furniture; a table's row (its cells apart by a tab) is none: a header row repeated at
    the top of each page a table runs over is the table's."""
    positions = sorted(set(range(min(ENDS, len(lines)))) | set(range(max(0, len(lines) - ENDS), len(lines))))
    return [position for position in positions if len(lines[position]) <= SHORT and "\t" not in lines[position]]


def _numbered(line: str):
    """``(template, number)`` for each number of ``line``: the line with that one number
    marked, and the number."""
    for match in _NUMBER.finditer(line):
        yield line[: match.start()] + _MARK + line[match.end() :], int(match[0])


def _beside_a_page_number(template: str) -> bool:
    """Whether what stands beside the marked number is what stands beside a page number:
    nothing but punctuation, other numbers and words such as "page" and "of" ("- 3 -",
    "Page 3 of 10", "3/10"), or a title set apart from it by a bar, a bullet or a dash at
    either end of the line ("Annual report 2024 | 3", "3 · Annual report"). A word that
    names the number ("Article 3", "Table 3", "Section 3 ends here.") is not."""
    rest = template.replace(_MARK, " ")
    if all(word.lower() in PAGE_WORDS for word in re.findall(r"[^\W\d_]+", rest)):
        return True
    mark = re.escape(_MARK)
    return bool(re.fullmatch(rf"{mark}{_SET_APART}\S.*|.*\S{_SET_APART}{mark}", template))


def _running_lines(pages: list[list[list[str]]]) -> set[tuple[int, int]]:
    """The page furniture: ``(page, line)`` positions, the line counted across the page's
    blocks, of the running heads and page numbers to drop.

    Only a page's first and last two lines, of at most 60 characters, can be furniture, and
    only when the same line stands there on at least 60% of the pages with a body of their
    own (more than four lines: on pages of a line or two, slides, a title page, nothing is
    "running"). Two kinds of line are furniture:

    - a line identical on those pages (a running head, "Annual report 2024");
    - a page number: a line whose one changing number is the page's number, or the page's
      number plus the same offset on those pages (printed numbers often start after a cover),
      and whose other words are only words such as "page" and "of" ("3", "- 3 -", "Page 3",
      "Page 3 of 10", "3/10"), or a title that is the same on those pages set apart from the
      number by a bar, a bullet or a dash ("Annual report 2024 | 3").

    Everything else is content, even at the top of every page and even when its number
    follows the page's: "Article 3" on page 3 of a treaty, "Table 4", "Question 5", "Section 2
    ends here." are headings an analyst quotes, whereas a page number kept costs little. A
    line is dropped only where furniture stands, at the page's ends: the same words inside a
    page are kept."""
    numbers = range(len(pages))
    lines_of = [[line for block in blocks for line in block] for blocks in pages]
    bodied = [number for number in numbers if len(lines_of[number]) > BODY]
    if len(bodied) < 3:
        return set()
    identical: Counter = Counter()
    offsets: Counter = Counter()
    for number in bodied:
        lines = lines_of[number]
        ends = [lines[position] for position in _ends(lines)]
        identical.update(set(ends))
        offsets.update({(template, value - number) for line in ends for template, value in _numbered(line)})
    enough = MOST * len(bodied)
    running = {line for line, count in identical.items() if count >= enough}
    paging = {key for key, count in offsets.items() if count >= enough and _beside_a_page_number(key[0])}
    dropped = set()
    for number in numbers:
        lines = lines_of[number]
        for position in _ends(lines):
            line = lines[position]
            if line in running or any((template, value - number) in paging for template, value in _numbered(line)):
                dropped.add((number, position))
    return dropped


def _pdf_date(value: str) -> str:
    """``D:20250304...`` as ``2025-03-04``; empty when it is not a date, or not a day: a
    CreationDate of only a year or a month (``D:2019``, ``D:201905``) names no day, and the
    first of the month would be one made up (as the HTML path, a date without its day is
    no publication date)."""
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})(\d{2})", value or "")
    if not match:
        return ""
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return ""


# No PDF was written before the format was published (1993): an earlier CreationDate is a
# writer's zero date (the Unix epoch, D:19700101, that of a writer with no clock; year 1,
# D:00010101000000Z) or a clock set wrong, not when the file was made.
FIRST_PDF_DAY = date(1993, 1, 1)


# How far from the day a PDF is read its CreationDate may fall and still be the moment the file
# was made, not published: a day either way, for the time zones of the writer and the server.
MADE_WHEN_READ = timedelta(days=1)


def publication_date(created: str, *, read_on: date) -> str:
    """The publication date a PDF's CreationDate (``created``) gives, as ``2025-03-04``, or
    ``""`` when it gives none.

    A PDF's CreationDate is when the file was written, which for a report is about when it
    was published, but for a page printed from a browser, a document exported or converted
    (Word's "Save as PDF", a print driver) is the moment of printing: a designer printing a
    page and uploading it gets the day of the upload as its publication date. So a
    CreationDate within ``MADE_WHEN_READ`` of ``read_on``, the day the file is read, is
    taken for that moment and gives no date (the person uploading fills it in); an older one
    is kept, as the date of an old report is. A report published today and uploaded today
    loses its date: a blank is the cheaper mistake, as a wrong date looks like a right one.
    ModDate is no fallback: it is the CreationDate or later, never nearer publication. A
    CreationDate without its day (``D:2019``) gives none, nor does one before the format
    existed (``FIRST_PDF_DAY``: the Unix epoch ``D:19700101000000Z`` and year 1
    ``D:00010101000000Z``, what broken writers put for want of a time)."""
    day = _pdf_date(created)
    if day and date.fromisoformat(day) < FIRST_PDF_DAY:
        return ""
    if day and abs(date.fromisoformat(day) - read_on) <= MADE_WHEN_READ:
        return ""
    return day


def _metadata_value(document, key: str) -> str:
    """The ``key`` entry of the document's Info dictionary; empty when absent or unreadable.

    Metadata only fills the blanks of a source: a document whose text layer is fine is read
    whatever its Info dictionary holds. ``get_metadata_dict`` decodes PDFium's UTF-16
    strictly, so one lone surrogate in a title (``<FEFFD800...>``) failed the whole file;
    here it becomes U+FFFD, as one in the text layer does, and the rest of the value is kept.
    """
    tag = key.encode("ascii") + b"\x00"
    return _pdfium_text(lambda buffer, size: pdfium_raw.FPDF_GetMetaText(document.raw, tag, buffer, size), f"metadata {key}")


def _language(document) -> str:
    """The language the document's catalog declares (``/Lang``, as ``fr-FR``), as written;
    empty when it declares none (``extract._metadata`` makes it a tag, as an HTML page's
    ``lang``, or leaves it blank when it is none)."""

    def read(buffer, size: int) -> int:
        as_units = None if buffer is None else ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
        return pdfium_raw.FPDFCatalog_GetLanguage(document.raw, as_units, size)

    return _pdfium_text(read, "language")


def _pdfium_text(read, what: str) -> str:
    """A string PDFium writes in UTF-16 (``read(buffer, size)`` writes it and gives its size
    in bytes, its NUL included; asked with no buffer, the size alone); empty when there is
    none or it cannot be read (bad metadata is no reason to refuse the text). A lone
    surrogate becomes U+FFFD, the rest of the string kept."""
    try:
        size = read(None, 0)
        if size <= 2:  # only the terminating NUL: no such entry, or an empty one
            return ""
        buffer = ctypes.create_string_buffer(size)
        read(buffer, size)
        return without_lone_surrogates(buffer.raw[: size - 2].decode("utf-16-le", errors="surrogatepass"))
    except Exception as error:  # noqa: BLE001 - bad metadata is no reason to refuse the text
        logger.info("PDF %s unreadable: %r", what, error)
        return ""


# PDFium keeps every object of a document it has parsed (a page's pictures among them)
# until the document is closed: the document is opened anew once the pages read since it
# was opened hold this many bytes of pictures, or this many drawn objects, so that a report
# of many illustrated pages costs a few of its pages in memory, not all of them. Not after
# a set number of pages: loading page n of a document just opened costs time in proportion
# to n, and a reading reopened every 8 pages took time in the square of their number (a
# 5,000-page text 14 s, against 1 s opened once).
PICTURE_BYTES_PER_OPENING = 8 << 20
OBJECTS_PER_OPENING = 200_000


def _native(function, result, *arguments):
    """A PDFium function declared to take and give objects as their addresses (numbers):
    pypdfium2's declarations make a pointer object of each, and a form drawn a thousand
    times, a hundred objects each, is a hundred thousand objects, each asked a few
    questions (``_layers``): those pointer objects had cost more than PDFium's answers."""
    return ctypes.CFUNCTYPE(result, *arguments)(ctypes.cast(function, ctypes.c_void_p).value)


def _address(handle) -> int | None:
    """The address of a PDFium handle pypdfium2 gives (None for none)."""
    return ctypes.cast(handle, ctypes.c_void_p).value


_Address = ctypes.c_void_p
_OBJECT_TYPE = _native(pdfium_raw.FPDFPageObj_GetType, ctypes.c_int, _Address)
_COUNT_MARKS = _native(pdfium_raw.FPDFPageObj_CountMarks, ctypes.c_int, _Address)
_SET_ACTIVE = _native(pdfium_raw.FPDFPageObj_SetIsActive, ctypes.c_int, _Address, ctypes.c_int)
_DESTROY = _native(pdfium_raw.FPDFPageObj_Destroy, None, _Address)
_REMOVE_FROM_PAGE = _native(pdfium_raw.FPDFPage_RemoveObject, ctypes.c_int, _Address, _Address)
_REMOVE_FROM_FORM = _native(pdfium_raw.FPDFFormObj_RemoveObject, ctypes.c_int, _Address, _Address)
_FORM_COUNT = _native(pdfium_raw.FPDFFormObj_CountObjects, ctypes.c_int, _Address)
_FORM_OBJECT = _native(pdfium_raw.FPDFFormObj_GetObject, _Address, _Address, ctypes.c_ulong)
_ADD_MARK = _native(pdfium_raw.FPDFPageObj_AddExistingMark, ctypes.c_int, _Address, _Address)
_PIXEL_SIZE = _native(
    pdfium_raw.FPDFImageObj_GetImagePixelSize, ctypes.c_int, _Address, ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint)
)


# A page of more drawn objects than this is crowded: it is looked through object by object
# (its pictures' bytes summed, its layers looked at, ``_layers``) only while the document's
# ``CROWDED_OBJECTS_LOOKED_AT`` last, about 25 microseconds an object. Past them it is
# counted by its objects alone, and its layers' text kept: 700 pages of 5,000 shapes, each
# looked through, had taken past the time a PDF is given (too_complex).
PICTURES_COUNTED_UP_TO = 1000
CROWDED_OBJECTS_LOOKED_AT = 100_000


def _drawn_objects(page, crowded_left: int = 0) -> tuple[int, list]:
    """How many objects the page draws (a form counted as one), and the objects, one call
    each; none on a page of more than ``PICTURES_COUNTED_UP_TO`` but ``crowded_left`` (what
    remains of ``CROWDED_OBJECTS_LOOKED_AT``). Its pictures are counted (``_held``) and its
    layers looked at (``_layers``) in this one walk."""
    count = pdfium_raw.FPDFPage_CountObjects(page.raw)
    if count > PICTURES_COUNTED_UP_TO and count > crowded_left:
        return count, []
    return count, [_address(pdfium_raw.FPDFPage_GetObject(page.raw, number)) for number in range(count)]


def _held(count: int, objects: list) -> tuple[int, int]:
    """What a page of ``count`` drawn objects (``_drawn_objects``) leaves PDFium holding
    until its document is closed: its drawn objects, and its pictures' size, a byte a pixel
    (on a page looked through, ``_drawn_objects``; a crowded page past the allowance reopens
    the document soon enough by its objects alone). Their sizes in pixels, not their bytes:
    asked for its bytes, PDFium reads a picture's stream, and the reader's own peak for one
    page of a 50 MB picture went from 79 to 143 MB."""
    pictures = 0
    width, height = ctypes.c_uint(), ctypes.c_uint()
    for item in objects:
        if _OBJECT_TYPE(item) == pdfium_raw.FPDF_PAGEOBJ_IMAGE and _PIXEL_SIZE(item, ctypes.byref(width), ctypes.byref(height)):
            pictures += width.value * height.value
    return count, pictures


# The layers (optional content) of a crowded page past the document's allowance
# (``CROWDED_OBJECTS_LOOKED_AT``) are not looked at, as its pictures are not counted: its
# text is kept, layers off by default included. The layers of a page are tried
# ``LAYERS_TRIED`` to a drawing of it (each is a square in it), as many drawings as it takes.
LAYERS_TRIED = 100
# Drawings of a page past its first, to try its layers (past ``LAYERS_TRIED``, or inside its
# forms), this many in one document: each costs about 4 ms on a page of 1,000 objects, and a
# layer marked anew 999 times on each of 600 pages (each mark a layer to PDFium's interface)
# had taken 10 drawings a page and past the time a PDF is given. Past them, a page is drawn
# once, as it had been: its first ``LAYERS_TRIED`` layers tried, the others' text kept, and
# the layers inside its forms not looked at.
FURTHER_DRAWINGS = 500
# Of the objects inside forms (form XObjects, and forms inside them), this many in one
# document are looked at for layers: a form drawn a thousand times on each of many pages,
# each time a thousand objects, would cost millions of calls. Past it, the text inside the
# forms not yet looked at is kept.
FORM_OBJECTS_LOOKED_AT = 100_000


# ``FPDFPageObjMark_GetName`` declared to take the mark's address as a number (as
# ``_OBJECT_MARK`` gives it): a ``ctypes.cast`` a mark cost more than PDFium's answer.
_MARK_NAME = _native(pdfium_raw.FPDFPageObjMark_GetName, ctypes.c_int, _Address, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p)
# A layer's mark's name, as PDFium writes it: UTF-16LE and its end.
_LAYER_MARK_NAME = "OC\0".encode("utf-16-le")


class _LayerMarks:
    """Tells a layer's mark (``/OC ... BDC``) from others by its name, one call a mark, into
    a buffer just large enough for that name (PDFium writes a longer name nowhere, and says
    its length): a form drawn a thousand times holds a hundred thousand marks."""

    def __init__(self):
        self.buffer = ctypes.create_string_buffer(len(_LAYER_MARK_NAME))
        self.size = ctypes.c_ulong()
        self.size_address = ctypes.addressof(self.size)

    def is_layer(self, address: int) -> bool:
        named = _MARK_NAME(address, self.buffer, len(_LAYER_MARK_NAME), self.size_address)
        return bool(named) and self.size.value == len(_LAYER_MARK_NAME) and self.buffer.raw == _LAYER_MARK_NAME


# ``FPDFPageObj_GetMark`` declared to give the mark's address as a number: the objects of one
# marked sequence (``/OC /name BDC ... EMC``) share their mark, whose name is read once.
_OBJECT_MARK = _native(pdfium_raw.FPDFPageObj_GetMark, _Address, _Address, ctypes.c_ulong)


def _layers(placed: list[tuple]) -> dict[tuple, list[tuple]]:
    """The text and forms in layers, of ``placed`` objects (``(form or None, object)``: the
    form holding the object, or none for the page's own): for each set of layer marks
    (``/OC ... BDC``, by their addresses), the objects marked so. A mark of content inside a
    form is the form's own (an object in it does not carry the marks around the form's
    ``Do``): each level of forms is looked at in turn (``_without_hidden_layers``)."""
    layered: dict[tuple, list[tuple]] = {}
    optional: dict[int, bool] = {}  # a mark's address: whether it is a layer's
    is_layer = _LayerMarks().is_layer
    marked_kinds = (pdfium_raw.FPDF_PAGEOBJ_TEXT, pdfium_raw.FPDF_PAGEOBJ_FORM)
    for holder, item in placed:
        # Most objects have no mark: their count first, their kind only for those that have.
        count = _COUNT_MARKS(item)
        if count <= 0 or _OBJECT_TYPE(item) not in marked_kinds:
            continue
        key = ()
        for index in range(count):
            if mark := _OBJECT_MARK(item, index):
                layer = optional.get(mark)
                if layer is None:
                    layer = optional[mark] = is_layer(mark)
                if layer:
                    key += (mark,)
        if key:
            entries = layered.get(key)
            if entries is None:
                layered[key] = [(holder, item)]
            else:
                entries.append((holder, item))
    return layered


# Each layer tried is a square of this many pixels in one drawing of the page.
PROBE_PIXELS = 4


def _shown_layers(page, layers: list[tuple], shown: Box) -> list[bool]:
    """Whether a viewer shows what is drawn with each set of layer marks, the page's other
    objects set aside (inactive): PDFium draws a layer as the document's default configuration
    sets it, and its text does not. Each set marks a black square of its own in a grid over
    the page, and the page is drawn once, level: a square drawn is a layer shown."""
    columns = math.isqrt(len(layers) - 1) + 1
    width, height = (shown[2] - shown[0]) / columns, (shown[3] - shown[1]) / columns
    probes = []
    try:
        for number, marks in enumerate(layers):
            row, column = divmod(number, columns)
            left, top = shown[0] + column * width, shown[3] - row * height
            probe = pdfium_raw.FPDFPageObj_CreateNewRect(left + width / 4, top - 3 * height / 4, width / 2, height / 2)
            probes.append(probe)
            pdfium_raw.FPDFPageObj_SetFillColor(probe, 0, 0, 0, 255)
            pdfium_raw.FPDFPath_SetDrawMode(probe, pdfium_raw.FPDF_FILLMODE_WINDING, False)
            for mark in marks:
                _ADD_MARK(probe, mark)
            pdfium_raw.FPDFPage_InsertObject(page.raw, probe)
        scale = columns * PROBE_PIXELS / max(1.0, min(shown[2] - shown[0], shown[3] - shown[1]))
        # Drawn level: the page's own turn undone, so that the grid's rows are the bitmap's.
        bitmap = page.render(
            scale=scale, rotation=(360 - page.get_rotation()) % 360, grayscale=True, may_draw_forms=False, draw_annots=False
        )
        try:
            pixels = bytes(bitmap.buffer)
            found = []
            for number in range(len(layers)):
                row, column = divmod(number, columns)
                x = min(bitmap.width - 1, int((column + 0.5) * bitmap.width / columns))
                y = min(bitmap.height - 1, int((row + 0.5) * bitmap.height / columns))
                found.append(pixels[y * bitmap.stride + x * bitmap.n_channels] < 128)
            return found
        finally:
            bitmap.close()
    finally:
        for probe in probes:
            if pdfium_raw.FPDFPage_RemoveObject(page.raw, probe):
                pdfium_raw.FPDFPageObj_Destroy(probe)


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector held off, then set back as it was: looking at the
    layers of a page whose forms hold a hundred thousand objects makes as many small tuples,
    none in a cycle (reference counting frees them), and the collector, run every few
    hundred of them, went through every object the process holds (Django's among them)
    again and again: a fifth of the time of such a page."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _without_hidden_layers(page, objects: list, shown: Box, forms_left: int = 0, drawings_left: int = 0) -> tuple[int, int]:
    """Takes off the page the text (and forms) of layers a viewer hides until a reader
    turns them on (optional content off in the document's default configuration, ``/D
    /OFF``): PDFium's text has it, its drawing has not. The configuration is not within reach
    of PDFium's interface, its drawing is: a square marked as each layer's text is marked is
    drawn, the page's objects set aside, ``LAYERS_TRIED`` layers to a drawing (``_hidden_of``).
    Only the layer decides: text drawn invisible (an OCR layer over a scan), white or
    clipped, in a layer shown or in none, is kept.

    The page's own objects first, then those inside the forms kept, a level of forms at a
    time (a form inside a form is the next level): a hidden form goes whole, and text
    marked hidden inside a form shown is taken out of that form. Each drawing of a form
    (``Do``) is an object of its own, its content read anew: a form drawn twice, once in a
    layer hidden and once not, keeps its text once. Nothing learnt of one drawing serves the
    next: PDFium gives each drawing new objects and new marks, and nothing that tells two
    drawings of one form from drawings of two forms, so a form drawn a thousand times is
    looked inside a thousand times. Up to ``forms_left`` objects inside forms
    are looked at (what remains of the document's ``FORM_OBJECTS_LOOKED_AT``), and the page
    is drawn once and up to ``drawings_left`` times more (what remains of
    ``FURTHER_DRAWINGS``); returns how many objects inside forms were looked at, and how many
    drawings past the first were made.

    Not read: a form's own layer, the ``/OC`` entry of its dictionary (an optional content
    group or membership dictionary, PDF 32000-1 §8.11.3.3), as against the marks around its
    ``Do`` or inside it. PDFium's drawing honours it (``CPDF_RenderStatus::ProcessForm``
    draws nothing of such a form), its text does not; PDFium's interface reaches neither the
    form's dictionary nor its stream, and has no way to put an object of ours inside a form,
    to be drawn under that entry (a square can only carry marks that exist, and the entry is
    no mark). So the text of a form hidden by its own entry is kept."""
    with _collector_paused():
        level = [(None, item) for item in objects]
        looked_at = made = 0
        while level:
            hidden, drawings = _hidden_of(page, level, objects, shown, 1 + drawings_left - made)
            made += drawings
            for holder, item in hidden:
                removed = _REMOVE_FROM_PAGE(page.raw, item) if holder is None else _REMOVE_FROM_FORM(holder, item)
                if removed:
                    _DESTROY(item)
            if made > drawings_left or looked_at >= forms_left:
                break  # no drawing left for the forms' layers, or no object to look at: their text is kept
            if hidden:
                gone = {item for _, item in hidden}  # destroyed: not to be asked again
                objects = [item for item in objects if item not in gone]
                level = [(holder, item) for holder, item in level if item not in gone]
            forms = [item for _, item in level if _OBJECT_TYPE(item) == pdfium_raw.FPDF_PAGEOBJ_FORM]
            level = []
            for form in forms:
                count = _FORM_COUNT(form)
                if looked_at + count > forms_left:
                    break
                looked_at += count
                level += [(form, _FORM_OBJECT(form, number)) for number in range(count)]
    return looked_at, max(0, made - 1)


def _hidden_of(page, placed: list[tuple], objects: list, shown: Box, drawings: int) -> tuple[list[tuple], int]:
    """Of ``placed`` objects (``_layers``), those in a layer a viewer hides, found in up to
    ``drawings`` drawings of the page (the page's own ``objects`` set aside); and how many
    drawings that took. A drawing tries ``LAYERS_TRIED`` layers, a square each, and one
    square more marked with every mark of the layers left (PDFium draws an object only if
    all its layers are shown): drawn, they are all shown, and no further drawing is needed.
    A layer marked anew around each object (999 ``/OC /oc1 BDC ... EMC`` of one layer are 999
    marks, told apart by their addresses alone: PDFium's interface gives a mark's parameters
    that are strings or numbers, not the names and arrays that say which layer it is) is
    tried in one drawing while the layer is shown. Layers not tried keep their text."""
    layered = list(_layers(placed).items())
    if not layered or drawings <= 0:
        return [], 0
    for item in objects:
        _SET_ACTIVE(item, False)
    seen: list[bool] = []
    made = 0
    try:
        while len(seen) < len(layered) and made < drawings:
            batch = layered[len(seen) : len(seen) + LAYERS_TRIED]
            left = layered[len(seen) + LAYERS_TRIED :]
            squares = [marks for marks, _ in batch]
            if left:
                squares.append(tuple(dict.fromkeys(mark for marks, _ in left for mark in marks)))
            found = _shown_layers(page, squares, shown)
            made += 1
            seen += found[: len(batch)]
            if left and found[-1]:
                seen += [True] * len(left)
    finally:
        for item in objects:
            _SET_ACTIVE(item, True)
    return [entry for (_, entries), shown_layer in zip(layered, seen) if not shown_layer for entry in entries], made


def _opened(stream: BinaryIO):
    try:
        return pdfium.PdfDocument(stream)
    except pdfium.PdfiumError as error:
        message = str(error)
        if "password" in message.lower():
            raise ExtractionError("The PDF is encrypted with a password.", code="unreadable_pdf") from error
        if message.endswith("(PDFium: Success)."):
            # PDFium loads no document that has no page, and names no error for it.
            raise ExtractionError("The PDF could not be read: it has no page that loads.", code="unreadable_pdf") from error
        raise ExtractionError(f"The PDF could not be read ({message}).", code="unreadable_pdf") from error


# PDFium's memory follows what a page draws, not the size of the file: a 150 KB PDF whose one
# page inflates to 50 MB of drawing operators took 625 MB to load (PDFium builds an object
# for each). So a PDF is read in a child process, within ``MEMORY_MB`` of address space and
# ``SECONDS`` of time: a file that needs more is refused, and a crash of PDFium on a broken
# file is the child's. ``read_pdf`` reads in this process (the child's work).
MEMORY_MB = 1024
# Under a server's request timeout (gunicorn's is 30 s); a 100-page report takes 0.6 s.
SECONDS = 20
_ROOT = Path(__file__).resolve().parents[2]
_CHILD = "from sources.ingest.pdf import _child; _child()"


def extract_pdf(stream: BinaryIO) -> tuple[str, dict]:
    """(text, metadata) of a PDF with a text layer, read in a child process; metadata
    keys: title, authors, published_on, language."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        shutil.copyfileobj(stream, copy, 1 << 20)
        copy.flush()
        try:
            tables = "tables" if settings.SOURCE_PDF_TABLES else ""
            child = subprocess.run(
                [sys.executable, "-c", _CHILD, copy.name, str(MEMORY_MB), str(SECONDS), tables],
                capture_output=True,
                timeout=SECONDS + 5,
                cwd=_ROOT,
                env={**os.environ, "PYTHONPATH": str(_ROOT)},
            )
        except subprocess.TimeoutExpired as error:
            raise ExtractionError(
                f"Reading the PDF took more than {SECONDS} seconds; its pages draw too much to be read.",
                code="too_complex",
            ) from error
    try:
        answer = json.loads(child.stdout)
    except ValueError:
        answer = None
    if child.returncode != 0 or not isinstance(answer, dict):
        logger.info("PDF reader ended with %s: %s", child.returncode, child.stderr[-2000:])
        raise ExtractionError(
            f"The PDF could not be read within {MEMORY_MB:,} MB of memory and {SECONDS} seconds "
            "(a page that draws too much, or a broken file).",
            code="too_complex",
        )
    if "error" in answer:
        raise ExtractionError(answer["error"]["message"], code=answer["error"]["code"])
    return answer["text"], answer["metadata"]


def _child() -> None:
    """The child process of ``extract_pdf``: reads the PDF named by its first argument within
    the limits of the next two, and writes its answer, or its refusal, as JSON."""
    path, memory_mb, seconds, tables = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "tables"
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    try:
        with open(path, "rb") as stream:
            text, metadata = read_pdf(stream, tables=tables)
        answer = {"text": text, "metadata": metadata}
    except ExtractionError as error:
        answer = {"error": {"code": error.code, "message": error.message}}
    sys.stdout.write(json.dumps(answer))


def read_pdf(stream: BinaryIO, *, tables: bool = False) -> tuple[str, dict]:
    """(text, metadata) of a PDF with a text layer, read in this process; metadata keys:
    title, authors, published_on, language. ``tables``: a table drawn row by row read a row
    a line (``pdf_tables``; the setting ``SOURCE_PDF_TABLES``)."""
    with _PDFIUM:
        document = _opened(stream)
        try:
            count = len(document)
            if count > MAX_PAGES:
                raise ExtractionError(f"The PDF has {count:,} pages; at most {MAX_PAGES:,} are read.", code="too_many_pages")
            info = {key: _metadata_value(document, key) for key in ("Title", "Author", "CreationDate")}
            language = _language(document)
            pages = []
            budget = TypedOrderBudget()
            objects = pictures = 0  # held since the document was opened
            crowded_left, forms_left, drawings_left = CROWDED_OBJECTS_LOOKED_AT, FORM_OBJECTS_LOOKED_AT, FURTHER_DRAWINGS
            for number in range(count):
                if objects >= OBJECTS_PER_OPENING or pictures >= PICTURE_BYTES_PER_OPENING:
                    document.close()
                    document = _opened(stream)
                    objects = pictures = 0
                page = document[number]
                try:
                    count, drawn = _drawn_objects(page, crowded_left)
                    if count > PICTURES_COUNTED_UP_TO and drawn:
                        crowded_left -= count
                    held = _held(count, drawn)
                    objects, pictures = objects + held[0], pictures + held[1]
                    shown = _shown(page)
                    looked_at, further = _without_hidden_layers(page, drawn, shown, forms_left, drawings_left)
                    forms_left, drawings_left = forms_left - looked_at, drawings_left - further
                    textpage = page.get_textpage()
                    if page.get_rotation() and _drawn_level(textpage):
                        # A page turned for display with its text drawn level on it (a
                        # landscape page set upright): PDFium, reading the turned page, gave
                        # the text's lines last first. Read as it is drawn, as the boxes are.
                        textpage.close()
                        page.set_rotation(0)
                        textpage = page.get_textpage()
                    if page.get_rotation():
                        # Text drawn turned, and the page turned to show it level: the boxes
                        # stand across the lines, which no cut of them finds; PDFium reads
                        # its lines in order (in a box it ran two of them together).
                        pages.append(_lines_as_pdfium_reads(textpage))
                    else:
                        pages.append(_page_blocks(textpage, shown, find_tables=tables, budget=budget))
                    textpage.close()
                finally:
                    page.close()
        except ExtractionError:
            raise
        except Exception as error:  # noqa: BLE001 - PDFium's refusal of a broken file
            logger.info("PDF extraction failed: %r", error)
            raise ExtractionError(f"The PDF could not be read ({error}).", code="unreadable_pdf") from error
        finally:
            document.close()
    running = _running_lines(pages)
    paragraphs: list[str] = []
    for number, blocks in enumerate(pages):
        position = 0
        for block in blocks:
            kept = [line for offset, line in enumerate(block, position) if (number, offset) not in running]
            position += len(block)
            if kept:
                paragraphs.append("\n".join(kept))
    text = normalise_extracted("\n\n".join(paragraphs))
    if not any(character.isalnum() for character in text):
        raise ExtractionError(
            "The PDF has no text layer (scanned pages?); text is not recognised from images, so there is nothing to store.",
            code="no_text_layer",
        )
    metadata = {
        "title": info.get("Title", ""),
        "authors": info.get("Author", ""),
        "published_on": publication_date(info.get("CreationDate", ""), read_on=date.today()),
        "language": language,
    }
    return text, metadata
