"""Tables in a PDF page, found from the boxes of its runs of text alone, so that a table
drawn row by row is read a row a line, its cells left to right, as a browser copies a
table (cells apart by a tab, rows by a line break), and not a column at a time, as the
page's XY cut reads columns (``pdf._reading_order``).

A table is where runs line up in at least two columns over at least three rows: a row is
a page line (runs sharing a baseline) split in two or more pieces by gaps of at least a
column gutter, and the gutters hold, empty, over every line of the table. What is not so
found is read as before; a page without three lines split by a gutter is not looked at
further, so that prose costs no more to read.

Text columns are not tables: two columns of prose, or an index in two columns, also
share their baselines across a gutter, but their lines fill their columns, or their
columns are of one width, which a table's seldom are. Running heads and page numbers
are no rows: a table's rows are no further apart than a line and a half, and of its type
size.

Plain logic on boxes ``(left, bottom, right, top, index)``: no PDFium, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

GUTTER = 9.0  # points: the narrowest gap that sets cells apart, as the XY cut's columns
ROWS = 3  # rows of two cells or more that make a table
ROW_APART = 1.5  # line heights: the widest gap between two rows of a table
ROW_BREAK = 0.35  # line heights: a gap wider than this between two lines starts a new row
WRAPPED = 0.8  # line heights: a line of one cell this close to the line above continues it
FILLED = 0.75  # a piece of a line this much of its column's width fills it
PROSE_WIDTH = 12  # line heights: a column this wide whose lines fill it is a column of text
EVEN = 0.05  # columns within this much of each other's width are of one width


@dataclass
class Table:
    """A table's boxes, its rows top to bottom, each row's cells left to right (a cell:
    its boxes, line by line, each line left to right; empty where the row has none)."""

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
            if overlap > 0.5 * min(anchor[3] - anchor[1], box[3] - box[1]):
                bands[-1].append(box)
                continue
        anchor = box
        bands.append([box])
    for band in bands:
        band.sort(key=lambda box: box[0])
    return bands


def _gaps(band: list) -> list[tuple[float, float]]:
    """The gaps of at least a gutter between the pieces of a line (its boxes left to right)."""
    gaps = []
    reach = band[0][2]
    for box in band[1:]:
        if box[0] - reach >= GUTTER:
            gaps.append((reach, box[0]))
        reach = max(reach, box[2])
    return gaps


def _narrowed(gutters: list[tuple[float, float]], band: list) -> list[tuple[float, float]]:
    """The gutters that a line leaves empty, each narrowed to what the line leaves of it."""
    kept = []
    for low, high in gutters:
        for box in band:
            if box[0] < high and box[2] > low:
                if box[2] - low < high - box[0]:
                    low = max(low, box[2])
                else:
                    high = min(high, box[0])
        if high - low >= GUTTER:
            kept.append((low, high))
    return kept


def _height(band: list) -> float:
    return max(box[3] for box in band) - min(box[1] for box in band)


def _regions(bands: list[list], gaps: list[list], line_height: float) -> list[tuple[list[list], list]]:
    """Runs of consecutive lines over which at least one gutter holds, each with its
    gutters: started by a line of two pieces or more, continued by lines close below it of
    the same type size that leave a gutter empty (a line of one cell, a wrapped cell's,
    only when it is as close as a line of text), and ended by a line that crosses one."""
    regions = []
    start = 0
    while start < len(bands):
        if not gaps[start]:
            start += 1
            continue
        gutters = gaps[start]
        height = _height(bands[start])
        end = start + 1
        while end < len(bands):
            band = bands[end]
            apart = min(box[1] for box in bands[end - 1]) - max(box[3] for box in band)
            if apart > ROW_APART * line_height or not 0.6 < _height(band) / height < 1.6:
                break
            if not gaps[end] and apart > WRAPPED * line_height:
                break
            narrowed = _narrowed(gutters, band)
            if len(narrowed) < len(gutters):
                break
            gutters = narrowed
            end += 1
        regions.append((bands[start:end], gutters))
        start = end
    return regions


def _columns_of(bands: list[list], gutters: list) -> list[list[list]]:
    """Each line's boxes by column: ``[line][column] -> boxes``."""
    edges = [(low + high) / 2 for low, high in gutters]
    placed = []
    for band in bands:
        cells: list[list] = [[] for _ in range(len(edges) + 1)]
        for box in band:
            cells[sum(1 for edge in edges if box[0] >= edge)].append(box)
        placed.append(cells)
    return placed


