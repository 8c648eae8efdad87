"""A row holding an accented capital ("Århus", "Été") or a bar ("|"), whose glyph reaches
above the others' tops, is a row of its own: by the line's highest top it had stood closer
to the row above than rows do, and was read as a wrapped line of it, two rows' labels and
figures in one ("3 5\\tGent SC Århus SC\\t36 16")."""

from __future__ import annotations

import io

import pytest

from sources.ingest import pdf, pdf_tables
from tests.ingest.test_pdf_tables import _printed as printed, needs_chromium


def _line(top: float, cells: list[tuple[float, float, float] | None]) -> list[list]:
    """A line of a table: a box per cell, ``(left, right, height)``, or none, its bottom at
    ``top`` less 4.6 points (an accented capital's box is taller: its top higher, its bottom
    the same)."""
    return [[(cell[0], top - 4.6, cell[1], top - 4.6 + cell[2], index)] if cell else [] for index, cell in enumerate(cells)]


def test_a_line_with_an_accented_capital_is_a_row_of_its_own_not_a_wrapped_line_of_the_row_above():
    # A statement's rows, the notes column empty in some: two full lines are two rows
    # whatever their distance, lines with an empty cell are told apart by it.
    plain = [(72, 96, 4.6), None, (231, 237, 4.6), (279, 285, 4.6)]
    ringed = [(72, 100, 5.73), None, (231, 237, 4.6), (279, 285, 4.6)]
    lines = [_line(830.0, plain), _line(815.9, plain), _line(801.65, ringed), _line(787.4, plain)]
    assert len(pdf_tables._rows(lines)) == 4


def test_a_line_with_a_superscript_above_it_still_keeps_the_top_of_its_type():
    # "2020", its mark "a" raised in smaller type, and "36.5" of the same type as the year.
    boxes = [(72, 795, 100, 801.6, 0), (101, 799, 104, 803.5, 1), (231, 795, 237, 801.6, 2)]
    assert pdf_tables._type_top(boxes, 6.6) == 801.6
    ringed = [(72, 795, 100, 802.7, 0), (231, 795, 237, 801.6, 1), (279, 795, 285, 801.6, 2)]  # "Århus" beside "36" and "15"
    assert pdf_tables._type_top(ringed, 6.6) == 801.6


def _printed(body: str) -> tuple[bytes, str]:
    """``body`` printed by Chromium in standards mode, as pages declaring ``<!doctype html>``
    are, and what it shows of it."""
    return printed(body, standards=True)


STYLE = (
    "<style>body{font-family:'DejaVu Sans Mono';font-size:8px}table{border-collapse:collapse}"
    "td{border:2px solid #333;padding:4px 10px}td.n{text-align:right}</style>"
)


def _table(rows: list[list[str]]) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{cell}</td>" if index == 0 else f"<td class=n>{cell}</td>" for index, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"{STYLE}<table>{cells}</table>"


@needs_chromium
@pytest.mark.parametrize("label", ["Århus SC", "École Centrale", "Ürümqi | North"])
def test_a_row_whose_label_holds_a_glyph_above_the_others_is_read_as_a_row(label):
    # A column of notes, empty in some rows, as a statement's is.
    rows = [["Gent SC", "11", "36", "61"], [label, "", "16", "26"], ["Lyon", "6", "24", "39"], ["Ghent", "", "12", "20"]]
    data, shown = _printed(_table(rows))
    assert pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n") == ["\t".join(row) for row in rows] == shown.rstrip("\n").split("\n")
