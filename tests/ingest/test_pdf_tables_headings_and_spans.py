"""A heading set just above a table, or above each of two tables side by side, is read on a
line of its own, as a browser copies it, not into the header's first cell; a label
centred beside the rows it spans (``rowspan``) is read in the first of them, the rows
below without its cell, as a browser copies them. See ``sources.ingest.pdf_tables``
(``_headings``, ``_spans_joined``, ``_spans_of_three``)."""

from __future__ import annotations

import io

import pytest

from sources.ingest import pdf, pdf_tables
from tests.ingest.test_pdf_tables import _printed, _read, _table, needs_chromium


def _lines(text: str) -> list[str]:
    """A reading's lines but the empty ones (a browser sets no empty line between a heading
    and its table; the reader sets one between blocks)."""
    return [line for line in text.split("\n") if line.strip()]


def _half(rows: list[tuple[str, str]], padding: str) -> str:
    cells = f"<tr><th style='padding:{padding};text-align:left'>Item</th><th style='padding:{padding};text-align:right'>Amount</th></tr>"
    cells += "".join(f"<tr><td style='padding:{padding}'>{label}</td><td style='padding:{padding};text-align:right'>{amount}</td></tr>" for label, amount in rows)
    return f"<table style='border-collapse:collapse'>{cells}</table>"


PAYMENTS = [("Basic salary", "3,250.00"), ("Overtime", "412.50"), ("Holiday pay", "180.00"), ("Bonus", "500.00")]
DEDUCTIONS = [("Income tax", "702.15"), ("Pension", "162.50"), ("Loan", "94.00")]


@needs_chromium
@pytest.mark.parametrize(("headed", "padding", "gap"), [("both", "3px 6px", 30), ("both", "2px 4px", 12), ("both", "6px 12px", 40), ("left", "3px 6px", 30)])
def test_a_heading_above_each_of_two_tables_side_by_side_is_read_on_a_line_of_its_own(headed, padding, gap):
    """A payslip's payments and deductions side by side, "Payments" set just above the
    first and "Deductions" above the second (or above the first only, on the line of the
    second's header): parted as two tables, each heading had been read into its header's
    first cell, "Payments Item\\tAmount"."""
    deductions_heading = "<b>Deductions</b>" if headed == "both" else ""
    data, shown = _printed(
        f"<div style='display:flex;gap:{gap}px'><div><b>Payments</b>{_half(PAYMENTS, padding)}</div>"
        f"<div>{deductions_heading}{_half(DEDUCTIONS, padding)}</div></div>"
    )
    read = _lines(pdf.read_pdf(io.BytesIO(data), tables=True)[0])
    assert read == _lines(shown)
    assert read[:2] == ["Payments", "Item\tAmount"]


@needs_chromium
@pytest.mark.parametrize("font", ["sans-serif", "serif"])
def test_a_heading_just_above_a_table_beside_its_unit_is_not_read_into_its_header(font):
    """A table's title set flush left just above it, its unit at the right: their line,
    split by a gutter, began the table, the title (wider than the first column) taken for
    a header cell spanning two columns, "Exports by good Item 2024\\t2025"."""
    rows = [["Item", "2024", "2025"], ["Grain", "1,211.8", "7,534"], ["Steel", "6,401.2", "7,397"], ["Cotton", "4,056.4", "8,331.7"], ["Wool", "3,443.55", "445.4"]]
    cells = "".join(
        "<tr>" + "".join(f"<td style='padding:4px 8px;text-align:{'left' if column == 0 else 'right'}'>{text}</td>" for column, text in enumerate(row)) + "</tr>"
        for row in rows
    )
    data, _ = _printed(
        f"<div style='font-family:{font}'><p>Exports by good, as reported.</p>"
        "<div style='display:flex;justify-content:space-between;width:60%'><b>Exports by good</b><span>EUR million</span></div>"
        f"<table style='border-collapse:collapse'>{cells}</table></div>"
    )
    read = _lines(pdf.read_pdf(io.BytesIO(data), tables=True)[0])
    assert "Exports by good" in read
    assert read[read.index("Exports by good") + 1 :][: len(rows)] == ["\t".join(row) for row in rows]


def test_a_header_cells_first_line_alone_above_the_header_stays_in_its_cell():
    # The first header cell wrapped, its first line alone above the rest of the header,
    # flush with its column's pieces: a line of the cell, no heading.
    box = lambda left, top, width: (left, top - 10, left + width, top)  # noqa: E731
    lines = [
        [[(*box(72, 720, 40), 0)], [], []],
        [[(*box(72, 706, 40), 1)], [(*box(240, 706, 20), 2)], [(*box(320, 706, 20), 3)]],
        [[(*box(72, 686, 60), 4)], [(*box(240, 686, 20), 5)], [(*box(320, 686, 20), 6)]],
    ]
    assert pdf_tables._headings(lines, 0) == set()
    # Set 9 points further left, outside the cells' padding, it is a heading.
    lines[0][0] = [(*box(63, 720, 40), 0)]
    assert pdf_tables._headings(lines, 0) == {lines[0][0][0]}


