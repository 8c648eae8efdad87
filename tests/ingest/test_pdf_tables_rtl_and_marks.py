"""A right-to-left table (Hebrew, Arabic) is read with each row's cells from the right, as
a browser copies them, its first column at the right; a left-to-right table holding a
column of Hebrew names is read from the left. A timetable's "|" (the train does not stop)
set flush left among times set flush right is a cell of the column it stands in: it had
narrowed the gutter before it, two columns read as one ("12:51 13:39"), or cut it in two,
an empty column more on every other row."""

from __future__ import annotations

import io

import pytest

from sources.ingest import pdf, pdf_tables
from tests.ingest.test_pdf_tables import needs_chromium
from tests.ingest.test_pdf_tables_accents import _printed


def _html_table(rows: list[list[str]], style: str, attributes: str = "", figures: bool = True) -> str:
    """A table whose first row is its header (``th``), its cells after the first set flush
    right (``class=n``) when ``figures``."""
    lines = []
    for number, row in enumerate(rows):
        tag = "th" if number == 0 else "td"
        lines.append("<tr>" + "".join(f"<{tag}{' class=n' if figures and index else ''}>{cell}</{tag}>" for index, cell in enumerate(row)) + "</tr>")
    return f"<style>{style}</style><table{attributes}>{''.join(lines)}</table>"


def _read(body: str) -> tuple[list[str], list[str]]:
    data, shown = _printed(body)
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    return [line for line in read.split("\n") if line.strip()], [line for line in shown.split("\n") if line.strip()]


HEBREW = [
    ["שם", "כמות", "מחיר"],
    ["הכנסות עולם", "3,858", "4,473"],
    ["שנה שלום", "9,328", "9,521"],
    ["חשבון", "651", "2,066"],
    ["הוצאות סך", "5,656", "3,781"],
]
ARABIC = [
    ["البند", "الكمية", "السعر"],
    ["الإيرادات", "1,204", "3,310"],
    ["المصروفات", "870", "1,045"],
    ["الضرائب", "96", "412"],
    ["الأرباح", "2,530", "7,118"],
]


@needs_chromium
@pytest.mark.parametrize(
    "rows, style, around",
    [
        (HEBREW, "table{border-collapse:collapse}td,th{border:1px solid #000;padding:2px 6px}", "<div dir=rtl>{}</div>"),
        (HEBREW, "body{font-family:'Liberation Serif';font-size:12px}table{border-collapse:collapse}td,th{border:1px solid #000;padding:2px 10px}", "{}"),
    ],
)
def test_a_right_to_left_table_is_read_with_its_cells_from_the_right(rows, style, around):
    attributes = " dir=rtl" if around == "{}" else ""
    read, shown = _read(around.format(_html_table(rows, style, attributes, figures=False)))
    expected = ["\t".join(row) for row in rows]
    assert shown == expected
    assert read == expected


@needs_chromium
def test_an_arabic_table_is_read_with_its_cells_from_the_right():
    # Each cell's own text as the reader gives it (an Arabic word's letters drawn joined);
    # its figures in their columns' order from the right.
    style = "body{font-size:14px}table{border-collapse:collapse}td,th{border:1px solid #333;padding:3px 8px}"
    read, shown = _read(f"<div dir=rtl>{_html_table(ARABIC, style, figures=False)}</div>")
    assert shown == ["\t".join(row) for row in ARABIC]
    assert [line.split("\t")[1:] for line in read[1:]] == [row[1:] for row in ARABIC[1:]]


@needs_chromium
def test_a_left_to_right_table_with_a_column_of_hebrew_names_is_read_from_the_left():
    rows = [["Name", "Qty", "Price"], ["דוד כהן", "3,858", "4,473"], ["שרה לוי", "9,328", "9,521"], ["משה", "651", "2,066"], ["רחל אברהם", "5,656", "3,781"]]
    read, shown = _read(_html_table(rows, "table{border-collapse:collapse}td,th{border:1px solid #000;padding:2px 6px}td.n,th.n{text-align:right}"))
    assert read == shown == ["\t".join(row) for row in rows]


def _cells(*texts: str) -> list[list]:
    return [[(100.0 * number, 700.0, 100.0 * number + 40, 710.0, text)] if text else [] for number, text in enumerate(texts)]


def _text_of(cell: list) -> str:
    return "".join(box[4] for box in cell)


def test_a_table_mostly_of_hebrew_its_labels_at_the_right_is_right_to_left():
    rows = [_cells("מחיר", "כמות", "שם"), _cells("4,473", "3,858", "הכנסות"), _cells("9,521", "9,328", "שלום"), _cells("2,066", "651", "חשבון")]
    assert pdf_tables._right_to_left(rows, _text_of)


@pytest.mark.parametrize(
    "header",
    [
        ("Name", "Qty", "Price"),  # a heading in Latin letters over the names
        ("מחיר", "כמות", "Name"),  # the rightmost column's heading in Latin letters
    ],
)
def test_a_table_with_hebrew_names_under_a_latin_heading_is_left_to_right(header):
    rows = [_cells(*header), _cells("4,473", "3,858", "הכנסות"), _cells("9,521", "9,328", "שלום"), _cells("2,066", "651", "חשבון")]
    assert not pdf_tables._right_to_left(rows, _text_of)


