"""A header cell set apart from its column's cells, centred (a ``<th>``'s default) or set
flush right over cells set flush left, is one cell of their column: it had stood as a
column of its own, the header row read with an empty first cell and every row below with
an empty cell more ("\\tPos\\tTeam" over "3\\t\\tGent SC"). See
``sources.ingest.pdf_tables._headers_over_figures``."""

from __future__ import annotations

import io

import pytest

from sources.ingest import pdf, pdf_tables
from tests.ingest.test_pdf_tables import needs_chromium
from tests.ingest.test_pdf_tables_accents import _printed


def _column(left: float, right: float, lines: list[int]) -> list[tuple[int, tuple]]:
    """A column's boxes, one on each of ``lines`` (a line's number, 0 the top), each
    ``left`` to ``right``."""
    return [(line, (left, 800 - 16 * line, right, 807 - 16 * line, 0)) for line in lines]


def _region(*columns: list[tuple[int, tuple]]) -> list[list]:
    lines: list[list] = [[] for _ in range(6)]
    for column in columns:
        for line, box in column:
            lines[line].append(box)
    return [sorted(line) for line in lines]


def test_a_header_alone_after_a_column_of_body_cells_alone_is_of_that_column():
    # "Pos" centred over ranks set flush left, figures flush right after them.
    ranks, header, figures = _column(72, 76, [1, 2, 3, 4, 5]), _column(90, 104, [0]), _column(160, 180, [0, 1, 2, 3, 4, 5])
    assert pdf_tables._headers_over_figures(_region(ranks, header, figures), [(76, 90), (104, 160)]) == [(104, 160)]


def test_a_header_between_two_columns_of_body_cells_alone_is_of_the_one_it_is_centred_over():
    # "Pos" centred over ranks (a cell from 72 to 122 centres it), names from 130: of the ranks.
    ranks, header, names = _column(72, 76, [1, 2, 3, 4, 5]), _column(90, 104, [0]), _column(130, 150, [1, 2, 3, 4, 5])
    figures = _column(200, 220, [0, 1, 2, 3, 4, 5])
    gutters = [(76, 90), (104, 130), (150, 200)]
    assert pdf_tables._headers_over_figures(_region(ranks, header, names, figures), gutters) == [(104, 130), (150, 200)]
    # "2019" set flush left over figures set flush right from 150 to 170, after labels up
    # to 100: no cell from 72 could centre it ending before 150, it is of the figures.
    labels, header, amounts = _column(72, 100, [1, 2, 3, 4, 5]), _column(110, 124, [0]), _column(150, 170, [1, 2, 3, 4, 5])
    gutters = [(100, 110), (124, 150), (170, 200)]
    assert pdf_tables._headers_over_figures(_region(labels, header, amounts, figures), gutters) == [(100, 110), (170, 200)]


WIDE = "<style>table{border-collapse:collapse;width:90%}td,th{padding:0}td.n,th.n{text-align:right}</style>"
BORDERED = (
    "<style>body{font-family:'DejaVu Sans Mono';font-size:8px;margin:10px}table{border-collapse:collapse;width:100%}"
    "td,th{border:2px solid #333;padding:4px 10px}td.n,th.n{text-align:right}tr:nth-child(even) td{background:#eee}</style>"
)


def _table(style: str, header: list[str], rows: list[list[str]], figures_from: int, header_style: str = "") -> str:
    """A table: the header's cells ``<th>`` (those over figures flush right), the body's
    cells before ``figures_from`` set flush left, those after flush right."""
    head = "".join(f"<th class=n>{cell}</th>" if index >= figures_from else f"<th{header_style}>{cell}</th>" for index, cell in enumerate(header))
    body = "".join("<tr>" + "".join(f"<td class=n>{cell}</td>" if index >= figures_from else f"<td>{cell}</td>" for index, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"{style}<table><tr>{head}</tr>{body}</table>"


LIABILITIES = [
    ["In straße", "4,147", "2,648"],
    ["Número cash", "(3,306)", "2,426"],
    ["Market report", "7,891", "(2,953)"],
    ["Account team", "(8,611)", "4,205"],
    ["Value", "(8,732)", "2,936"],
]
STANDINGS = [
    ["3", "Gent SC", "36", "15", "8", "13", "61", "43", "+18", "53"],
    ["5", "Århus SC", "16", "7", "0", "9", "26", "25", "+1", "21"],
    ["6", "München United", "24", "17", "7", "0", "26", "39", "-13", "58"],
    ["8", "Lyon", "20", "9", "4", "7", "30", "28", "+2", "31"],
]
TABLES = {
    # "Liability" centred in a wide first column, right of its labels.
    "a label column's header centred": _table(WIDE, ["Liability", "Team", "Flow"], LIABILITIES, 1),
    # "Pos" centred over ranks set flush left, a bordered table of standings.
    "a rank column's header centred": _table(BORDERED, ["Pos", "Team", "P", "W", "D", "L", "GF", "GA", "GD", "Pts"], STANDINGS, 2),
    # "Team" centred right of short names too.
    "two headers centred": _table(BORDERED, ["Pos", "Team", "P", "W", "D", "L", "GF", "GA", "GD", "Pts"], [[rank, name.split()[0], *rest] for rank, name, *rest in STANDINGS], 2),
    # "Pos" and "Team" each centred in a wide cell, right of ranks and of short names.
    "a rank and a name column's headers centred": _table(
        BORDERED, ["Pos", "Team", "P", "W", "D", "L", "GF", "GA", "GD", "Pts"], [[rank, name.split()[0], *rest] for rank, name, *rest in STANDINGS], 2
    )
    .replace("<th>Pos</th>", "<th style='width:15%'>Pos</th>")
    .replace("<th>Team</th>", "<th style='width:30%'>Team</th>"),
    # A header set flush right over labels set flush left.
    "a label column's header flush right": _table(WIDE, ["Liability", "Team", "Flow"], LIABILITIES, 1, " style='text-align:right'"),
}


@needs_chromium
@pytest.mark.parametrize("layout", list(TABLES))
def test_a_header_set_apart_from_its_columns_cells_is_one_cell_of_it(layout):
    data, shown = _printed(TABLES[layout])
    assert pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n") == shown.rstrip("\n").split("\n")