def _spanning_table(span: int, align: str, padding: str, border: bool = False) -> tuple[str, list[str]]:
    """A table of regions, each a label spanning ``span`` rows of goods and figures, and
    what a browser copies of it."""
    line = "border:1px solid #888;" if border else ""
    goods = iter(["Grain", "Steel", "Oil", "Gas", "Copper", "Timber", "Cotton", "Coffee", "Sugar"])
    figures = iter(f"{number * 137.31 % 9000:,.2f}" for number in range(1, 40))
    html = f"<tr><th style='{line}padding:{padding};text-align:left'>Region</th><th style='{line}padding:{padding};text-align:left'>Good</th>"
    html += "".join(f"<th style='{line}padding:{padding};text-align:right'>{year}</th>" for year in ("2024", "2025")) + "</tr>"
    copied = ["Region\tGood\t2024\t2025"]
    for region in ["North", "South", "East"][: 6 // span]:
        for number in range(span):
            cells = [next(goods), next(figures), next(figures)]
            label = f"<td rowspan={span} style='{line}padding:{padding};vertical-align:{align}'>{region}</td>" if number == 0 else ""
            html += "<tr>" + label + "".join(f"<td style='{line}padding:{padding};text-align:{'left' if column == 0 else 'right'}'>{text}</td>" for column, text in enumerate(cells)) + "</tr>"
            copied.append("\t".join([region, *cells] if number == 0 else cells))
    return f"<table style='border-collapse:collapse'>{html}</table>", copied


@needs_chromium
@pytest.mark.parametrize(
    ("span", "padding", "border"),
    [(2, "4px 8px", False), (3, "4px 8px", False), (3, "3px 6px", True), (2, "6px 12px", True), (3, "8px 10px", False)],
)
def test_a_label_centred_beside_the_rows_it_spans_is_read_in_the_first_the_rows_below_without_its_cell(span, padding, border):
    """Labels centred beside two or three rows each: a label beside three stands on the
    middle one's line and had been read in it, its first row read with an empty cell
    ("\\tGrain"), as every row below a spanning label had been; a browser copies the label
    in the first row and the rows below without its cell."""
    html, copied = _spanning_table(span, "middle", padding, border)
    data, shown = _printed(html)
    assert _lines(shown) == copied
    assert _lines(pdf.read_pdf(io.BytesIO(data), tables=True)[0]) == copied


def test_labels_each_centred_beside_three_rows_drawn_are_read_in_the_first():
    rows = [["Region", "2023", "2024"]]
    for region in ["North", "South"]:
        rows += [["", "1.5", "2.25"], [region, "3.5", "4.75"], ["", "5.5", "6.25"]]
    lines = _read([_table(rows, rights=(260, 340), pitch=18)]).split("\n")
    assert lines == ["Region\t2023\t2024", "North\t1.5\t2.25", "3.5\t4.75", "5.5\t6.25", "South\t1.5\t2.25", "3.5\t4.75", "5.5\t6.25"]


def test_labels_a_row_apart_each_with_an_empty_cell_below_keep_their_rows():
    # "Iraq", "", "Other partners", "": two labels set at the top of two rows each, or a
    # row and a label centred beside three; the boxes cannot tell, and the labels stay in
    # the rows they stand on, the empty cells empty.
    rows = [["Partner", "2023", "2024"], ["Iran", "1.5", "2.25"], ["Iraq", "3.5", "4.75"], ["", "5.5", "6.25"], ["Other partners", "7.5", "8.25"], ["", "9.5", "10.25"], ["Total", "11.5", "12.25"]]
    lines = _read([_table(rows, rights=(260, 340), pitch=18)]).split("\n")
    assert lines == ["\t".join(row) for row in rows]


def test_a_column_of_labels_some_of_them_empty_keeps_its_labels_in_their_rows():
    # A label between two empty ones below the header, as a label centred beside three
    # rows stands, and below them an empty one no such label accounts for: a column of
    # labels of which some rows' are empty.
    rows = [["Item", "2023", "2024"], ["", "1.5", "2.25"], ["Exports", "3.5", "4.75"], ["", "5.5", "6.25"], ["", "7.5", "8.25"], ["Imports", "9.5", "10.25"]]
    lines = _read([_table(rows, rights=(260, 340), pitch=18)]).split("\n")
    assert lines == ["\t".join(row) for row in rows]