def _text_columns(placed: list[list[list]], line_height: float) -> bool:
    """Whether the columns are columns of text rather than of a table: every column wide
    and its lines filling it (prose set in columns), or the columns all of one width and
    none of them right-aligned (a list or an index set in columns)."""
    columns = len(placed[0])
    widths, filled, right_edges = [], [], []
    for column in range(columns):
        pieces = [(min(box[0] for box in line[column]), max(box[2] for box in line[column])) for line in placed if line[column]]
        left = min(piece[0] for piece in pieces)
        right = max(piece[1] for piece in pieces)
        width = right - left
        widths.append(width)
        filled.append(sum(1 for piece in pieces if piece[1] - piece[0] >= FILLED * width) / len(pieces))
        right_edges.append(sum(1 for piece in pieces if right - piece[1] < 1.0) / len(pieces))
    if all(width >= PROSE_WIDTH * line_height and share >= 0.6 for width, share in zip(widths, filled)):
        return True
    if max(widths) - min(widths) <= EVEN * max(widths) and all(share < 0.6 for share in right_edges):
        return True
    return False


def _rows(placed: list[list[list]], bands: list[list], line_height: float) -> list[list[list]]:
    """The table's rows: lines closer than ``ROW_BREAK`` (or overlapping: a cell centred
    beside two lines of another) are one row; each row's cells, line by line."""
    rows: list[list[list]] = []
    bottom = None
    for band, cells in zip(bands, placed):
        top = max(box[3] for box in band)
        if bottom is not None and bottom - top <= ROW_BREAK * line_height:
            for cell, more in zip(rows[-1], cells):
                cell.extend(more)
            bottom = min(bottom, min(box[1] for box in band))
            continue
        rows.append([list(cell) for cell in cells])
        bottom = min(box[1] for box in band)
    return rows


def tables(boxes: list, line_height: float) -> list[Table]:
    """The page's tables (see the module's docstring), top first; none when fewer than
    ``ROWS`` of its lines are split by a gutter (the cheap test every page takes)."""
    bands = _bands(boxes)
    gaps = [_gaps(band) for band in bands]
    if sum(1 for found in gaps if found) < ROWS:
        return []
    found = []
    for region, gutters in _regions(bands, gaps, line_height):
        if sum(1 for band in region if _gaps(band)) < ROWS:
            continue
        placed = _columns_of(region, gutters)
        if _text_columns(placed, line_height):
            continue
        rows = _rows(placed, region, line_height)
        if sum(1 for row in rows if sum(1 for cell in row if cell) >= 2) < ROWS:
            continue
        found.append(Table([box for band in region for box in band], rows))
    return found


def cell_lines(cell: list) -> list[list]:
    """A cell's boxes in lines, top first, each left to right."""
    return _bands(cell)


def around_tables(blocks: list[list]) -> list[list]:
    """The blocks of a page's reading order with each table's stand-in (a box of its
    extent, its index negative) a block of its own: what a block held above the table's
    middle before it, the rest after."""
    parted = []
    for block in blocks:
        standing = sorted((box for box in block if box[4] < 0), key=lambda box: -box[3])
        rest = [box for box in block if box[4] >= 0]
        for stand_in in standing:
            middle = (stand_in[1] + stand_in[3]) / 2
            above = [box for box in rest if (box[1] + box[3]) / 2 > middle]
            rest = [box for box in rest if (box[1] + box[3]) / 2 <= middle]
            if above:
                parted.append(above)
            parted.append([stand_in])
        if rest:
            parted.append(rest)
    return parted
