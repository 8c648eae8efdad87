"""Two tables side by side whose halves fill the same rows are read one after the other, the
left first, as a browser copies them; a single table with a column of text after its
figures is read by rows. See ``sources.ingest.pdf_tables._halves_apart``."""

from __future__ import annotations

import io

import pytest

from sources.ingest import pdf, pdf_tables
from tests.ingest.test_pdf_tables import _printed, needs_chromium

ASSETS = [["Assets", "2024"], ["Cash", "30,972"], ["Receivables", "(2,009)"], ["Inventory", "14,173"], ["Goodwill", "45,537"], ["Land", "82,983"]]
LIABILITIES = [["Liabilities", "2024"], ["Payables", "80,757"], ["Bank loan", "(47,566)"], ["Bonds", "27,308"], ["Deferred tax", "1,176"], ["Accruals", "69,761"]]


def _half(rows: list[list[str]], padding: str = "4px 8px", width: str = "") -> str:
    """A table of labels and figures set flush right."""
    return f"<table style='border-collapse:collapse;{width}'>" + "".join(
        f"<tr><td style='padding:{padding}'>{label}</td><td style='padding:{padding};text-align:right'>{figure}</td></tr>" for label, figure in rows
    ) + "</table>"


def _rows_read(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(row) for row in rows)


# Two tables a few pixels apart, as a balance sheet sets assets beside liabilities.
SIDE_BY_SIDE = {
    "flex, 8 pixels apart": "<div style='display:flex;gap:8px'>{}{}</div>",
    "floated, 6 pixels apart": "<div style='float:left;margin-right:6px'>{}</div><div style='float:left'>{}</div><div style='clear:both'></div>",
    "grid, 4 pixels apart": "<div style='display:grid;grid-template-columns:auto auto;justify-content:start;column-gap:4px'>{}{}</div>",
    "cells of a layout table": "<table style='border-collapse:collapse'><tr><td style='padding:0 8px 0 0;vertical-align:top'>{}</td><td style='padding:0'>{}</td></tr></table>",
}


@needs_chromium
@pytest.mark.parametrize("layout", SIDE_BY_SIDE)
def test_two_tables_side_by_side_filling_the_same_rows_are_read_one_after_the_other(layout):
    """Every row has cells in both halves and no header stands over both: they had been read
    as one table, a row of each a line ("Cash\\t30,972\\tPayables\\t80,757"). The gutter
    between them is the halves' cells' padding and the gap between the tables, wider than
    any gutter within either."""
    data, shown = _printed(SIDE_BY_SIDE[layout].format(_half(ASSETS), _half(LIABILITIES)))
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert read.split("\n\n") == [_rows_read(ASSETS), _rows_read(LIABILITIES)]
    # A layout table's two cells are copied apart by a tab, a line of its own.
    assert read.replace("\n\n", "\n").split("\n") == [line for line in shown.split("\n") if line.strip()]


@needs_chromium
def test_a_label_wrapped_in_one_half_keeps_its_row_when_the_halves_are_parted():
    """Two tables stretched over a grid's two columns, a label wrapped over two lines in the
    left: the rows found for both halves together had read its second line into the next
    row ("equipment Goodwill"); each half's rows are found again from its own lines."""
    assets = [["Cash", "30,972"], ["Land", "(2,009)"], ["Plant and equipment", "(14,173)"], ["Goodwill", "45,537"], ["Inventory", "82,983"]]
    liabilities = [["Payables", "80,757"], ["Bank loan", "(47,566)"], ["Bonds", "27,308"], ["Deferred tax", "1,176"], ["Accruals", "69,761"]]
    halves = "".join(_half(rows, padding="2px 16px", width="width:100%") for rows in (assets, liabilities))
    data, shown = _printed(f"<div style='display:grid;grid-template-columns:1fr 1fr;column-gap:12px;width:330px'>{halves}</div>")
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert read.split("\n\n") == [_rows_read(assets), _rows_read(liabilities)]
    assert read.replace("\n\n", "\n") == shown.rstrip("\n")


ONE_TABLE = [
    ["Country", "Population", "Capital", "Area"],
    ["France", "68,042", "Paris", "551,695"],
    ["Norway", "5,550", "Oslo", "385,207"],
    ["Portugal", "10,467", "Lisbon", "92,212"],
    ["Greece", "10,413", "Athens", "131,957"],
]


@needs_chromium
@pytest.mark.parametrize(("padding", "style"), [("4px 8px", ""), ("3px 8px", "width:100%"), ("6px 12px", "border:1px solid #888")])
def test_a_table_with_a_column_of_text_after_its_figures_is_read_by_rows(padding, style):
    """One table whose text column (a capital) follows a column of figures: the gutter
    before it is its cells' padding, as narrow as any other (the table stretched, the
    narrowest), and the table stays whole."""
    cells = "".join(
        "<tr>" + "".join(f"<td style='padding:{padding};{style};text-align:{'right' if number % 2 else 'left'}'>{cell}</td>" for number, cell in enumerate(row)) + "</tr>"
        for row in ONE_TABLE
    )
    data, shown = _printed(f"<table style='border-collapse:collapse;{'width:100%' if 'width' in style else ''}'>{cells}</table>")
    assert pdf.read_pdf(io.BytesIO(data), tables=True)[0] == _rows_read(ONE_TABLE) == shown.rstrip("\n")


def _rows_of(left_edges: tuple[float, ...], rights: tuple[bool, ...], count: int = 4) -> list[list[list]]:
    """Rows of four cells 20 points wide, a cell's box starting at its left edge, or ending
    at its edge plus 20 if ``rights`` says the column is set flush right (a shorter box of
    every other row: the rows' widths differ)."""
    rows = []
    for number in range(count):
        row = []
        for column, (left, right) in enumerate(zip(left_edges, rights)):
            width = 20 - 6 * (number % 2)
            start = left + 20 - width if right else left
            row.append([(start, 700 - 16 * number, start + width, 710 - 16 * number, 4 * number + column)])
        rows.append(row)
    return rows


def test_halves_are_apart_when_the_gutter_between_them_is_wider_than_those_within():
    flush = (False, True, False, True)
    # Gutters of 12 points within each half, 20 between them: two tables.
    assert pdf_tables._halves_apart(_rows_of((0, 32, 72, 104), flush), 2)
    # As wide as the others (a table's cells' padding alone): one table.
    assert not pdf_tables._halves_apart(_rows_of((0, 32, 64, 96), flush), 2)
    # The figures before the gutter not set flush right: no halves parted by it.
    assert not pdf_tables._halves_apart(_rows_of((0, 32, 72, 104), (False, False, False, True)), 2)
