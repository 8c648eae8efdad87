"""Tables in a PDF page, found from the boxes of its runs of text alone, so that a table
drawn row by row is read a row a line, its cells left to right, as a browser copies a
table (cells apart by a tab, rows by a line break), and not a column at a time, as the
page's XY cut reads columns (``pdf._reading_order``).

A table is where runs line up in at least two columns over at least three rows: a line of
the page (runs sharing a baseline) split in two or more pieces by gaps of at least a
column gutter starts it, and the lines below it that leave those gutters empty, no
further apart than ``ROW_APART`` and of its type size, go on with it. Its rows are told
from its lines by the distance from one line's top to the next (a row's is a line's and
its cells' padding). A page without three lines split by a gutter is not looked at
further, so that prose costs no more to read; what is not found is read as before.

Not every set of columns is a table. A column of text (wide, its lines filling it: prose
beside a table, a definition, a chat message) at the side is left out, and one between
others makes no table; so is a note at the side, a few lines at a paragraph's leading,
closer than the table's rows. A list item's short last line, set in past its number,
beside a row of the other columns and below a line filling the column, is of an item
wrapped over two of their rows, and counts as filling it; and a wide column going on
alone above or below the others' lines, more lines than it stands alone between them and
more than one paragraph, is text however its lines fill it (``_runs_on``): a recipe's
numbered steps beside its ingredients and their quantities had been read as a third
column of the ingredients' table, its rows merged. A table needs a column after its first
set flush right holding figures: labels and values, terms and definitions, an index or a
list set in columns, all flush left, and narrow columns of text set flush right, are read
a column at a time as before (a browser copies such layouts an item a line). Two tables
side by side, a gutter more than twice as wide as their columns' between them, are two;
one more than ``SIDE_BY_SIDE`` times as wide makes none (``_maybe_side_by_side``); two
halves alike (a menu or a contents page in two columns, a payslip's two halves under a
line above both) are none, and two whose halves hold labels then figures, a row filling
one half only, or the gutter between the halves wider than the narrowest within them
(``_halves_unlike``, ``_halves_apart``), are two, the left read first, each half's rows
found again from its own lines (a single table's column of text after its figures stands
its cells' padding from them, as its other columns stand apart). A list of entries with a
value each set flush right (a contents page's page numbers, a price list's leader dots, a
spec sheet's units: ``_a_list_of_entries``) is none, which a browser copies an entry and
its value a line each; a list of figures below a contents page, its pages starting again
below its heading, is of the list. A table set above or below such a list, narrower than
its entries, whose lines went on with the list's, is looked for among its own lines
(``_tables_below_entries``). Lines with text at both ends (a flex row's items: a menu's
dish and its price, a contents page's title and page) are none either, which a browser
copies an item a line (``_two_ends``): rows ending at different widths, each line filling
the first column and one other, a column between the first and the last most of whose
pieces stand alone on their lines (a heading centred across the gutter), or two columns,
the first with lines alone no wrapped cell's are (a centred paragraph, a paragraph below
a short title wider than a wrapped line's next can be). Running heads and page numbers
are no rows: a first or last row with more than one cell empty, set further from the next
than the table's rows are, is left out, and so is a last line of one piece below a table
none of whose cells wraps (a page number set closer than a row). A footnote mark raised
beside a figure is of the figure's line (``_marks_joined``). A heading set just above a
table, or above each of two side by side, outside its cells' padding, is no line of its
header's first cell: it is left out of the table and read as before, a line of its own
(``_headings``).

A label centred beside the two or three rows it spans (``rowspan``) is read in the first
of them, and the rows below without its cell (``Spanned``), as a browser copies them
(``_spans_joined``, ``_spans_of_three``). A label set at the top of the rows it spans
stands as a label of its first row beside empty cells below, and is read so, the cells
below empty; so is a column whose labels the boxes leave in doubt.

A table's columns are the gutters its lines leave empty. A header cell spanning two
columns leaves the gutter its lines below leave empty between them, and is one cell of its
row (``_region_gutters``, ``_spans_merged``); columns of figures closer than a gutter are
told from a space within a figure by their gaps, which differ from row to row
(``_tight_gutters``); a header set apart from its column's cells is of their column, not
a column of its own (each row an empty cell more): one set flush left over figures set
flush right, and one centred or set flush right over cells set flush left
(``_headers_over_figures``). A cell of the body spanning columns ("Total" set flush right
across three) stands where a cell of its last column would, its boxes those of a row
whose cells before it are empty: it is read so, "\t\tTotal", where a browser copies
"Total" (only the borders, which are no text, tell the two apart).

A right-to-left table (most of its cells beginning with Hebrew or Arabic letters, every
cell of its rightmost column so, that column no figures) is read with each row's cells
from the right, as a browser copies them (``_right_to_left``). A mark standing alone in a
cell (a timetable's "|", narrow, no letter nor digit) is no piece that makes or narrows a
gutter; it is read in the column it stands flush with (``_lone_marks``, ``_mark_places``).

Plain logic on boxes ``(left, bottom, right, top, index)``: no PDFium, no Django.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from . import bidi

GUTTER = 9.0  # points: the narrowest gap that sets cells apart, as the XY cut's columns
# Points: the narrowest gap between columns of figures set with little padding (Chromium's
# cells of 2 and 3 pixels' padding, 5.3 to 5.9 points apart), told from a space within a
# cell by the gaps' widths (``_tight_gutters``).
TIGHT_GUTTER = 4.5
ROWS = 3  # rows of two cells or more that make a table
ROW_APART = 2.2  # line heights: the widest gap between two lines of a table
ROW_PADDING = 1.5  # points: gaps between lines wider by more than this are a row's and a line's
FILLED = 0.75  # a piece of a line this much of its column's width fills it
PROSE_WIDTH = 20  # line heights: a column this wide whose lines fill it is a column of text
ALIGNED = 1.5  # points: pieces ending this close to each other are flush right
NUMBER_WIDTH = 12  # line heights: the widest column of figures
SAMPLED = 8  # pieces of a column looked at for figures
MARK_WIDTH = 1.5  # line heights: the widest box of a footnote mark
MARKER_WIDTH = 3  # line heights: the widest list item's number ("12.") and the space after it
HEADER_LINES = 0.75  # of the rows' distance: the widest between a header's two lines
SPAN_CENTRED = 0.15  # of two lines' distance: the furthest a cell between them stands off their middle


@dataclass
class Table:
    """A table's boxes, its rows top to bottom, each row's cells in reading order, left to
    right, or right to left for a right-to-left table (``_right_to_left``) (a cell: its
    boxes, line by line, each line left to right; empty where the row has none)."""

    boxes: list
    rows: list[list[list]]

    @property
    def extent(self) -> tuple[float, float, float, float]:
        return (
            min(box[0] for box in self.boxes),
            min(box[1] for box in self.boxes),
            max(box[2] for box in self.boxes),
            max(box[3] for box in self.boxes),
        )


def _bands(boxes: list) -> list[list]:
    """The page's lines, top first, each its boxes left to right: a box joins the line whose
    first box it overlaps by more than half the lower of the two (a line's first box, not
    the line's extent: lines of two columns set a little apart would chain into one)."""
    bands: list[list] = []
    anchor = None
    for box in sorted(boxes, key=lambda box: -(box[1] + box[3])):
        if anchor is not None:
            overlap = min(anchor[3], box[3]) - max(anchor[1], box[1])
            if overlap > 0.5 * min(anchor[3] - anchor[1], box[3] - box[1]) or _of_a_word_in(box, bands[-1]):
                bands[-1].append(box)
                # A mark raised above its line (a footnote's "*", its centre the highest)
                # is no line's first box: the first of the line's type after it is.
                if anchor[3] - anchor[1] < 0.75 * (box[3] - box[1]):
                    anchor = box
                continue
        anchor = box
        bands.append([box])
    bands = _marks_joined(bands)
    for band in bands:
        band.sort(key=lambda box: box[0])
    return bands


# Of a glyph's height: the widest gap between two glyphs of one word, drawn one at a time.
WORD_GAP = 0.25


def _of_a_word_in(box: tuple, band: list) -> bool:
    """Whether a box stands on the line of a band's box it touches, as the next or the
    previous glyph of a word does (at most ``WORD_GAP`` of its height apart, overlapping it
    by a quarter of the lower's height): the glyphs of a row drawn one at a time, its label
    a few points below its figures (a footnote mark in the label's cell), had been dealt
    to two lines by their shapes, the x-height letters and a figure's point to one, the
    capitals and digits to the other ("144 4" and "." a line below)."""
    height = box[3] - box[1]
    for other in band:
        gap = max(box[0] - other[2], other[0] - box[2])
        if -WORD_GAP * height < gap < WORD_GAP * max(height, other[3] - other[1]):
            overlap = min(other[3], box[3]) - max(other[1], box[1])
            if overlap > 0.25 * min(height, other[3] - other[1]):
                return True
    return False


def _marks_joined(bands: list[list]) -> list[list]:
    """The bands with each line of marks (a footnote's ``*`` or ``1`` raised beside a
    figure: boxes of smaller type, each at most ``MARK_WIDTH`` of the line's heights wide)
    joined to the line of larger type it reaches into or stands just off (by at most a
    quarter of that line's height), the nearer of the two around it. Alone, a
    mark raised 4 points in 7-point type over a 10-point row was a line of its own: read
    before its figure ("* 12.5" for "12.5*"), and, its type too small for the table's,
    it ended the table there."""
    if len(bands) < 2:
        return bands
    heights = [_height(band) for band in bands]
    smaller = [
        number
        for number, height in enumerate(heights)
        if number and height < 0.75 * heights[number - 1] or number + 1 < len(heights) and height < 0.75 * heights[number + 1]
    ]
    if not smaller:
        return bands

    def extent(band: list) -> tuple[float, float]:
        return min(box[1] for box in band), max(box[3] for box in band)

    joined: list[list] = []
    into: list[int] = []  # the band each joined line began as
    candidates = set(smaller)
    for number, band in enumerate(bands):
        best, most = None, -float("inf")
        for other in (into[-1] if into else None, number + 1 if number + 1 < len(bands) else None) if number in candidates else ():
            if other is None or heights[number] >= 0.75 * heights[other] or any(box[2] - box[0] > MARK_WIDTH * heights[other] for box in band):
                continue
            (low, high), (other_low, other_high) = extent(band), extent(bands[other])
            overlap = min(high, other_high) - max(low, other_low)
            if overlap > max(most, -0.25 * heights[other]):
                best, most = other, overlap
        if best is None:
            joined.append(band)
            into.append(number)
        elif best == number + 1:
            bands[best] = [*bands[best], *band]
        else:
            joined[-1].extend(band)
    return joined


# Of its line's height: the widest box of a mark standing alone in a cell (a timetable's
# "|", a dash, a lone "x").
MARK_NARROW = 0.8


def _lone_marks(bands: list[list], text_of) -> set:
    """The indexes of the boxes that are marks standing alone: no wider than ``MARK_NARROW``
    of their line's height, at least ``TIGHT_GUTTER`` from the boxes beside them on a line
    of other boxes, holding neither letter nor digit (``text_of``: a box's text; without it
    there are none). A timetable's "|" (the train does not stop) set flush left in a column
    of times set flush right stands in the gutter before them; taken as any other piece,
    it had narrowed that gutter below a gutter's width, two columns read as one ("12:51
    13:39"), or cut it in two, an empty column more on every other row. A lone figure or
    letter ("9" in a column of quantities, a heading turned upright) is no such mark."""
    marks: set = set()
    if text_of is None:
        return marks
    for band in bands:
        if len(band) < 2:
            continue
        narrow = MARK_NARROW * _height(band)
        for number, box in enumerate(band):
            if (
                box[2] - box[0] <= narrow
                and (number == 0 or box[0] - band[number - 1][2] >= TIGHT_GUTTER)
                and (number + 1 == len(band) or band[number + 1][0] - box[2] >= TIGHT_GUTTER)
                and not any(character.isalnum() for character in text_of([box]))
            ):
                marks.add(box[4])
    return marks


def _marks_kept(region: list[list], bare: list[list], marks: set) -> list[list]:
    """The region's lines without their lone marks (``_lone_marks``) but those of a column
    of marks: a mark that marks on more than half of the region's lines overlap (itself
    one) is of a column of its own (a column of places numbered 1 to 9, a column of
    ticks), and stays in the lines."""
    found = [box for band in region for box in band if box[4] in marks]
    kept = {
        box[4]
        for box in found
        if 2 * len({number for number, band in enumerate(region) for other in band if other[4] in marks and other[0] <= box[2] and box[0] <= other[2]}) > len(region)
    }
    if not kept:
        return bare
    return [[box for box in band if box[4] not in marks or box[4] in kept] for band in region]


def _mark_places(region: list[list], gutters: list[tuple[float, float]], marks: set) -> dict:
    """Where each lone mark standing in a gutter of a table's is placed, by its index: the
    left edge of the column after the gutter when the column before it is set flush right
    (nothing of its cells stands right of its figures: a mark set flush left in the next
    cell), the right edge of the column before it when the column after it is set flush
    left. A mark between a column set flush left and one set flush right goes the way
    all the others went, if they all went one way (a timetable's marks are set alike,
    each flush left in its cell); elsewhere it is placed where it stands."""
    placed = _columns_of([[box for box in band if box[4] not in marks] for band in region], gutters)
    extents = _extents(placed)
    places: dict = {}
    went, undecided = set(), []  # the ways marks went (True: after their gutter); the rest
    for band in region:
        for box in band:
            if box[4] not in marks:
                continue
            for number, (low, high) in enumerate(gutters):
                if low <= box[0] and box[2] <= high:
                    if _flush(extents, number, right=True):
                        places[box[4]] = high
                        went.add(True)
                    elif _flush(extents, number + 1, right=False):
                        places[box[4]] = low
                        went.add(False)
                    else:
                        undecided.append((box[4], low, high))
    if len(went) == 1:
        after = went.pop()
        for index, low, high in undecided:
            places[index] = high if after else low
    return places


def _gaps(band: list, gutter: float = GUTTER) -> list[tuple[float, float]]:
    """The gaps of at least a gutter between the pieces of a line (its boxes left to right)."""
    gaps = []
    reach = band[0][2]
    for box in band[1:]:
        if box[0] - reach >= gutter:
            gaps.append((reach, box[0]))
        reach = max(reach, box[2])
    return gaps


def _narrowed(gutters: list[tuple[float, float]], band: list, narrowest: float = GUTTER) -> list[tuple[float, float]]:
    """The gutters that a line leaves empty, each narrowed to what the line leaves of it.
    The line's pieces, not its boxes: a figure Chromium drew in two runs ("1" and
    "1290.2 bn") reaching into a gutter had left it one point wide, the run nearer its
    one edge narrowing it from that side, the other from the other. ``narrowest``: the
    narrowest gutter kept, and the widest gap within a piece."""
    pieces: list[list[float]] = []
    for box in band:
        if pieces and box[0] - pieces[-1][2] < narrowest:
            pieces[-1][2] = max(pieces[-1][2], box[2])
        else:
            pieces.append([box[0], box[1], box[2]])
    kept = []
    for low, high in gutters:
        for box in pieces:
            if box[0] < high and box[2] > low:
                if box[2] - low < high - box[0]:
                    low = max(low, box[2])
                else:
                    high = min(high, box[0])
        if high - low >= narrowest:
            kept.append((low, high))
    return kept


def _height(band: list) -> float:
    """A line's type size: its tallest box's height (not its extent: a cell centred beside
    two lines of another stands half a line higher or lower)."""
    return max(box[3] - box[1] for box in band)


def _regions(bands: list[list], gaps: list[list], line_height: float, narrowest: float = GUTTER) -> list[tuple[int, int, list]]:
    """Runs of consecutive lines, ``(first, past the last, gutters)``, over which at least
    one gutter holds: started by a line of two pieces or more, continued by the lines below
    it, no further than ``ROW_APART`` and of its type size, that leave every gutter empty
    (lines of one piece too: a wrapped cell's, or a cell centred beside two lines of
    another), and ended by a line that crosses one. Each line's extent and type size are
    measured once: every page with three lines split by a gutter (prose in two columns)
    comes this far."""
    bottoms = [min(box[1] for box in band) for band in bands]
    tops = [max(box[3] for box in band) for band in bands]
    heights = [_height(band) for band in bands]
    widest = ROW_APART * line_height
    regions = []
    start = 0
    while start < len(bands):
        if not gaps[start]:
            start += 1
            continue
        gutters = gaps[start]
        height = heights[start]
        end = start + 1
        while end < len(bands):
            if bottoms[end - 1] - tops[end] > widest or not 0.6 < heights[end] / height < 1.6:
                break
            narrowed = _narrowed(gutters, bands[end], narrowest)
            if len(narrowed) < len(gutters):
                break
            gutters = narrowed
            end += 1
        regions.append((start, end, gutters))
        start = end
    return regions


def _neighbours(bands: list[list], gaps: list[list], start: int, end: int) -> tuple:
    """The lines just above and below a region's lines that are split by a gutter."""
    return tuple(bands[number] for number in (start - 1, end) if 0 <= number < len(bands) and gaps[number])


def _column_regions(bands: list[list], gaps: list[list], line_height: float, text_of=None) -> list[tuple[int, int, list]]:
    """The regions (``_regions``) a table's lines may make: each continued by lines that
    narrow a gutter to no less than ``TIGHT_GUTTER`` where each gutter the region held
    is a column of it (``_tight_gutters``), as a table's header further apart than its
    figures set with little padding; elsewhere the regions of gutters of ``GUTTER``, as
    before. A region of the narrower gutters whose columns they are not (a table whose
    cells nearly touch, some rows' closer than a gutter) had been read by rows in pieces."""
    regions = _regions(bands, gaps, line_height)
    tight = []
    for start, end, held in _regions(bands, gaps, line_height, TIGHT_GUTTER):
        if all(high - low >= GUTTER for low, high in held):
            continue
        region = bands[start:end]
        gutters = _tight_gutters(region, _region_gutters(region), text_of, _neighbours(bands, gaps, start, end))
        if all(any(low < high_held and low_held < high for low, high in gutters) for low_held, high_held in held):
            tight.append((start, end, held))
    if not tight:
        return regions
    kept = [region for region in regions if not any(region[0] < end and start < region[1] for start, end, _ in tight)]
    return sorted(kept + tight)


def _columns_of(bands: list[list], gutters: list, places: dict | None = None) -> list[list[list]]:
    """Each line's boxes by column: ``[line][column] -> boxes``; a lone mark of ``places``
    (``_mark_places``) by where it is placed."""
    edges = [(low + high) / 2 for low, high in gutters]
    places = places or {}
    placed = []
    for band in bands:
        cells: list[list] = [[] for _ in range(len(edges) + 1)]
        for box in band:
            cells[bisect.bisect_right(edges, places.get(box[4], box[0]))].append(box)
        placed.append(cells)
    return placed


# Lines at a table's top that may hold a header cell spanning columns (a year over a
# group's and a company's figures, over two units; a heading over years).
SPANNING_LINES = 2


def _region_gutters(region: list[list], gutter: float = GUTTER) -> list[tuple[float, float]]:
    """The gutters a region's lines leave empty, all of them; and, when a header cell
    spanning two columns or more (``colspan``) crosses one its lines below the header
    leave empty, that one too: each box of the header's lines that reaches into it spans
    it (``_spanning``), and ``ROWS`` lines or more stand below the header. Taken from all
    lines alone, "2023" centred over a group's and a company's figures had made one column
    of the two, "12,345 8,901" a cell. A header's box reaching into such a gutter without
    spanning it is a cell wider than its column's figures, no span: the columns are then
    all lines' gutters, as before. ``gutter``: the narrowest gap taken."""
    gutters = _gaps(sorted((box for band in region for box in band), key=lambda box: box[0]), gutter)
    for top in range(1, min(SPANNING_LINES, len(region) - ROWS) + 1):
        below = _gaps(sorted((box for band in region[top:] for box in band), key=lambda box: box[0]), gutter)
        crossed = [(low, high) for low, high in below if not any(low <= other[0] and other[1] <= high for other in gutters)]
        if not crossed:
            continue
        header = [box for band in region[:top] for box in band]
        if all(
            _spanning(box, low, high)
            for low, high in crossed
            for box in header
            if box[0] < high and box[2] > low
        ):
            return sorted(gutters + crossed)
        return gutters
    return gutters


def _headers_over_figures(region: list[list], gutters: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The gutters but those between a column of header cells alone (pieces on the first
    ``SPANNING_LINES`` lines at most, none below) and a column of body cells alone beside
    it (none on the header's lines, on ``ROWS`` lines or more): a header set apart from
    its column's cells stands as a column of its own, and each row had a phantom empty cell
    more. A header set flush left over figures set flush right in a wide column stands
    before them ("Revenue\t\t12,345"); a header centred (a ``<th>``'s default) or set
    flush right over cells set flush left stands after them ("\tPos" over
    "3\t\tGent SC"), a column after it: a table's unit set at the right above it, past its
    last column ("EUR million" beside its title), is no header. A header column between
    two columns of body cells alone is of the one before it when centred over it (a cell
    from that column's left edge, the header in its middle, ends before the next column's
    cells begin: "Pos" over ranks, then "Team" over short names), else of the one after
    it, as before."""
    bounds = [-float("inf"), *(edge for gutter in gutters for edge in gutter), float("inf")]
    held = [[box for band in region for box in band if left <= box[0] and box[2] <= right] for left, right in zip(bounds[::2], bounds[1::2])]
    lines = [
        {number for number, band in enumerate(region) if any(left <= box[0] and box[2] <= right for box in band)}
        for left, right in zip(bounds[::2], bounds[1::2])
    ]

    def over(header: int, body: int) -> bool:
        top = max(lines[header], default=len(region))
        return lines[header] == set(range(top + 1)) and top < SPANNING_LINES and not lines[body] & lines[header] and len(lines[body]) >= ROWS

    def centred_over(header: int, body: int) -> bool:
        middle = (min(box[0] for box in held[header]) + max(box[2] for box in held[header])) / 2
        return 2 * middle - min(box[0] for box in held[body]) <= min(box[0] for box in held[header + 1])

    joined = set()  # the header columns joined to the column after them
    for number in range(len(gutters)):
        if over(number, number + 1) and not (number and over(number, number - 1) and centred_over(number, number - 1)):
            joined.add(number)
    kept = []
    for number, gutter in enumerate(gutters):
        if number in joined or number + 2 < len(lines) and over(number + 1, number) and number + 1 not in joined:
            continue
        kept.append(gutter)
    return kept


def _spanning(box: tuple, low: float, high: float) -> bool:
    """Whether a box spans a gutter ``(low, high)``: it covers it but for less than
    ``TIGHT_GUTTER`` at either edge. "2023" centred over two columns of figures stands 2
    points off each; a header "Company" wider than the figures below it reaches into the
    gutter before them, 5.5 points off the column before it: a cell of its own column."""
    return box[0] < low + TIGHT_GUTTER and box[2] > high - TIGHT_GUTTER


def _tight_gutters(region: list[list], gutters: list[tuple[float, float]], text_of=None, neighbours: tuple = ()) -> list[tuple[float, float]]:
    """The gutters, with each gap of ``TIGHT_GUTTER`` to ``GUTTER`` every line of the region
    leaves empty that sets columns of figures apart: the column after it holds figures
    (``_holds_figures``) set flush right, and the gaps from the pieces before it to those
    after it, on ``ROWS`` lines or more, differ by more than ``ALIGNED`` twice (figures of
    different widths flush right). A space within a cell, "12 345" or "1 234 567" drawn in
    runs, stands at one place and is of one width on every line, and is no gutter; nor is
    a gap between figures all of one width, which cannot be told from such a space: those
    are read as before, the columns one. Nor is a gap that a line split by a gutter just
    above or below the region crosses (``neighbours``): a table whose cells nearly touch,
    some rows' cells closer than the gap, had been read by rows in pieces, the rows
    between them a column at a time. A header cell spanning two such columns leaves the
    gap between them open (``_region_gutters``)."""
    candidates = [
        gap
        for gap in _region_gutters(region, TIGHT_GUTTER)
        if not any(low < gap[1] and gap[0] < high for low, high in gutters)
        and not any(box[0] < gap[1] and box[2] > gap[0] for band in neighbours for box in band)
    ]
    if not candidates:
        return gutters
    bounds = sorted(gutters + candidates)
    kept = list(gutters)
    for number, (low, high) in enumerate(bounds):
        if (low, high) not in candidates:
            continue
        before = bounds[number - 1][1] if number else -float("inf")
        after = bounds[number + 1][0] if number + 1 < len(bounds) else float("inf")
        gaps, column = [], []
        for band in region:
            lefts = [box for box in band if before <= box[0] and box[2] <= low]
            rights = [box for box in band if high <= box[0] and box[2] <= after]
            if rights:
                column.append(rights)
            if lefts and rights:
                gaps.append(min(box[0] for box in rights) - max(box[2] for box in lefts))
        ends = [max(box[2] for box in cell) for cell in column]
        flush_right = sum(1 for end in ends if max(ends) - end < ALIGNED) >= 0.6 * len(ends)
        if len(gaps) >= ROWS and max(gaps) - min(gaps) > 2 * ALIGNED and flush_right and _holds_figures([[cell] for cell in column], 0, text_of):
            kept.append((low, high))
    return sorted(kept)


def _spans_merged(rows: list[list[list]], gutters: list[tuple[float, float]]) -> list[list[list]]:
    """The rows with the cells a box spans the gutter between (``_spanning``) made one (a
    header cell spanning columns: ``_region_gutters``), as a browser copies a cell spanning
    columns, one cell. A row no box of which spans a gutter keeps its cells."""
    merged = []
    for row in rows:
        crossed = {number for number, (low, high) in enumerate(gutters) for cell in row for box in cell if _spanning(box, low, high)}
        if not crossed:
            merged.append(row)
            continue
        cells = [list(row[0])]
        for number, cell in enumerate(row[1:]):
            if number in crossed:
                cells[-1].extend(cell)
            else:
                cells.append(list(cell))
        merged.append(cells)
    return merged


def _extents(placed: list[list[list]]) -> list[list[tuple[float, float, float, float] | None]]:
    """Each line's pieces by column, ``(left, right, bottom, top)``, None where it has none:
    measured once for all that is asked of the columns."""
    return [
        [(min(box[0] for box in cell), max(box[2] for box in cell), min(box[1] for box in cell), max(box[3] for box in cell)) if cell else None for cell in line]
        for line in placed
    ]


def _holds_figures(placed: list[list[list]], column: int, text_of) -> bool:
    """Whether most of a column's first ``SAMPLED`` pieces hold a digit (``text_of``: a
    piece's text from its boxes; without it every column holds figures). Two narrow
    columns of text set flush right, or a right-to-left script's, are no figures."""
    if text_of is None:
        return True
    sampled = [line[column] for line in placed if line[column]][:SAMPLED]
    needed, spared = (len(sampled) + 1) // 2, len(sampled) // 2
    for cell in sampled:
        if any(character.isdigit() for character in text_of(cell)):
            needed -= 1
        else:
            spared -= 1
        if needed <= 0 or spared < 0:
            break
    return needed <= 0


def _a_note(placed: list[list[list]], extents: list[list], column: int) -> bool:
    """Whether a column at a table's side is a note set beside it: a single line beside
    the table's rows, or two lines or more of text at one pitch (a paragraph's leading),
    closer than the table's lines mostly are. A
    note of three lines beside a table of five rows Chromium printed: 11.3 points from
    line to line, the rows 19.5 apart. A column of labels wrapped over lines is none: its
    lines are a line apart within a cell and a line and the cells' padding from cell to
    cell, two pitches.

    The column's lines, and the others', are each of their own boxes: lines of a list
    beside a table, at their own pitch, had made lines of the page together with the rows
    beside them (two of the list's in one, a figure's comma in another), and their pitches
    were no pitch."""
    if sum(1 for line in extents if line[column]) == 1:
        # One line of it in the table's rows, the rest above or below them.
        return len(extents) >= ROWS
    tops = [max(box[3] for box in band) for band in _bands([box for line in placed for box in line[column]])]
    if len(tops) < 2:
        # Its boxes one line of the page over two of the table's (a run as tall as both).
        return len(extents) >= ROWS
    others = [
        max(box[3] for box in band)
        for band in _bands([box for line in placed for number, cell in enumerate(line) if number != column for box in cell])
    ]
    pitches = sorted(above - below for above, below in zip(others, others[1:]))
    if not pitches:
        return False
    own = [above - below for above, below in zip(tops, tops[1:])]
    return max(own) - min(own) <= ROW_PADDING and max(own) < pitches[len(pitches) // 2] - ROW_PADDING


def _table_columns(placed: list[list[list]], gutters: list, line_height: float, text_of=None) -> list[tuple[int, int]]:
    """The columns that make tables, ``(first, last)`` of each, left to right; none when
    they make none.

    A column of text (wider than ``PROSE_WIDTH`` line heights, most of its lines filling
    it: prose beside a table, a definition's or a message's text) at either side is left
    out, one between the others makes no table; so is a note at either side (``_a_note``).
    A list item's last line, set in past its number, beside a piece in each other column
    and right below a line filling it, ends an item wrapped over two rows of theirs and
    counts as filling it, and a column going on alone beyond the others' lines
    (``_runs_on``) is text too: a recipe's steps, many of them two lines with a short last
    line, had filled too few lines to be one.
    What remains is a table when one of its columns after the first is right-aligned, with
    pieces of different widths holding figures: labels and values, terms and definitions,
    a chat log's times and names, entries of an index set in columns, all set flush left,
    and narrow columns of text set flush right, are read as text is, a column at a time, as
    a browser copies such layouts (an item a line). Two tables side by side are two: a
    column set flush left after one set flush right, behind a gutter more than twice as
    wide as any other of the two, starts a second when the columns on each side make a
    table (Chromium's two tables 43 points apart, their columns 13)."""
    columns = len(placed[0])
    extents = _extents(placed)
    text_column, aligned = [], []
    for column in range(columns):
        pieces = [line[column] for line in extents if line[column]]
        if not pieces:
            text_column.append(False)
            aligned.append(False)
            continue
        left = min(piece[0] for piece in pieces)
        right = max(piece[1] for piece in pieces)
        width = right - left
        fills = [bool(line[column]) and line[column][1] - line[column][0] >= FILLED * width for line in extents]
        # A list item's last line, set in to the item's text past its number (all such
        # lines to one edge), beside a row of the other columns, right below a line of it
        # filling it, ends an item wrapped over two rows of theirs: a table's cell wraps
        # within its row, its other cells empty beside its next line, and its lines start
        # at one edge (or are centred, set in each its own width).
        set_in = [piece[0] for piece in pieces if piece[0] - left >= ALIGNED]
        hanging = bool(set_in) and max(set_in) - min(set_in) < ALIGNED and max(set_in) - left <= MARKER_WIDTH * line_height
        ends = sum(
            1
            for number in range(1, len(extents))
            if hanging
            and extents[number][column]
            and extents[number][column][0] - left >= ALIGNED
            and not fills[number]
            and fills[number - 1]
            and all(piece for other, piece in enumerate(extents[number]) if other != column)
        )
        filled = (sum(fills) + ends) / len(pieces)
        text_column.append(width >= PROSE_WIDTH * line_height and (filled >= 0.6 or _runs_on(extents, column, fills)))
        flush_right = sum(1 for piece in pieces if right - piece[1] < ALIGNED) / len(pieces)
        flush_left = sum(1 for piece in pieces if piece[0] - left < ALIGNED) / len(pieces)
        aligned.append(
            flush_right >= 0.6 and flush_right > flush_left and width <= NUMBER_WIDTH * line_height and _holds_figures(placed, column, text_of)
        )
    first, last = 0, columns - 1
    while first < last and (text_column[first] or not aligned[first] and _a_note(placed, extents, first)):
        first += 1
    while last > first and (text_column[last] or not aligned[last] and _a_note(placed, extents, last)):
        last -= 1
    if last - first < 1 or any(text_column[first : last + 1]) or not any(aligned[first + 1 : last + 1]):
        return []
    widths = [high - low for low, high in gutters]
    for column in range(first + 2, last):
        if aligned[column] or not aligned[column - 1] or not any(aligned[column + 1 : last + 1]):
            continue
        others = widths[first : column - 1] + widths[column : last]
        if widths[column - 1] > 2 * max(others):
            return [(first, column - 1), (column, last)]
    if _halves_alike(extents, aligned, first, last):
        return []
    return [(first, last)]


def _runs_on(extents: list[list], column: int, fills: list[bool]) -> bool:
    """Whether a column goes on alone, above the other columns' first line or below their
    last, for ``ROWS`` lines or more, more than it stands alone anywhere between them, and
    holds there more than one paragraph (a line not filling it, ``fills``, before the
    last): a column of prose beside a table (a recipe's numbered steps beside its
    ingredients and their quantities), its paragraphs' short last lines too many for it to
    fill, goes on where the table's rows end; a table's cell wraps within its row, a line
    or two alone beside a row's other cells, and a long one in its last row is one
    paragraph."""
    beside = [number for number, line in enumerate(extents) if any(piece for other, piece in enumerate(line) if other != column)]
    if not beside:
        return False
    alone = [number for number, line in enumerate(extents) if line[column] and number not in beside]
    runs, run = [0], 0
    for number in range(beside[0], beside[-1] + 1):
        run = run + 1 if number in alone else 0
        runs.append(run)
    for outside in ([number for number in alone if number < beside[0]], [number for number in alone if number > beside[-1]]):
        if len(outside) >= ROWS and len(outside) > max(runs) and not all(fills[number] for number in outside[:-1]):
            return True
    return False


def _halves_alike(extents: list[list], aligned: list[bool], first: int, last: int) -> bool:
    """Whether the columns ``first`` to ``last`` are two halves alike side by side, each
    its items flush left and its figures flush right, of one width (within ``ALIGNED``
    twice): a menu in two columns, a contents page in two, each a list of its own that a
    browser copies a column at a time. Read as one table, the two lists had been
    interleaved, a line of each in turn ("Tomato soup 10.45 Chicken curry 20.03"). Two
    tables side by side, further apart than their columns are, are two tables first."""
    count = last - first + 1
    if count % 2 or count < 4:
        return False
    middle = first + count // 2
    if aligned[first] or aligned[middle] or aligned[first : middle - 1] != aligned[middle:last]:
        return False

    def flush_right(low: int, column: int) -> bool:
        # Figures of one width (page numbers 205, 215, 226) are flush left too.
        return _flush(_of_both_ends(extents, low, column), column, right=True)

    if not (flush_right(first, middle - 1) and flush_right(middle, last)):
        return False

    def width(low: int, high: int) -> float:
        lines = _of_both_ends(extents, low, high)
        return max(line[high][1] for line in lines if line[high]) - min(line[low][0] for line in lines if line[low])

    return abs(width(first, middle - 1) - width(middle, last)) < 2 * ALIGNED


def _of_both_ends(extents: list[list], low: int, high: int) -> list[list]:
    """The lines with a piece in both column ``low`` and column ``high``: a half's own rows,
    not a line set above both halves (a payslip's "Employee: J. Smith" at the left and
    "Period: 03/2026" at the far right, or its "Payments" and "Deductions" headings), whose
    pieces, a few points wider than the rows', had made the halves of unlike widths and
    the figures no column flush right, and the two lists one table, a row of each a line.
    Every line when none has both."""
    return [line for line in extents if line[low] and line[high]] or extents


# Of the widest other gutter: a gutter this much wider, before labels set flush left after
# figures set flush right, may part two tables side by side.
SIDE_BY_SIDE = 1.5


def _maybe_side_by_side(placed: list[list[list]], gutters: list, first: int, last: int, text_of) -> bool:
    """Whether the columns ``first`` to ``last`` may be two tables side by side, too close
    together for ``_table_columns`` to part them (behind a gutter more than twice as wide as
    their columns'): a column of labels (set flush left, holding few figures) after a column
    set flush right, each side of two columns or more and the last set flush right, behind
    a gutter more than ``SIDE_BY_SIDE`` times as wide as any other between them. Two tables
    20 pixels apart, their cells padded 16 at each side (39.5 points between the two, 25.5
    between their columns), had been read as one, a row of each a line ("Exports 1,204.5
    1,310.2 Grain 5.1"); in doubt, they are read as before. Within one table, the
    gutter before a column set flush left is mostly its narrowest: the cells' padding."""
    if text_of is None:
        return False
    extents = _extents(placed)
    widths = [high - low for low, high in gutters[first:last]]
    for column in range(first + 2, last):
        before = column - 1 - first
        others = widths[:before] + widths[before + 1 :]
        if (
            widths[before] > SIDE_BY_SIDE * max(others)
            and _flush(extents, column - 1, right=True)
            and _flush(extents, last, right=True)
            and _flush(extents, column, right=False)
            and not _holds_figures(placed, column, text_of)
        ):
            return True
    return False


def _halves_unlike(rows: list[list[list]], text_of) -> int:
    """The column starting the second of two tables side by side read as one, a row of
    each a line, 0 if the rows are one table's: its columns are two halves of labels then
    figures (a column of labels after a column of figures, the first column labels and the
    last figures), and a row fills one half only, the other table having fewer rows, or
    rows set at another pitch, or the gutter between the halves is wider than the narrowest
    within them (``_halves_apart``). Two balance sheets 6 to 30 pixels apart, assets beside
    liabilities, had been read "Copper (45,407) 13,793 Glacier (55,677) (87,644)", then
    "Ferry 53,996 (43,780)" alone; a payslip's payments and deductions, "Loan 45,865.48"
    alone at the right. A table's row with one cell empty, or a few, is no half empty."""
    if text_of is None:
        return 0
    width = max(len(row) for row in rows)
    full = [row for row in rows if len(row) == width]
    if _holds_figures(full, 0, text_of) or not _holds_figures(full, width - 1, text_of):
        return 0
    for middle in range(2, width - 1):
        if _holds_figures(full, middle - 1, text_of) and not _holds_figures(full, middle, text_of):
            if any(any(row[:middle]) != any(row[middle:]) for row in full) or _halves_apart(full, middle):
                return middle
    return 0


def _headings(lines: list[list[list]], middle: int) -> set:
    """The boxes of a heading set just above a table, or above each of two tables side by
    side (``middle``: the column starting the second, 0 for one table), that the table's
    first line holds: of a table (or a half), its first line fills its first cell only,
    the line below fills every cell, and the heading starts further left than any other
    piece of its column by more than ``ALIGNED``, set outside the cells' padding. Read
    into the header's first cell as a wrapped cell's line, a payslip's "Payments" above
    its payments had been read "Payments Item\tAmount", which a browser copies a line
    of its own; left out of the table, it is read as before, above it. A header cell
    wrapped, its first line alone above the others, starts where its column's pieces do."""
    found: set = set()
    for start, end in ((0, middle), (middle, len(lines[0]))) if middle else ((0, len(lines[0])),):
        half = [line[start:end] for line in lines if any(line[start:end])]
        if len(half) < 2 or not half[0][0] or any(half[0][1:]) or not all(half[1]):
            continue
        heading = half[0][0]
        others = [box[0] for line in half[1:] for box in line[0]]
        if min(box[0] for box in heading) < min(others) - ALIGNED:
            found.update(heading)
    return found


# Points: the gutter between two tables side by side, each of labels then figures, is wider
# than the narrowest within them by more than this (Chromium's two tables 4 pixels apart,
# their cells' padding alike: 2.8 points wider); within one table the gutter before a
# column of text set flush left after figures set flush right is two cells' padding, the
# narrowest there is (measured from the glyphs' boxes: 0.2 points wider at most in 80
# tables printed by Chromium).
HALVES_APART = ALIGNED


def _halves_apart(rows: list[list[list]], middle: int) -> bool:
    """Whether the rows (all of as many cells) are two tables side by side filling the same
    rows, their halves parted at column ``middle``: the column before it set flush right,
    the last too, and the column it starts set flush left, behind a gutter wider by more
    than ``HALVES_APART`` than the narrowest between any other two columns. A browser
    copies two such tables the left one, then the right one; read as one, a row of each
    had made a line ("Cash 1,204 Payables 880"). A table with a column of text after its
    figures ("Country, Population, Capital, Area") sets it apart by its cells' padding
    alone, as it does its other columns; a gutter as narrow as the others leaves the rows
    one table's, as it does a table stretched wide, its other gutters the wider."""
    extents = _extents(rows)
    if not (_flush(extents, middle - 1, right=True) and _flush(extents, len(rows[0]) - 1, right=True) and _flush(extents, middle, right=False)):
        return False
    # Columns of most rows only: a header centred in a cell stretched wide stands apart
    # from its column, a column of its own (one piece) a few points from the next.
    filled = [2 * sum(1 for line in extents if line[column]) > len(extents) for column in range(len(rows[0]))]
    if not (filled[middle - 1] and filled[middle]):
        return False
    others = []
    for column in range(len(rows[0]) - 1):
        if column != middle - 1 and filled[column] and filled[column + 1]:
            rights = [line[column][1] for line in extents if line[column]]
            lefts = [line[column + 1][0] for line in extents if line[column + 1]]
            others.append(min(lefts) - max(rights))
    between = min(line[middle][0] for line in extents if line[middle]) - max(line[middle - 1][1] for line in extents if line[middle - 1])
    return bool(others) and between - min(others) > HALVES_APART


def _side_by_side_parted(rows: list[list[list]], text_of, lines: list[list[list]] | None = None, gutters: list | None = None) -> list[list[list[list]]]:
    """A table's rows, or, two tables side by side read as one (``_halves_unlike``), each
    half's rows that fill it, the left first: a browser copies two tables side by side
    the left one, then the right one. A half of fewer than ``ROWS`` rows is read as before
    (a payslip's two payments beside three deductions). Given the table's ``lines`` (each
    its boxes by column) and ``gutters``, each half's rows are found again from its own
    lines, of the rows' boxes: a label wrapped over two lines in one half, none beside it
    in the other, had read its second line into the next row ("equipment Goodwill")."""
    middle = _halves_unlike(rows, text_of)
    if not middle:
        return [rows]
    if lines is None or gutters is None or len(lines[0]) != max(len(row) for row in rows):
        halves = [[row[:middle] for row in rows if any(row[:middle])], [row[middle:] for row in rows if any(row[middle:])]]
    else:
        kept = {box[4] for row in rows for cell in row for box in cell}
        halves = []
        for low, high, own in ((0, middle, gutters[: middle - 1]), (middle, len(lines[0]), gutters[middle:])):
            half = [[[box for box in cell if box[4] in kept] for cell in line[low:high]] for line in lines]
            half = [line for line in half if any(line)]
            halves.append(_spans_merged(_rows(half), own) if half else [])
    return [half for half in halves if sum(1 for row in half if _filled(row) >= 2) >= ROWS]


def _flush(extents: list[list], column: int, right: bool) -> bool:
    """Whether most of a column's pieces (0.6 of them) end together at its right edge
    (``right``), or start together at its left edge and not as many end together."""
    pieces = [line[column] for line in extents if line[column]]
    if not pieces:
        return False
    rightmost, leftmost = max(piece[1] for piece in pieces), min(piece[0] for piece in pieces)
    at_right = sum(1 for piece in pieces if rightmost - piece[1] < ALIGNED)
    at_left = sum(1 for piece in pieces if piece[0] - leftmost < ALIGNED)
    return at_right >= 0.6 * len(pieces) if right else at_left >= 0.6 * len(pieces) and at_left > at_right


# A page number: a whole number of at most four digits, without sign, point or separator.
PAGE_NUMBER = re.compile(r"[0-9]{1,4}")
# Leader dots ending an entry, spaced or not ("Introduction ......", "Tomato soup . . . ."),
# or an ellipsis, or a rule of underscores.
LEADER = re.compile(r"(?:[.·_]\s?){3,}$|…$")


def _a_list_of_entries(placed: list[list[list]], first: int, last: int, text_of) -> bool:
    """Whether the columns ``first`` to ``last`` are a list of entries, each with a value set
    flush right, rather than a table: a contents page (every column holding figures holds
    page numbers rising down the page, ``_page_numbers``), or entries of one value each,
    the entries ending in leader dots (a price list) or most values holding letters beside
    their figures (a spec sheet's "1.42 kg", "16 GB", "2 years"). A browser copies such a
    list, laid out with a spacer or a float, an entry and its value a line each; read as a
    table, a title and its page had been one line, apart by a tab. Laid out as an HTML
    table, such a list is read as before too: the same boxes tell the one from the other
    no better."""
    if text_of is None:
        return False
    figures = [column for column in range(first + 1, last + 1) if _holds_figures(placed, column, text_of)]
    if figures and all(_page_numbers(placed, column, text_of) for column in figures):
        return True
    if last - first != 1:
        return False
    entries = [text_of(line[first]).strip() for line in placed if line[first]][:SAMPLED]
    values = [text for text in (text_of(line[last]) for line in placed if line[last]) if any(character.isdigit() for character in text)][:SAMPLED]
    leaders = sum(1 for text in entries if LEADER.search(text))
    units = sum(1 for text in values if any(character.isalpha() for character in text))
    return 2 * leaders > len(entries) or 2 * units > len(values)


# Line heights: the widest a wrapped cell's next line may reach beyond the line above it
# (its first word, which did not fit there).
WORD_WIDTH = 6


def _two_ends(placed: list[list[list]], first: int, last: int, line_height: float) -> bool:
    """Whether the columns ``first`` to ``last`` are lines with text at both ends (a flex
    row's items, a menu's dish and its price, a contents page's title and page) rather
    than a table: three columns or more, no line filling more than two of them, the
    lines of two filling the first and one other, not always the same (rows ending at
    different widths, each a column of its own); or a column between the first and the
    last most of whose pieces stand alone on their lines (a heading or a paragraph
    centred across the gutter), not where a piece of it beside others starts (a wrapped
    cell's next lines, its cells set at the top); or two columns, two lines of the
    first or more alone on their lines and no wrapped cell's: set in from the column's
    left edge, not where a piece on the line above starts (a centred paragraph between a
    menu's rows), or reaching further right than the line above by more than
    ``WORD_WIDTH`` line heights (a paragraph below a dated entry's title, which a wrapped
    cell's first line would have held more of). A browser copies such items a line
    each; read as a table, rows had gained phantom empty columns ("Introduction\t\t\t1"),
    a centred heading had been pulled into a row ("Soupe\tPlats du jour\t6.30"), and an
    entry's title, its paragraph and its date had been one row."""
    lines = [[bool(cell) for cell in line[first : last + 1]] for line in placed if any(line[first : last + 1])]
    count = last - first + 1
    if count >= 3 and all(sum(line) <= 2 for line in lines):
        ends = {line.index(True, 1) for line in lines if line[0] and sum(line) == 2}
        if len(ends) >= 2 and all(line[0] for line in lines if sum(line) == 2):
            return True
    for column in range(first + 1, last):
        pieces = [(line[column], sum(1 for cell in line[first : last + 1] if cell)) for line in placed if line[column]]
        beside = [min(box[0] for box in cell) for cell, filled in pieces if filled > 1]
        alone = [cell for cell, filled in pieces if filled == 1 and not any(abs(min(box[0] for box in cell) - left) < ALIGNED for left in beside)]
        if 2 * len(alone) > len(pieces):
            return True
    if count != 2:
        return False
    extents = _extents(placed)
    left = min((line[first][0] for line in extents if line[first]), default=0.0)
    strays = 0
    for number, line in enumerate(extents):
        if not line[first] or any(line[first + 1 : last + 1]):
            continue
        above = placed[number - 1][first] if number else []
        # A wrapped cell's next line starts where the cell does on the line above.
        indented = line[first][0] - left > ALIGNED and not any(abs(box[0] - line[first][0]) < ALIGNED for box in above)
        wider = bool(above) and line[first][1] - max(box[2] for box in above) > WORD_WIDTH * line_height
        strays += indented or wider
    return strays >= 2


def _page_numbers(placed: list[list[list]], column: int, text_of) -> bool:
    """Whether a column's pieces that hold a digit, ``ROWS`` of them at least, are all page
    numbers, none lower than the one above it (pieces without a digit, a "Page" heading
    or a preface's "iv", aside), but below a heading: a line without one set further
    below the line above it than the list's lines are apart, as a list of figures, or of
    tables, stands below the contents, its pages starting again from the first. Read as
    one, the two lists had been a table, "1. Introduction\t3" a line. A number lower than
    the one above, below the second line of a label wrapped (as close to its first as the
    list's lines are apart), is no page's (a table's counts)."""
    numbers: list[int] = []
    tops = [max(box[3] for cell in line for box in cell) for line in placed]
    pitches: list[float] = []  # of the lines of the list above, each from the one above it
    heading_above = False
    for number, line in enumerate(placed):
        pitch = tops[number - 1] - tops[number] if number else 0.0
        text = text_of(line[column]).strip() if line[column] else ""
        if not any(character.isdigit() for character in text):
            heading_above = bool(numbers) and pitch > max(pitches, default=0.0) + ROW_PADDING
            pitches.append(pitch)
            continue
        if not PAGE_NUMBER.fullmatch(text) or numbers and int(text) < numbers[-1] and not heading_above:
            return False
        if heading_above:
            pitches = []
        elif numbers:
            pitches.append(pitch)
        numbers.append(int(text))
        heading_above = False
    return len(numbers) >= ROWS


class Spanned(list):
    """An empty cell covered by a cell spanning rows above it (``rowspan``): no cell of its
    row as a browser copies the table, which reads the row without it ("4.4\t5.5" below
    "Other partners\t1.1\t2.2"), where an empty cell is an empty field between tabs."""


def _line_facts(lines: list[list[list]]) -> list[tuple[tuple[bool, ...], float, float]]:
    """Each line's filled cells, its type's top (not a superscript's above it) and its
    middle."""
    facts = []
    for line in lines:
        boxes = [box for cell in line for box in cell]
        tallest = max(box[3] - box[1] for box in boxes)
        top = max(box[3] for box in boxes if box[3] - box[1] >= 0.75 * tallest)
        facts.append((tuple(bool(cell) for cell in line), top, (min(box[1] for box in boxes) + max(box[3] for box in boxes)) / 2))
    return facts


def _spans_joined(lines: list[list[list]]) -> tuple[list[list[list]], list[frozenset]]:
    """The lines with each cell spanning two or three rows joined to the first of them, and
    for each line the columns such a cell above covers (none for most lines).

    Two rows: a line is such a cell when it lies between two lines that fill the same
    cells, none of them its own, as far apart as the table's rows are (the upper quartile
    of the distances from a line to the next, less ``ROW_PADDING``; the median is a
    wrapped cell's where most cells wrap): two rows, a label centred beside them
    (Chromium's rows 19.5 points apart); read with the lines around it, it had made one
    row of the two, "Other partners 1.1 4.4 2.2 5.5". Centred: within ``SPAN_CENTRED`` of
    their distance of their middle. Labels set 4 points below their figures, rows 18
    apart, stand between the figures of their row and of the next, but off their middle:
    taken for cells spanning two rows, they had been read with the figures of the next row
    ("Tyne and Wear 639.8 379.0"). Beside two lines closer than rows (a label wrapped, its
    lines 11.5 points apart, from one row's last line to the next's first 15.5) it is a
    cell of the one row they are.

    Three rows (``_spans_of_three``): a label centred beside three rows stands on the
    middle one's line; it had been read in that row, a browser copies it in the first."""
    facts = _line_facts(lines)
    pitches = sorted(above[1] - below[1] for above, below in zip(facts, facts[1:]))
    if not pitches:
        return lines, [frozenset()] * len(lines)
    apart = pitches[len(pitches) * 3 // 4] - ROW_PADDING
    joined, below, kept = [], [], []
    number = 0
    while number < len(lines):
        if 0 < number < len(lines) - 1 and joined and not below[-1]:
            above, own, next_ = facts[number - 1], facts[number], facts[number + 1]
            if (
                above[0] == next_[0]
                and not any(mine and theirs for mine, theirs in zip(own[0], above[0]))
                and abs(own[2] - (above[2] + next_[2]) / 2) < SPAN_CENTRED * (above[2] - next_[2])
                and above[1] - next_[1] > apart
            ):
                joined[-1] = [[*cell, *more] for cell, more in zip(joined[-1], lines[number])]
                joined.append(lines[number + 1])
                below.append(frozenset(column for column, mine in enumerate(own[0]) if mine))
                kept.append(facts[number + 1])
                number += 2
                continue
        joined.append(lines[number])
        below.append(frozenset())
        kept.append(facts[number])
        number += 1
    return _spans_of_three(joined, below, kept, apart)


def _spans_of_three(lines: list[list[list]], below: list[frozenset], facts: list, apart: float) -> tuple[list[list[list]], list[frozenset]]:
    """The lines with each label of the first column centred beside three rows moved from
    the middle one's line to the first's, the two below it covered (``Spanned``): its line
    and the two around it as far apart as rows are (``apart``), the same cells filled but
    the first, which only the middle one fills. A label on its row's line, empty cells
    above and below it, stands as such a label does: taken for one only when every empty
    first cell below the first line is covered so, by such a label or by one beside two
    rows (``below``), and the line above the three is the first (the header) or covered
    too. A label set at the top of two rows stands on the first one's line, its second
    empty, and "Iraq", "", "Other partners", "" is as well two such labels as a row and a
    label centred beside three: such a column, or one of which some rows' labels are
    empty, keeps its labels in their rows, as before."""
    if len(lines) < 4 or not lines[0]:
        return lines, below
    groups = []
    number = 1
    while number < len(lines) - 1:
        above, own, next_ = facts[number - 1], facts[number], facts[number + 1]
        if (
            own[0][0]
            and not above[0][0]
            and not next_[0][0]
            and above[0][1:] == own[0][1:] == next_[0][1:]
            and not below[number - 1] and not below[number] and not below[number + 1]
            and (number <= 2 or 0 in below[number - 2] or groups and groups[-1] == number - 3)
            and min(above[1] - own[1], own[1] - next_[1]) > apart
            and abs(own[2] - (above[2] + next_[2]) / 2) < SPAN_CENTRED * (above[2] - next_[2])
        ):
            groups.append(number)
            number += 3
            continue
        number += 1
    if not groups:
        return lines, below
    covered = {line for middle in groups for line in (middle - 1, middle + 1)}
    if any(not facts[line][0][0] and line not in covered and 0 not in below[line] for line in range(1, len(lines))):
        return lines, below
    lines, below = list(lines), list(below)
    for middle in groups:
        label = lines[middle][0]
        lines[middle - 1] = [label, *lines[middle - 1][1:]]
        lines[middle] = [[], *lines[middle][1:]]
        below[middle] = below[middle + 1] = frozenset({0})
    return lines, below


def _cells_joined(row: list[list], more: list[list]) -> list[list]:
    """A row's cells with a line's more (a wrapped cell's next line); a covered cell
    (``Spanned``) that gains nothing stays covered."""
    return [cell if isinstance(cell, Spanned) and not extra else [*cell, *extra] for cell, extra in zip(row, more)]


def _rows(lines: list[list[list]]) -> list[list[list]]:
    """The table's rows from its lines (each line's boxes by column): lines that overlap
    (a cell centred beside two lines of another) are together, and the distances from a
    line's top to the next's are of two sizes when cells wrap, a line's and a row's (its
    cells' padding more): a line closer to the one above than a row is to the next goes
    with it, unless both fill every cell (a wrapped cell's line stands beside none of the
    row's others, or beside all of them centred; two full lines are two rows, but for a
    header's first two, much closer than the table's lines mostly are). When all are alike,
    each line is a row. Tops, not gaps: a line's bottom is its descenders', which come and
    go; and the tops of its type, not of a superscript ("2020a", "987.0¹") above it nor of
    an accented capital (``_type_top``). A row below a cell spanning it and the row above
    (``_spans_joined``) is a row of its own, the cell covered by the span a ``Spanned`` one."""
    lines, below_a_span = _spans_joined(lines)
    heights = sorted(box[3] - box[1] for line in lines for cell in line for box in cell)
    usual_height = heights[len(heights) // 2]
    groups: list[list] = []  # [lines, bottom, first line's top, last line's top, type's height, below a span]
    for line, spanned in zip(lines, below_a_span):
        boxes = [box for cell in line for box in cell]
        low = min(box[1] for box in boxes)
        tallest = max(box[3] - box[1] for box in boxes)
        high = _type_top(boxes, usual_height)
        if groups and max(box[3] for box in boxes) > groups[-1][1] and not spanned:
            group = groups[-1]
            group[0] = [[*cell, *more] for cell, more in zip(group[0], line)]
            group[1] = min(group[1], low)
            group[3] = min(group[3], high)
            group[4] = max(group[4], tallest)
        else:
            groups.append([line, low, high, high, tallest, spanned])
    pitches = [above[3] - below[2] for above, below in zip(groups, groups[1:])]
    alike = [pitch for pitch, group in zip(pitches, groups[1:]) if not group[5]]
    wrapped = bool(alike) and max(alike) - min(alike) > ROW_PADDING
    middle = (max(alike) + min(alike)) / 2 if wrapped else 0.0
    rows: list[list[list]] = [[list(cell) for cell in groups[0][0]]]
    usual = sorted(alike)[len(alike) // 2] if alike else 0.0
    for group, pitch in zip(groups[1:], pitches):
        if group[5]:
            rows.append([Spanned() if column in group[5] and not cell else list(cell) for column, cell in enumerate(group[0])])
            continue
        # Two full lines are one header row when they are its first two, closer than
        # ``HEADER_LINES`` of the table's usual distance (headers centred in their cells,
        # each wrapped over two lines 12 points apart, the rows 19.5: 0.62); a header row
        # with less padding than the rows is none (20.5 points above rows 24 apart: 0.85).
        # A header row whose first cell alone is empty (the labels' heading left blank)
        # above a full line is a row of its own too: the first row of figures is no line
        # of it ("Revenue2\t2026 (359,311)"; marks raised beside some labels had made the
        # distances from row to row of two sizes, as a wrapped cell's are).
        header_above = len(rows) == 1 and not rows[-1][0] and all(rows[-1][1:])
        both_full = (all(rows[-1]) or header_above) and all(group[0]) and not (len(rows) == 1 and pitch < HEADER_LINES * usual)
        if wrapped and pitch < middle and not both_full:
            rows[-1] = _cells_joined(rows[-1], group[0])
        else:
            rows.append([list(cell) for cell in group[0]])
    return rows


def _type_top(boxes: list, usual_height: float) -> float:
    """The top of a line's type: the middle of its boxes' tops (the higher of the two
    middle ones), of boxes at least three quarters of the table's usual box height (not a
    superscript's; of them all when none is). A capital's accent or ring ("Århus",
    "École") or a bar ("|") reaches a point above the others: by the highest top, a row
    holding one stood closer to the row above than rows do, and was read as a line of it
    wrapped ("3 5\tGent SC Århus SC\t36 16"). A line of two boxes keeps the higher top:
    a label wrapped beside a row's figures is the row's top."""
    tops = sorted(box[3] for box in boxes if box[3] - box[1] >= 0.75 * usual_height) or sorted(box[3] for box in boxes)
    return tops[len(tops) // 2]


def _filled(row: list[list]) -> int:
    return sum(1 for cell in row if cell)


def _whole(row: list[list]) -> bool:
    """Whether a row has at least two cells and at most one of them empty."""
    return _filled(row) >= 2 and _filled(row) >= len(row) - 1


def _apart(above: list[list], below: list[list]) -> float:
    """The gap between two rows."""
    return min(box[1] for cell in above for box in cell) - max(box[3] for cell in below for box in cell)


def _usual_gap(rows: list[list[list]]) -> float:
    """The median gap between a table's rows, and a point more."""
    gaps = sorted(_apart(above, below) for above, below in zip(rows, rows[1:]))
    return gaps[len(gaps) // 2] + 1.0 if gaps else 0.0


def tables(boxes: list, line_height: float, text_of=None, *, among_entries: bool = False) -> list[Table]:
    """The page's tables (see the module's docstring), top first; none when fewer than
    ``ROWS`` of its lines are split by a gutter (the cheap test every page takes).
    ``text_of``: the text of a cell's boxes, asked of a few pieces of each column set flush
    right (``_holds_figures``). ``among_entries``: the boxes are those of a list of
    entries' lines (``_tables_below_entries``), not looked through again for such a list's
    tables, so that no page sends the search down more than once."""
    whole = _bands(boxes)
    marks = _lone_marks(whole, text_of)
    # The lines' gutters are those their boxes leave empty but for lone marks (a line of
    # marks only keeps them).
    bands = [[box for box in band if box[4] not in marks] or band for band in whole]
    gaps = [_gaps(band) for band in bands]
    if sum(1 for found in gaps if found) < ROWS:
        return []
    found = []
    for start, end, gutters in _column_regions(bands, gaps, line_height, text_of):
        # A last line of one piece below lines all split by gutters is no wrapped cell's
        # (no other cell wraps): a page number or a footnote set closer below the table than
        # its rows are apart (12 points below rows 16 apart) had been read as a line of its
        # last row, or as a column of its own.
        # A last line that reaches into the line above is of its row, not set below it.
        if end - start > ROWS and not gaps[end - 1] and all(gaps[start : end - 1]) and min(box[1] for box in bands[end - 2]) >= max(box[3] for box in bands[end - 1]):
            end -= 1
        if sum(1 for found in gaps[start:end] if found) < ROWS:
            continue
        region = bands[start:end]
        if marks:
            region = _marks_kept(whole[start:end], region, marks)
        # The region's columns are the gutters its lines leave empty, all of them: the one
        # between a table and prose beside it too, which the first row may not reach.
        gutters = _tight_gutters(region, _region_gutters(region), text_of, _neighbours(bands, gaps, start, end))
        places = _mark_places(whole[start:end], gutters, marks) if marks else {}
        gutters = _headers_over_figures(region, gutters)
        # The columns are told by their pieces but lone marks: a "|" set flush left in a
        # column of times set flush right had made it no column of figures, and wide.
        placed = _columns_of(region, gutters)
        for kept in _table_columns(placed, gutters, line_height, text_of):
            if _a_list_of_entries(placed, *kept, text_of):
                # Once: the lines of a list's entries are not looked through again for one.
                found += [] if among_entries else _tables_below_entries(placed, *kept, line_height, text_of)
                continue
            if _maybe_side_by_side(placed, gutters, *kept, text_of) or _two_ends(placed, *kept, line_height):
                continue
            # Its lines again, of its own boxes: prose beside it, set at another pitch, had
            # made lines of a row's cells and of the prose's lines together.
            edges = (gutters[kept[0] - 1][1] if kept[0] else -float("inf"), gutters[kept[1]][0] if kept[1] < len(gutters) else float("inf"))
            own = [box for band in whole[start:end] for box in band if box[0] >= edges[0] and box[2] <= edges[1]]
            lines = _columns_of(_bands(own), gutters[kept[0] : kept[1]], places)
            rows = _spans_merged(_rows(lines), gutters[kept[0] : kept[1]])
            if headings := _headings(lines, _halves_unlike(rows, text_of)):
                lines = [line for line in ([[box for box in cell if box not in headings] for cell in line] for line in lines) if any(line)]
                rows = _spans_merged(_rows(lines), gutters[kept[0] : kept[1]])
            # A first or last row of a single cell is no row of the table, nor one with more
            # than one cell empty set further apart than its rows are (a running head and the
            # page's number over its columns, a line of prose below it).
            while rows and (_filled(rows[-1]) < 2 or len(rows) > 1 and not _whole(rows[-1]) and _apart(rows[-2], rows[-1]) > _usual_gap(rows)):
                rows.pop()
            while len(rows) > 1 and not _whole(rows[0]) and _apart(rows[0], rows[1]) > _usual_gap(rows):
                rows.pop(0)
            if sum(1 for row in rows if sum(1 for cell in row if cell) >= 2) < ROWS:
                continue
            for part in _side_by_side_parted(rows, text_of, lines, gutters[kept[0] : kept[1]]):
                if _right_to_left(part, text_of):
                    part = [row[::-1] for row in part]
                found.append(Table([box for row in part for cell in row for box in cell], part))
    return found


# Of a table's cells holding letters: the least share whose first letter is of a
# right-to-left script for the table to be right to left.
RIGHT_TO_LEFT_CELLS = 0.75


def _right_to_left(rows: list[list[list]], text_of) -> bool:
    """Whether a table (its rows' cells left to right on the page) is right to left, its
    first column at the right: of its cells holding letters, ``RIGHT_TO_LEFT_CELLS`` or more
    begin with a letter of a right-to-left script (Hebrew, Arabic: their first strong
    letter, as a browser tells a paragraph's direction), every one of its rightmost
    column's does, and that column holds no figures (its labels, as a right-to-left
    table's first column mostly does). A browser copies such a table's cells in their
    row's order, from the right ("שם\tכמות\tמחיר"); read from the left, each row had
    come out backwards. A left-to-right table with a column of Hebrew names (at its left,
    beside figures, or under a heading in Latin letters), or one of both scripts alike,
    is read from the left, as before."""
    if text_of is None or len(rows[0]) < 2:
        return False
    width = max(len(row) for row in rows)

    rightmost, right, lettered = [], 0, 0
    for row in rows:
        for column, cell in enumerate(row):
            if not cell:
                continue
            found = bidi.first_strong(text_of(cell))
            if found is not None:
                lettered += 1
                right += found == "R"
            if column == width - 1 and len(row) == width:
                rightmost.append(found)
    if not lettered or right < RIGHT_TO_LEFT_CELLS * lettered or "L" in rightmost or "R" not in rightmost:
        return False
    return not _holds_figures([[row[-1]] for row in rows if len(row) == width], 0, text_of)


def _tables_below_entries(placed: list[list[list]], first: int, last: int, line_height: float, text_of) -> list[Table]:
    """The tables among the lines of a list of entries' region (``_a_list_of_entries``)
    that hold nothing in its columns of values: a table of figures narrower than the
    contents' titles, set just below or above them, whose lines left the contents' gutter
    empty and continued its region; its own gutters, crossed by the titles, were no
    gutters of the region, and the table had been read as before, a column at a time.
    The boxes of the entries' column of each run of ``ROWS`` such lines or more are looked
    at as a page of their own (not those of a table beside the list, found already)."""
    found: list[Table] = []
    run: list[list] = []
    for line in [*placed, None]:
        if line is not None and not any(line[first + 1 : last + 1]):
            run.append(line)
            continue
        if len(run) >= ROWS:
            found += tables([box for held in run for box in held[first]], line_height, text_of, among_entries=True)
        run = []
    return found


def cell_lines(cell: list) -> list[list]:
    """A cell's boxes in lines, top first, each left to right; a line of marks only (each
    box at most ``MARK_WIDTH`` of the other's heights wide) overlapping the next by more
    than a quarter of the lower's height is of that line. Chromium's ``<sup>1</sup>``
    before a figure and ``<sup>*</sup>`` after it, the "1" nearly as tall as the figure's
    digits, made a line of their own above it ("1 * 871.88" for "1871.88*")."""
    bands = _bands(cell)
    if len(bands) < 2:
        return bands
    lines: list[list] = []
    for line in bands:
        if lines:
            above = lines[-1]
            overlap = min(max(box[3] for box in above), max(box[3] for box in line)) - max(min(box[1] for box in above), min(box[1] for box in line))
            marks = all(box[2] - box[0] <= MARK_WIDTH * _height(line) for box in above) or all(box[2] - box[0] <= MARK_WIDTH * _height(above) for box in line)
            if marks and overlap > 0.25 * min(_height(above), _height(line)):
                lines[-1] = sorted([*above, *line], key=lambda box: box[0])
                continue
        lines.append(line)
    return lines


def around_tables(blocks: list[list], in_order=lambda part: [part]) -> list[list]:
    """The blocks of a page's reading order with each table's stand-in (a box of its
    extent, its index negative) a block of its own: what a block held above the table's
    middle before it, the rest after, each part put in reading order again (``in_order``:
    a print header beside a table, "Ledger 2023" and its page number at the far right, is
    two blocks, not one read "Ledger 20231")."""
    parted = []
    for block in blocks:
        standing = sorted((box for box in block if box[4] < 0), key=lambda box: -box[3])
        if not standing:
            parted.append(block)
            continue
        rest = [box for box in block if box[4] >= 0]
        for stand_in in standing:
            middle = (stand_in[1] + stand_in[3]) / 2
            above = [box for box in rest if (box[1] + box[3]) / 2 > middle]
            rest = [box for box in rest if (box[1] + box[3]) / 2 <= middle]
            if above:
                parted.extend(in_order(above))
            parted.append([stand_in])
        if rest:
            parted.extend(in_order(rest))
    return parted