def test_a_hebrew_table_whose_rightmost_column_holds_figures_is_left_to_right():
    # Names at the left, figures at the right: a left-to-right table's layout.
    rows = [_cells("שם", "כמות", "מחיר"), _cells("הכנסות", "3,858", "4,473"), _cells("שלום", "9,328", "9,521"), _cells("חשבון", "651", "2,066")]
    assert not pdf_tables._right_to_left(rows, _text_of)


def test_a_bar_standing_alone_is_a_lone_mark_and_a_figure_is_none():
    band = [(10.0, 700.0, 40.0, 709.0, 0), (122.9, 700.0, 123.4, 709.0, 1), (190.0, 700.0, 211.4, 706.7, 2), (281.2, 700.0, 284.7, 706.5, 3)]
    texts = {0: "Brno", 1: "|", 2: "05:39", 3: "7"}
    assert pdf_tables._lone_marks([band], lambda cell: "".join(texts[box[4]] for box in cell)) == {1}
    assert pdf_tables._lone_marks([band], None) == set()


TIMETABLE = [
    ["Station", "RE 62", "S 687", "S 305", "TGV 428"],
    ["Lille", "05:39", "11:13", "06:04", "12:41"],
    ["Linz", "05:49", "|", "06:38", "12:53"],
    ["Brno", "|", "11:44", "06:45", "13:05"],
    ["Graz", "07:45", "12:43", "|", "13:42"],
    ["Porto", "08:24", "13:01", "08:38", "14:21"],
]


def _timetable(rows: list[list[str]], style: str) -> str:
    lines = []
    for number, row in enumerate(rows):
        tag = "th" if number == 0 else "td"
        lines.append("<tr>" + "".join(f"<{tag}{' class=n' if index and cell != '|' else ''}>{cell}</{tag}>" for index, cell in enumerate(row)) + "</tr>")
    return f"<style>{style}</style><table>{''.join(lines)}</table>"


@needs_chromium
@pytest.mark.parametrize(
    "style",
    [
        "body{font-size:13px}table{border-collapse:collapse;width:90%}td,th{border:1px solid #000;padding:2px 6px}td.n,th.n{text-align:right}",
        "body{font-size:11px}table{border-collapse:collapse;width:80%}td,th{border:1px solid #000;padding:4px 8px}td.n,th.n{text-align:right}",
        # The "|" of Brno between labels set flush left and times set flush right goes the
        # way the others went, into the column after it.
        "body{font-family:'DejaVu Sans';font-size:10px}table{border-collapse:collapse;width:70%}td,th{border:1px solid #000;padding:3px 8px}"
        "td.n,th.n{text-align:right}",
    ],
)
def test_a_timetable_with_bars_flush_left_is_read_by_rows(style):
    read, shown = _read(_timetable(TIMETABLE, style))
    assert read == shown == ["\t".join(row) for row in TIMETABLE]


@needs_chromium
def test_a_bar_in_the_gutter_before_times_of_one_width_merges_no_two_columns():
    # Cells of 3 pixels' padding: the bar stands 8.6 points after the times before it, and
    # had left the gutter narrower than a gutter ("12:51 13:39" one cell). The times all of
    # one width, no column is told flush right from the others: read as without tables.
    data, _ = _printed(
        "<style>body{font-family:'DejaVu Sans';font-size:8px;margin:40px}table{border-collapse:separate;width:auto}td,th{border:1px solid #000;padding:1px 3px}td.n,th.n{text-align:right}tr:nth-child(even) td{background:#eee}</style>"
        '<h2>Período Data Café Income Value Price</h2><table><tr><th>Station</th><th class="n">IC 734</th><th class="n">S 532</th><th class="n">IC 257</th><th class="n">RE 817</th><th class="n">IC 441</th><th class="n">IC 588</th><th class="n">RE 784</th></tr><tr><td>Málaga</td><td>|</td><td class="n">08:50</td><td class="n">11:44</td><td>|</td><td>|</td><td class="n">16:55</td><td class="n">19:35</td></tr><tr><td>Gent</td><td class="n">16:49</td><td class="n">09:20</td><td class="n">12:51</td><td class="n">13:39</td><td class="n">18:56</td><td>|</td><td class="n">20:18</td></tr><tr><td>Lille</td><td class="n">17:21</td><td class="n">09:41</td><td class="n">13:15</td><td class="n">14:13</td><td class="n">19:15</td><td class="n">17:54</td><td class="n">20:48</td></tr><tr><td>Linz</td><td>|</td><td class="n">10:06</td><td class="n">13:39</td><td class="n">14:46</td><td class="n">19:41</td><td class="n">18:13</td><td class="n">21:13</td></tr><tr><td>Århus</td><td class="n">17:52</td><td class="n">10:21</td><td class="n">13:50</td><td class="n">15:16</td><td>|</td><td class="n">18:45</td><td class="n">21:36</td></tr></table>'
    )
    with_tables = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert "12:51 13:39" not in with_tables
    assert with_tables == pdf.read_pdf(io.BytesIO(data), tables=False)[0]
