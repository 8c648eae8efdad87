"""A table drawn row by row is read a row a line, its cells left to right apart by a tab,
as a browser copies a table; what is no table is read as before. See
``sources.ingest.pdf_tables`` and ``sources.ingest.pdf._table_lines``."""

from __future__ import annotations

import io
import os
import shutil
import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.ingest import pdf, pdf_tables
from tests.documents import PAGE_HEIGHT, pdf_bytes

# Helvetica's advance widths (thousandths of an em) of what figures are written with: all
# digits are of one width, so a column of figures can be set flush right by hand.
FIGURE_WIDTHS = {**dict.fromkeys("0123456789", 556), ",": 278, ".": 278, "-": 333, "%": 889, " ": 278, "b": 556, "n": 556}


def _width(text: str, size: float = 10) -> float:
    return sum(FIGURE_WIDTHS[character] for character in text) * size / 1000


def _read(pages, **kwargs) -> str:
    return pdf.read_pdf(io.BytesIO(pdf_bytes(pages, **kwargs)), tables=True)[0]


def _table(rows: list[list[str]], top: float = 700, pitch: float = 16, rights: tuple[float, ...] = (260, 340, 420), size: float = 10, ys=None) -> list:
    """A table drawn row by row: each row's label at x = 72, its figures flush right at
    ``rights``, rows ``pitch`` apart from ``top`` down (or at ``ys``)."""
    drawn = []
    for number, (label, *figures) in enumerate(rows):
        y = ys[number] if ys else top - pitch * number
        drawn.append((72, y, label, size))
        drawn += [(right - _width(figure, size), y, figure, size) for right, figure in zip(rights, figures) if figure]
    return drawn


ROWS = [
    ["Partner", "2019", "2020", "2021"],
    ["Exports to Iran", "1.2 bn", "1,340.5", "-0.4%"],
    ["Imports from Iran", "0.4 bn", "912.0", "12.5"],
    ["Balance", "0.8 bn", "428.5", "3,001"],
]


def test_a_table_drawn_row_by_row_is_read_a_row_a_line_its_cells_apart_by_a_tab():
    assert _read([_table(ROWS)]) == "\n".join("\t".join(row) for row in ROWS)


def test_a_table_drawn_a_column_at_a_time_is_read_a_row_a_line():
    drawn = _table(ROWS)
    by_column = sorted(drawn, key=lambda item: item[0])
    assert _read([by_column]) == "\n".join("\t".join(row) for row in ROWS)


def test_an_empty_cell_is_an_empty_field_between_tabs():
    rows = [row[:] for row in ROWS]
    rows[2][2] = ""
    assert _read([_table(rows)]).split("\n")[2] == "Imports from Iran\t0.4 bn\t\t12.5"


def test_a_cell_wrapped_over_two_lines_is_read_in_its_row_its_lines_apart_by_a_space():
    # Lines 11 points apart, rows 16 (their cells' padding): the second row's label wraps,
    # its second line a line below its first, the next row a row below that.
    drawn = _table(ROWS, ys=[700, 684, 657, 641])
    drawn.append((72, 673, "and Iraq", 10))
    lines = _read([drawn]).split("\n")
    assert lines[1] == "Exports to Iran and Iraq\t1.2 bn\t1,340.5\t-0.4%"
    assert lines[2] == "Imports from Iran\t0.4 bn\t912.0\t12.5"


def test_rows_below_a_row_with_a_superscript_stay_rows_of_their_own():
    # A footnote mark raised after a header and after a figure: their lines' tops are
    # higher, and the rows below, all of one pitch, are no lines of a wrapped cell.
    rows = [*ROWS, ["Iraq", "45.2", "51.9", "14.8%"], ["Total", "13.2 bn", "12,239.2", "-7.8%"]]
    drawn = _table(rows) + [(340.5, 704, "a", 7), (340.5, 672, "1", 7)]
    lines = _read([drawn]).split("\n")
    # The marks, drawn last, are read beside their figures as a line drawn out of order is.
    assert lines == ["Partner\t2019\t2020 a\t2021", "Exports to Iran\t1.2 bn\t1,340.5\t-0.4%", "Imports from Iran\t0.4 bn\t912.0 1\t12.5", *("\t".join(row) for row in rows[3:])]


def test_full_rows_closer_than_the_header_row_is_to_them_are_rows_of_their_own():
    # The header set 20 points above the first row, the rows 16 apart: two distances, as
    # a wrapped cell's lines and rows give, but no line leaves a cell empty.
    lines = _read([_table(ROWS, ys=[704, 684, 668, 652])]).split("\n")
    assert lines == ["\t".join(row) for row in ROWS]


def test_a_table_among_prose_is_read_in_its_place_and_the_prose_as_before():
    prose_above = [(72, 740, "The figures below are in billions of dollars, as reported by customs."), (72, 727, "They are provisional.")]
    prose_below = [(72, 600, "Sources: national customs offices.")]
    text = _read([prose_above + _table(ROWS) + prose_below])
    table = "\n".join("\t".join(row) for row in ROWS)
    assert text == "The figures below are in billions of dollars, as reported by customs.\nThey are provisional.\n\n" + table + "\n\nSources: national customs offices."


def test_a_table_beside_a_column_of_prose_is_read_by_rows_and_the_prose_as_a_column():
    # The prose begins below the table's first row: that row alone leaves no gutter
    # between the two.
    prose = [(330, 709 - 12 * line, f"Line {line} of the column of prose beside the table goes on.") for line in range(12)]
    table = _table(ROWS, rights=(210, 265, 310), top=716)
    text = _read([prose + table])
    assert "\n".join("\t".join(row) for row in ROWS) in text
    assert "\n".join(f"Line {line} of the column of prose beside the table goes on." for line in range(12)) in text


def test_labels_and_values_set_flush_left_are_read_as_before_a_column_at_a_time():
    # A form's labels and values: no column set flush right, no table.
    drawn = []
    for number, (label, value) in enumerate([("Name:", "Anna van der Berg"), ("Date:", "4 March 2025"), ("Reference:", "AB-1234"), ("Country:", "Iran")]):
        drawn += [(72, 700 - 16 * number, label), (160, 700 - 16 * number, value)]
    assert _read([drawn]) == "Name:\n\nDate:\n\nReference:\n\nCountry:\n\nAnna van der Berg\n\n4 March 2025\n\nAB-1234\n\nIran"


def test_two_columns_of_prose_are_read_a_column_at_a_time():
    left = [(72, 720 - 12 * line, f"Left column line {line} of the article, its text.") for line in range(10)]
    right = [(320, 720 - 12 * line, f"Right column line {line} of the article, text.") for line in range(10)]
    text = _read([left + right])
    assert text.split("\n\n") == [
        "\n".join(f"Left column line {line} of the article, its text." for line in range(10)),
        "\n".join(f"Right column line {line} of the article, text." for line in range(10)),
    ]


PAGES = 4


def _report_page(page: int) -> list:
    """A page of a report: a running head in smaller type (a title, and the page number
    flush right over the table's last column), a table close below it, a page number at
    the foot."""
    rows = [ROWS[0]] + [[f"Partner {page}.{number}", f"{number}.{page} bn", f"{page},{number}00.5", f"-0.{number}%"] for number in range(1, 7)]
    furniture = [(72, 722, "Annual report", 8), (420 - _width(str(page), 8), 722, str(page), 8), (290, 60, f"Page {page}", 8)]
    return furniture + _table(rows, top=704)


def test_running_heads_and_page_numbers_are_no_rows_of_a_table_and_are_still_dropped():
    text = _read([_report_page(page) for page in range(1, PAGES + 1)])
    assert "Annual report" not in text
    assert "Page " not in text
    lines = text.split("\n")
    assert all(line.count("\t") == 3 for line in lines if line)  # no phantom column
    assert lines[0] == "\t".join(ROWS[0])


def test_a_header_row_repeated_at_the_top_of_each_page_is_kept():
    pages = [_table([ROWS[0]] + [[f"Row {page}.{number}", "1.0", "2.0", "3.0"] for number in range(6)]) for page in range(PAGES)]
    text = _read(pages)
    assert text.count("\t".join(ROWS[0])) == PAGES


def _flipped_cell(text: str, right: float, y: float, how: str) -> bytes:
    """``text`` drawn from the cell's right edge leftwards, with a mirrored text matrix
    (``-1 0 0 1``) or a negative type size (upside down): its characters' boxes run right to
    left, their order in the page's text left to right."""
    if how == "negative size":
        return b"BT /F1 -10 Tf 1 0 0 1 %.2f %.2f Tm (%s) Tj ET\n" % (right, y + 7, text.encode())
    return b"BT /F1 10 Tf -1 0 0 1 %.2f %.2f Tm (%s) Tj ET\n" % (right, y, text.encode())


@pytest.mark.parametrize("how", ["mirrored matrix", "negative size"])
def test_a_cell_drawn_from_the_right_is_read_in_the_order_pdfium_gives_its_characters(how):
    rows = [["Partner", "2019", "2020"], ["Exports", "1.2", ""], ["Imports", "0.4", ""], ["Balance", "10.8", ""]]
    drawn = _table(rows, rights=(260, 340))
    flipped = b"".join(_flipped_cell(figure, 340, 700 - 16 * number, how) for number, figure in [(1, "12.5"), (2, "30.17"), (3, "4.9")])
    lines = _read([drawn], extra_page_content=flipped).split("\n")
    assert lines[1:] == ["Exports\t1.2\t12.5", "Imports\t0.4\t30.17", "Balance\t10.8\t4.9"]


def _letter_spaced(text: str, x: float, y: float, spacing: float) -> list:
    """``text`` drawn a glyph at a time, ``spacing`` points of extra space after each."""
    drawn = []
    for character in text:
        drawn.append((x, y, character, 10))
        x += {"N": 7.22, "a": 5.56, "m": 8.33, "e": 5.56, "T": 6.11, "o": 5.56, "t": 2.78, "l": 2.22}[character] + spacing
    return drawn


@pytest.mark.parametrize("spacing", [1.0, 1.5, 6])
def test_a_letter_spaced_cell_is_one_cell_its_letters_not_set_apart_by_spaces(spacing):
    # Letters drawn one at a time, as far apart as a word space or more but not a gutter:
    # one cell, read as PDFium reads those letters in a block drawn in order ("Name").
    rows = [["", "2019", "2020", "2021"], ["Exports to Iran", "1.2 bn", "1,340.5", "-0.4%"], ["Imports", "0.4 bn", "912.0", "12.5"], ["", "0.8 bn", "428.5", "3,001"]]
    drawn = _table(rows) + _letter_spaced("Name", 72, 700, spacing) + _letter_spaced("Total", 72, 652, spacing)
    lines = _read([drawn]).split("\n")
    assert lines[0] == "Name\t2019\t2020\t2021"
    assert lines[1:3] == ["\t".join(rows[1]), "\t".join(rows[2])]
    assert lines[3].endswith("\t0.8 bn\t428.5\t3,001") and lines[3].count("\t") == 3
    if spacing < 2:
        assert lines[3].startswith("Total\t")


def test_a_glyph_without_a_character_is_read_in_a_cell_as_elsewhere_never_as_a_replacement_mark():
    # Code 1 of ZapfDingbats names no glyph: PDFium gives a control character for it,
    # which the text leaves out, between two glyphs it reads.
    font = b"/Z << /Type /Font /Subtype /Type1 /BaseFont /ZapfDingbats >>"
    cell = b"BT /Z 10 Tf 1 0 0 1 %.2f %.2f Tm (A\x01B) Tj ET\n"
    elsewhere = _read([[(72, 720, "Reference line.")]], fonts=font, extra_page_content=cell % (72, 650)).split("\n")[-1]
    rows = [*ROWS, ["", "9.9 bn", "1.5", "7"]]
    text = _read([_table(rows)], fonts=font, extra_page_content=cell % (72, 700 - 16 * 4))
    assert text.split("\n")[-1] == f"{elsewhere}\t9.9 bn\t1.5\t7"
    assert "\ufffd" not in text


def test_a_page_without_three_lines_split_by_a_gutter_is_not_searched_for_tables(monkeypatch):
    searched = []
    regions = pdf_tables._regions
    monkeypatch.setattr(pdf_tables, "_regions", lambda *args: searched.append(1) or regions(*args))
    prose = [(72, 720 - 12 * line, f"Line {line} of a page of prose, with words set a word space apart.") for line in range(50)]
    assert _read([prose]).count("\n") == 49
    assert searched == []


def test_a_table_of_five_thousand_rows_is_read_exactly_and_fast():
    rows_per_page = 45
    pages, expected = [], []
    for page in range(5000 // rows_per_page + 1):
        rows = [[f"Item {page}.{n}", f"{n * 37 % 1000}.{page % 10}", f"{page},{n:03d}", f"-{n}.5%"] for n in range(rows_per_page)]
        rows = rows[: 5000 - len(expected)]
        if not rows:
            break
        expected += rows
        pages.append(_table(rows, top=PAGE_HEIGHT - 60, pitch=15))
    data = pdf_bytes(pages)
    started = time.process_time()
    text = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    seconds = time.process_time() - started
    assert text.replace("\n\n", "\n") == "\n".join("\t".join(row) for row in expected)
    assert seconds < 10


def test_a_table_of_five_thousand_rows_on_one_page_is_read_exactly_and_fast():
    # A page 75,000 points tall: the XY cut alone took 34 s over its 20,000 runs.
    height = 5000 * 15 + 100
    rows = [[f"Item {n}", f"{n * 37 % 1000}.5", f"{n:04d}", f"-{n % 97}.5%"] for n in range(5000)]
    data = pdf_bytes([_table(rows, top=height - 50, pitch=15)], media_box=(0, 0, 612, height))
    started = time.process_time()
    text = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    seconds = time.process_time() - started
    assert text == "\n".join("\t".join(row) for row in rows)
    assert seconds < 5


_WORDS = st.sampled_from(["Iran", "exports", "oil", "gas", "Total", "of", "grain", "steel", "N", "a", "x"])
_FIGURES = st.sampled_from(["1.2", "12,345.6", "-0.4%", "7", "0.5115", "1970", "3 bn", "88"])


@st.composite
def _layouts(draw):
    """A page of a table (or lines that look like one), prose and lines in columns, drawn
    in any order."""
    drawn = []
    rows = draw(st.integers(1, 8))
    rights = sorted(draw(st.lists(st.integers(180, 560), min_size=1, max_size=4, unique=True)))
    top = draw(st.integers(300, 740))
    pitch = draw(st.sampled_from([11, 12, 14, 16, 20, 26]))
    for number in range(rows):
        y = top - pitch * number
        drawn.append((72, y, " ".join(draw(st.lists(_WORDS, min_size=1, max_size=3)))))
        for right in rights:
            if draw(st.booleans()) or number == 0:
                figure = draw(_FIGURES)
                drawn.append((right - _width(figure), y, figure))
    for _ in range(draw(st.integers(0, 6))):
        drawn.append((draw(st.integers(40, 400)), draw(st.integers(60, 760)), " ".join(draw(st.lists(_WORDS, min_size=1, max_size=8)))))
    return draw(st.permutations(drawn))


def test_a_word_drawn_over_a_tables_first_cell_is_neither_lost_nor_read_twice():
    # "exports" overlaps the first "Iran": PDFium reads one of the glyphs under both.
    drawn = [(72, 300, "Iran"), (166.1, 300, "1.2"), (72, 289, "Iran"), (166.1, 289, "1.2"), (72, 278, "Iran"), (141.08, 278, "12,345.6"), (72, 267, "Iran"), (40, 306, "exports")]
    data = pdf_bytes([drawn])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_tables, "tables", lambda *arguments: [])
        before = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert _characters(pdf.read_pdf(io.BytesIO(data), tables=True)[0]) == _characters(before)


def _characters(text: str) -> Counter:
    return Counter(character for character in text if not character.isspace())


@settings(max_examples=150, deadline=None)
@given(_layouts())
def test_no_character_is_lost_or_repeated_whatever_the_layout(drawn):
    # Read as before tables were looked for (PDFium itself drops a glyph drawn twice over
    # itself, as a fake bold is drawn): the same characters, as many times each.
    data = pdf_bytes([drawn])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_tables, "tables", lambda *arguments: [])
        before = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert _characters(pdf.read_pdf(io.BytesIO(data), tables=True)[0]) == _characters(before)


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM) or shutil.which("chromium") is None, reason="needs Debian's Chromium at /usr/bin/chromium")
def test_a_table_printed_by_chromium_is_read_as_chromium_copies_it():
    from playwright.sync_api import sync_playwright

    cells = "".join(
        f"<tr><td style='padding:4px 8px'>{label}</td>" + "".join(f"<td style='padding:4px 8px;text-align:right'>{figure}</td>" for figure in figures) + "</tr>"
        for label, *figures in ROWS
    )
    # Footnote marks (``<sup>``) after a header and a figure: the rows below stay rows.
    cells = cells.replace(">2019<", ">2019<sup>a</sup><").replace(">912.0<", ">912.0<sup>1</sup><")
    html = f"<p>Trade with Iran, as reported.</p><table style='border-collapse:collapse'>{cells}</table><p>Sources: customs.</p>"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            tab = browser.new_page()
            tab.set_content(html)
            shown = tab.evaluate("document.body.innerText")
            data = tab.pdf(format="A4")
        finally:
            browser.close()
    assert pdf.read_pdf(io.BytesIO(data), tables=True)[0] == shown


@pytest.mark.skipif(not os.path.exists(CHROMIUM) or shutil.which("chromium") is None, reason="needs Debian's Chromium at /usr/bin/chromium")
def test_a_print_header_just_above_a_table_is_not_glued_to_its_page_number():
    """Chromium's print header a few points above a table that fills the page's width, its
    title at the left and the page's number at the right: the table's block held it, and
    its two ends were read as one run, "Ledger 20231", a number the document does not hold."""
    from playwright.sync_api import sync_playwright

    rows = "".join(f"<tr><td style='padding:2px 8px'>Entry {number}</td><td style='padding:2px 8px;text-align:right'>{number * 7.25:,.2f}</td></tr>" for number in range(40))
    header = ("<div style='font-size:9px;width:100%;padding:0 20px;display:flex;justify-content:space-between'>"
              "<span>Ledger 2023</span><span class=pageNumber></span></div>")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            tab = browser.new_page()
            tab.set_content(f"<html><body style='margin:0'><table style='border-collapse:collapse;width:100%'>{rows}</table></body></html>")
            data = tab.pdf(format="A4", display_header_footer=True, header_template=header, footer_template="<span></span>",
                           margin={"top": "30px", "bottom": "30px", "left": "20px", "right": "20px"})
        finally:
            browser.close()
    lines = pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n")
    assert "Ledger 20231" not in lines and "Ledger 2023" in lines
    assert "Entry 3\t21.75" in lines


def _printed(body: str, *, standards: bool = False) -> tuple[bytes, str]:
    """``body`` printed by Chromium (A4, 14-pixel sans-serif) and what it shows of it;
    ``standards``: in standards mode, as pages declaring ``<!doctype html>`` are, and in
    the page's own type (quirks mode lays tables out otherwise)."""
    from playwright.sync_api import sync_playwright

    page = (
        f"<!doctype html><html><head><meta charset=utf-8></head><body>{body}</body></html>"
        if standards
        else f"<html><body style='font-family:sans-serif;font-size:14px'>{body}</body></html>"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            tab = browser.new_page()
            tab.set_content(page)
            shown = tab.evaluate("document.body.innerText")
            data = tab.pdf(format="A4")
        finally:
            browser.close()
    return data, shown


def _html_table(rows: list[list[str]]) -> str:
    """A table of labels and figures set flush right, its first row of header cells."""
    cells = "".join(
        f"<tr><{tag} style='padding:4px 8px;text-align:left'>{label}</{tag}>"
        + "".join(f"<{tag} style='padding:4px 8px;text-align:right'>{figure}</{tag}>" for figure in figures)
        + "</tr>"
        for tag, (label, *figures) in zip(["th"] + ["td"] * len(rows), rows)
    )
    return f"<table style='border-collapse:collapse'>{cells}</table>"


NOTE = "Figures are provisional and revised each quarter by the customs office."
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM) or shutil.which("chromium") is None, reason="needs Debian's Chromium at /usr/bin/chromium")


@needs_chromium
@pytest.mark.parametrize("side", ["right", "left"])
def test_a_short_note_beside_a_table_is_read_whole_before_or_after_it(side):
    """A note of three lines beside a table, 11 points from line to line, the table's rows
    19.5 apart: it had been taken for a column of the table, its lines read one in each of
    the first rows ("Partner 2019 2020 2021 Figures are provisional and")."""
    rows = [*ROWS, ["Iraq", "45.2", "51.9", "14.8%"]]
    note = f"<div style='width:160px;font-size:13px'>{NOTE}</div>"
    parts = [_html_table(rows), note] if side == "right" else [note, _html_table(rows)]
    data, _ = _printed(f"<div style='display:flex;gap:40px'>{''.join(parts)}</div>")
    blocks = pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n\n")
    table = "\n".join("\t".join(row) for row in rows)
    assert [" ".join(block.split()) if "\t" not in block else block for block in blocks] == ([table, NOTE] if side == "right" else [NOTE, table])


@needs_chromium
def test_narrow_columns_of_text_set_flush_right_are_read_a_column_at_a_time():
    """Two columns of prose 75 points wide, set flush right: their lines end together, as a
    column of figures does, but hold no figures; they had been read a line of each in turn."""
    columns = [
        "The first column of text set flush right runs on over several lines of a narrow measure here.",
        "A second column of text, also set flush right, beside the first, with lines of its own length.",
    ]
    data, _ = _printed("<div style='display:flex;gap:30px'>" + "".join(f"<div style='width:100px;text-align:right'>{text}</div>" for text in columns) + "</div>")
    text = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert text == pdf.read_pdf(io.BytesIO(data))[0]
    assert [" ".join(block.split()) for block in text.split("\n\n")] == columns


@needs_chromium
def test_two_tables_side_by_side_are_read_as_two_tables():
    """Two tables 43 points apart, their columns 13: they had been read as one, each line
    a row of the first and a row of the second."""
    second = [["Item", "2022", "2023"], ["Grain", "5.1", "6.2"], ["Steel", "14.0", "13.5"], ["Oil", "101.2", "99.9"]]
    data, shown = _printed(f"<div style='display:flex;gap:40px'>{_html_table(ROWS)}{_html_table(second)}</div>")
    assert pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n\n") == ["\n".join("\t".join(row) for row in rows) for rows in (ROWS, second)]
    assert pdf.read_pdf(io.BytesIO(data), tables=True)[0].replace("\n\n", "\n") == shown.rstrip("\n")


@pytest.mark.parametrize("left", [72, 150, 240, 300])
def test_a_page_number_just_below_a_two_column_table_is_no_row_of_it(left):
    # Rows 16 points apart, the page's number 12 below the last: closer than the rows, it
    # had been read as a wrapped line of the last row ("Entry 6 12", "43.50 12"), or in a
    # column of its own between the two ("Entry 6\t12\t43.50", each row an empty cell more).
    rows = [["Item", "2024"]] + [[f"Entry {number}", f"{number * 7.25:,.2f}"] for number in range(1, 7)]
    lines = _read([_table(rows, rights=(260,)) + [(left, 700 - 16 * 6 - 12, "12")]]).split("\n")
    assert lines == [*("\t".join(row) for row in rows), "", "12"]


@needs_chromium
def test_a_footnote_mark_before_or_after_a_figure_is_read_in_its_place():
    """``<sup>*</sup>1.2 bn`` and ``12.5<sup>*</sup>``: a raised mark alone on a line of its
    own, it had been read before its figure and apart from it ("* 12.5"); a mark on each
    side, the "1" nearly as tall as the figure's digits, "1 * 871.88"."""
    rows = [ROWS[0], ["Exports to Iran", "<sup>*</sup>1.2 bn", "1,340.5<sup>1</sup>", "-0.4%"], ["Imports from Iran", "0.4 bn", "912.0", "12.5<sup>*</sup>"], *ROWS[3:], ["Iraq", "45.2", "<sup>1</sup>871.88<sup>*</sup>", "14.8%"]]
    data, shown = _printed(_html_table(rows))
    assert pdf.read_pdf(io.BytesIO(data), tables=True)[0] == shown.rstrip("\n")
    assert "Imports from Iran\t0.4 bn\t912.0\t12.5*" in shown


@pytest.mark.parametrize(("raised", "size"), [(4, 7), (6, 6)])
def test_a_row_with_a_mark_raised_above_its_line_does_not_end_the_table(raised, size):
    # A 7-point "*" raised 4 points after "12.5" in 10-point rows: its line, of smaller
    # type than the table's, had ended the table, the rows above it read a cell at a time.
    rows = [*ROWS, ["Iraq", "45.2", "51.9", "14.8%"], ["Total", "13.2 bn", "12,239.2", "-7.8%"]]
    mark = 3.9 * size / 7  # the asterisk's advance, 0.389 em
    drawn = [item for item in _table(rows) if item[2] != "12.5"]
    drawn += [(420 - mark - _width("12.5"), 668, "12.5"), (420 - mark, 668 + raised, "*", size)]
    lines = _read([drawn]).split("\n")
    assert len(lines) == len(rows) and all(line.count("\t") == 3 for line in lines)
    assert lines[2].replace(" ", "") == "ImportsfromIran\t0.4bn\t912.0\t12.5*"


@needs_chromium
def test_header_cells_centred_and_each_wrapped_over_two_lines_are_one_row():
    """Every header cell wrapped over two lines, 12 points apart, the rows 19.5: two full
    lines, they had been read as two rows ("Trading\\tExports\\tImports\\tBalance")."""
    header = ["Trading partner", "Exports in 2019", "Imports in 2020", "Balance in 2021"]
    table = _html_table([header, *ROWS[1:]]).replace("<th style='padding:4px 8px;text-align:right'>", "<th style='padding:4px 8px;text-align:center;width:60px'>")
    table = table.replace("<th style='padding:4px 8px;text-align:left'>", "<th style='padding:4px 8px;text-align:left;width:50px'>")
    data, shown = _printed(table)
    assert pdf.read_pdf(io.BytesIO(data), tables=True)[0] == shown.rstrip("\n") == "\n".join("\t".join(row) for row in [header, *ROWS[1:]])


@needs_chromium
def test_a_label_spanning_the_last_two_rows_is_read_in_the_first_the_rows_apart():
    """A label centred beside the last two rows (``rowspan=2``): it had joined them into one
    row, "Other partners\\t1.1 4.4\\t2.2 5.5\\t3.3 6.6". Chromium copies the second row
    without the spanned cell, and so it is read (it had been read with an empty cell,
    "\\t4.4\\t5.5\\t6.6", which Chromium's ``innerText`` below shows it does not copy)."""
    cell = "<td style='padding:4px 8px;text-align:right'>{}</td>"
    spanning = (
        "<tr><td style='padding:4px 8px' rowspan=2>Other partners</td>" + "".join(cell.format(figure) for figure in ("1.1", "2.2", "3.3")) + "</tr>"
        "<tr>" + "".join(cell.format(figure) for figure in ("4.4", "5.5", "6.6")) + "</tr>"
    )
    data, shown = _printed(_html_table(ROWS).replace("</table>", spanning + "</table>"))
    lines = pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n")
    assert lines == [*("\t".join(row) for row in ROWS), "Other partners\t1.1\t2.2\t3.3", "4.4\t5.5\t6.6"]
    assert shown.rstrip("\n").split("\n")[-2:] == ["Other partners\t1.1\t2.2\t3.3", "4.4\t5.5\t6.6"]


def test_a_figure_drawn_in_two_runs_reaching_into_a_gutter_keeps_the_table_whole():
    # "111,290.2 bn" wider than its header, drawn as "1" and "11,290.2 bn" (as Chromium
    # breaks a run), its first run in the left half of the gutter between the headers
    # above: each run had narrowed the gutter from its own side, to nothing, and the table
    # was cut below its header.
    rows = [ROWS[0], ["Exports to Iran", "1.2 bn", "1,340.5", ""], *ROWS[2:], ["Iraq", "45.2", "51.9", "14.8%"]]
    start = 420 - _width("111,290.2 bn")
    drawn = _table(rows) + [(start, 684, "1"), (start + _width("1"), 684, "11,290.2 bn")]
    lines = _read([drawn]).split("\n")
    assert lines[0] == "\t".join(ROWS[0])
    assert lines[1] == "Exports to Iran\t1.2 bn\t1,340.5\t111,290.2 bn"
    assert lines[2:] == ["\t".join(row) for row in rows[2:]]


def test_a_note_beside_a_table_one_line_of_it_beside_the_rows_is_no_column_of_the_table():
    # The note's first line above the table's header, its second beside the header: that
    # line had been read as a fifth cell of the header row.
    note = [(470, 712, "If figures like these do not"), (470, 700, "move them, little will.")]
    lines = _read([_table(ROWS) + note]).split("\n")
    assert lines[: len(ROWS)] == ["\t".join(row) for row in ROWS]
    assert lines[len(ROWS) :] == ["", "If figures like these do not", "move them, little will."]


def test_labels_wrapped_over_two_lines_beside_figures_centred_are_no_cells_spanning_rows():
    # Each label wrapped over two lines 11.5 points apart, its row's figures centred
    # between them, a row's last line 15.5 points above the next's first: the same shape
    # as a label spanning two rows (a line between two that fill the same cells), but its
    # lines closer than rows are.
    labels = [("Tourism to", "France"), ("Services to", "Egypt"), ("Cotton to", "Brazil"), ("Coffee to", "France")]
    drawn = [(72, 700, "Item"), (260 - _width("2016"), 700, "2016"), (340 - _width("2017"), 700, "2017")]
    top = 684.5
    for (first, second), figures in zip(labels, [("0.5", "-0.48"), ("10.9", "1.0"), ("9,678", "12.9"), ("8,430", "19.9")]):
        drawn += [(72, top, first), (72, top - 11.5, second)]
        drawn += [(right - _width(figure), top - 5.75, figure) for right, figure in zip((260, 340), figures)]
        top -= 27
    lines = _read([drawn]).split("\n")
    assert lines[1:] == ["Tourism to France\t0.5\t-0.48", "Services to Egypt\t10.9\t1.0", "Cotton to Brazil\t9,678\t12.9", "Coffee to France\t8,430\t19.9"]


def test_a_header_row_a_little_closer_than_the_rows_are_apart_is_a_row_of_its_own():
    # A header 20.5 points above the first row, the rows 24 apart (less padding in the
    # header): two full lines, but not a header's two lines set a line apart.
    lines = _read([_table(ROWS, ys=[704.5, 684, 660, 636])]).split("\n")
    assert lines == ["\t".join(row) for row in ROWS]


def _printed_page(html: str) -> bytes:
    """A whole HTML page printed by Chromium (A4, margins of 1.5 cm, the viewport the page's
    width)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            tab = browser.new_page(viewport={"width": 794, "height": 1123})
            tab.set_content(html)
            data = tab.pdf(format="A4", margin={"top": "1.5cm", "bottom": "1.5cm", "left": "1.5cm", "right": "1.5cm"})
        finally:
            browser.close()
    return data


def _marked_rows_page(rows: list[list[str]], font: str = "Liberation Sans", size: str = "11pt", align: str = "baseline") -> str:
    """A probe's statistical table: cells set on their baseline (or ``align``), footnote
    marks (``<sup>``) after some labels and figures, the marks' note below."""
    cell = f"<td style='vertical-align:{align};padding:2px 12px;text-align:{{}}'>{{}}</td>"
    header = "".join(f"<th style='padding:2px 12px;text-align:{'left' if number == 0 else 'right'}'>{text}</th>" for number, text in enumerate(rows[0]))
    body = "".join("<tr>" + "".join(cell.format("left" if number == 0 else "right", text) for number, text in enumerate(row)) + "</tr>" for row in rows[1:])
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>body{{font-family:'{font}';font-size:{size};margin:0}} "
        "td,th{vertical-align:top}</style></head><body><h3>Table 9: Households by area (thousands)</h3>"
        f"<table style='border-collapse:collapse;vertical-align:{align}'><tr>{header}</tr>{body}</table>"
        "<p style='font-size:8pt'>a Estimate. b Break in series. * Provisional. 1, 2 See notes.</p></body></html>"
    )


def _shown(rows: list[list[str]]) -> list[str]:
    """The rows as a browser copies them: a line each, cells apart by a tab, marks on their words."""
    return ["\t".join(cell.replace("<sup>", "").replace("</sup>", "") for cell in row) for row in rows]


MARKED_ROWS = [
    ["Area", "2023", "2024", "2025"],
    ["North West", "314.4", "240.6", "520.9"],
    ["East Midlands", "746.4", "355.5", "94.7"],
    ["Greater Manchester<sup>*</sup>", "144.4", "297.6", "368.0"],
    ["Tyne and Wear", "411.6", "55.9", "657.2"],
    ["South Yorkshire", "371.4", "872.7", "542.4"],
    ["Merseyside", "415.8", "541.5", "325.2"],
    ["West Yorkshire", "116.7", "96.5", "332.8"],
    ["Inner London<sup>b</sup>", "616.5", "0.7", "808.9"],
    ["Outer London<sup>a</sup>", "893.3", "205.9", "962.7"],
    ["Kent", "366.4", "513.4", "640.9"],
]
# Marks after labels in cells set in their middle: the labels' lines, taller, stand lower.
MIDDLE_MARKED_ROWS = [
    ["Area", "2023", "2024", "2025"],
    ["North West<sup>1</sup>", "82.4", "513.5", "166.9"],
    ["East Midlands", "884.3", "938.5", "982.7"],
    ["Greater Manchester<sup>b</sup>", "507.2", "358.0", "99.5"],
    ["Tyne and Wear", "209.4", "356.7", "854.6"],
    ["South Yorkshire<sup>b</sup>", "192.0", "455.7", "838.7"],
    ["Merseyside<sup>1</sup>", "588.7", "572.2", "477.5"],
    ["West Yorkshire<sup>2</sup>", "859.8", "817.2", "686.0"],
]
# Marks after figures and after the last label, in 9-point Liberation Serif.
SERIF_MARKED_ROWS = [
    ["Area", "2023", "2024", "2025"],
    ["North West", "627.7", "565.5<sup>1</sup>", "711.7"],
    ["East Midlands", "464.8", "383.8", "392.1"],
    ["Greater Manchester", "719.8", "931.6", "398.9<sup>†</sup>"],
    ["Tyne and Wear", "865.2", "788.9<sup>*</sup>", "501.3"],
    ["South Yorkshire", "684.7", "607.0", "367.6<sup>*</sup>"],
    ["Merseyside", "381.2", "739.3<sup>1</sup>", "629.4"],
    ["West Yorkshire<sup>b</sup>", "401.7", "950.9", "76.4"],
]


@needs_chromium
def test_a_table_whose_cells_hold_a_word_the_page_does_not_is_read_as_before():
    """Marks after labels in 8-point cells set in their middle, drawn a glyph at a time: the
    rows' glyphs had been dealt to two lines by their shapes, the figures cut at their
    decimal points ("507 2", the "." a line below) and labels cut into letters ("G reate r
    M anc este r"). The same characters, but other words: the table is read as before, a
    column at a time."""
    data = _printed_page(_marked_rows_page(MIDDLE_MARKED_ROWS, size="8pt", align="middle"))
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    before = pdf.read_pdf(io.BytesIO(data))[0]
    assert "507.2" in read.split()
    assert set(read.split()) <= set(before.split())


@needs_chromium
def test_a_mark_raised_over_a_row_is_no_first_box_of_its_line():
    """A label with a mark, set 3 points below its figures, drawn a glyph at a time: the
    mark, its centre the highest of the row, had been the line's first box, the figures'
    digits of its line, their points and the label's small letters of the next ("144 4"
    and "." below it)."""
    data = _printed_page(_marked_rows_page(MARKED_ROWS))
    lines = pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n")
    start = lines.index("Area\t2023\t2024\t2025")
    assert lines[start : start + len(MARKED_ROWS)] == _shown(MARKED_ROWS)


@needs_chromium
def test_a_last_row_whose_label_stands_below_its_figures_is_kept_whole():
    """The last row's label, its mark raised, a line of its own a little below the figures:
    a last line of one piece below the table had been taken for a page number set below it,
    and "West" read after the table, "Yorkshireb" in the row."""
    data = _printed_page(_marked_rows_page(SERIF_MARKED_ROWS, font="Liberation Serif", size="9pt"))
    lines = pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n")
    assert "West Yorkshireb\t401.7\t950.9\t76.4" in lines
    assert "South Yorkshire\t684.7\t607.0\t367.6*" in lines


REPORT_ROWS = [
    ["", "2026", "2025", "Change"],
    ["Revenue<sup>2</sup>", "(359,311)", "(379,152)", "-20.8%"],
    ["Operating costs", "(985,737)", "228,435", "13.9%"],
    ["Depreciation<sup>1</sup>", "916,958", "820,243", "-16.6%"],
    ["Impairment", "(827,913)", "30,758", "3.6%"],
    ["Operating result<sup>3</sup>", "812,980", "(826,434)", "-11.2%"],
    ["Net finance costs", "73,683", "(169,924)", "-1.0%"],
    ["Result before tax", "271,434", "(923,826)", "-12.4%"],
    ["Tax", "(434,991)", "569,391", "-1.5%"],
]


@needs_chromium
def test_a_header_row_with_its_first_cell_empty_is_not_read_into_the_first_row_of_figures():
    """An annual report's key figures in 9-point Liberation Serif, marks raised beside some
    labels: the distances from row to row came in two sizes, as a wrapped cell's do, and the
    header, its first cell empty, was read as a line of the first row ("Revenue2\\t2026
    (359,311)\\t2025 (379,152)\\tChange -20.8%")."""
    cells = "".join(
        f"<tr><{tag} style='padding:1px 12px;text-align:left'>{label}</{tag}>"
        + "".join(f"<{tag} style='padding:1px 12px;text-align:right'>{figure}</{tag}>" for figure in figures)
        + "</tr>"
        for tag, (label, *figures) in zip(["th"] + ["td"] * len(REPORT_ROWS), REPORT_ROWS)
    )
    data = _printed_page(
        "<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'Liberation Serif';font-size:9pt;margin:0} "
        f"td,th{{vertical-align:top}}</style></head><body><h3>Key figures (EUR thousand)</h3><table style='border-collapse:collapse'>{cells}</table>"
        "<p style='font-size:7pt'>1 Restated. 2 Excluding one-off items. 3 See note 12.</p></body></html>"
    )
    lines = pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n")
    assert "\t2026\t2025\tChange" in lines
    assert "Revenue2\t(359,311)\t(379,152)\t-20.8%" in lines


@pytest.mark.parametrize("below", [4, 5])
def test_labels_set_a_little_below_their_figures_keep_their_own_rows_figures(below):
    # 10-point rows 18 points apart, each label 4 or 5 points below its figures' baseline:
    # between the figures of its row and of the next, a label had been taken for a cell
    # spanning both, and the next row's figures read in its row ("Tyne and Wear\t639.8
    # 379.0"), two labels in one ("South Yorkshire Merseyside").
    rows = [
        ["Area", "2023", "2024", "2025"],
        ["Greater Manchester", "701.8", "458.5", "494.8"],
        ["Tyne and Wear", "639.8", "62.4", "606.3"],
        ["South Yorkshire", "379.0", "879.1", "238.6"],
        ["Merseyside", "824.1", "731.6", "628.1"],
        ["West Yorkshire", "876.2", "45.6", "600.4"],
        ["Inner London", "616.5", "680.6", "412.2"],
    ]
    drawn = [(x, y - below if x == 72 and y < 700 else y, text, size) for x, y, text, size in _table(rows, pitch=18)]
    assert _read([drawn]).split("\n") == ["\t".join(row) for row in rows]


QUARTERS = [
    ["Quarter", "Plan", "Actual"],
    ["Q1", "$15,016", "$146,233"],
    ["Q2", "$784,858", "$816,626"],
    ["Q3", "$445,217", "($205,951)"],
    ["Q4", "$621,713", "$315,508"],
    ["Total", "$337,988", "$847,344"],
]
LIST = "<ul><li>Scope<ul><li>Phase one</li><li>Phase two</li></ul></li><li>Budget<ul><li>Capital</li><li>Operating</li></ul></li><li>Timeline</li></ul>"


@needs_chromium
@pytest.mark.parametrize("side", ["right", "left"])
def test_a_list_beside_a_table_is_no_column_of_it(side):
    """A nested list 30 pixels beside a small table, its lines closer than the rows: its
    lines and the rows beside them had made lines of the page together, at no one pitch,
    and the list had been read as a column of the table, its rows merged ("Q1 Q2\\t$15,016
    $784,858\\t...\\tPhase one Phase two")."""
    cells = "".join(
        f"<tr><{tag} style='padding:2px 8px;text-align:left'>{label}</{tag}>"
        + "".join(f"<{tag} style='padding:2px 8px;text-align:right'>{figure}</{tag}>" for figure in figures)
        + "</tr>"
        for tag, (label, *figures) in zip(["th"] + ["td"] * len(QUARTERS), QUARTERS)
    )
    parts = [f"<div><table style='border-collapse:collapse'>{cells}</table></div>", f"<div>{LIST}</div>"]
    data = _printed_page(
        "<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'Liberation Sans';font-size:11pt;margin:0} "
        "td,th{vertical-align:top}</style></head><body><h3>Project summary</h3>"
        f"<div style='display:flex;gap:30px'>{''.join(parts if side == 'right' else parts[::-1])}</div></body></html>"
    )
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    lines = read.split("\n")
    rows = ["\t".join(row) for row in QUARTERS]
    assert lines[lines.index(rows[0]) : lines.index(rows[0]) + len(rows)] == rows

    def the_list(text: str) -> list[str]:
        return [block for block in text.split("\n\n") if "Scope" in block or "Timeline" in block]

    # The list as read without tables (PDFium's reading of its glyphs, letters and all).
    assert the_list(read) == the_list(pdf.read_pdf(io.BytesIO(data))[0])


@needs_chromium
def test_a_mark_beside_a_label_drawn_a_glyph_at_a_time_is_read_on_its_word():
    """Key figures in 10-point Liberation Sans, drawn a glyph at a time: PDFium breaks the
    line before the raised "1" of ``Revenue<sup>1</sup>``, and the break had been read as a
    space, "Revenue 1", where a browser copies "Revenue1"."""
    rows = [["", "2026", "2025", "Change"], ["Revenue<sup>1</sup>", "61,588", "703,496", "-4.6%"], *REPORT_ROWS[2:5], ["Operating result<sup>1</sup>", "926,572", "794,099", "28.5%"], *REPORT_ROWS[6:]]
    cells = "".join(
        f"<tr><{tag} style='padding:1px 12px;text-align:left'>{label}</{tag}>"
        + "".join(f"<{tag} style='padding:1px 12px;text-align:right'>{figure}</{tag}>" for figure in figures)
        + "</tr>"
        for tag, (label, *figures) in zip(["th"] + ["td"] * len(rows), rows)
    )
    data = _printed_page(
        "<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'Liberation Sans';font-size:10pt;margin:0} "
        f"td,th{{vertical-align:top}}</style></head><body><h3>Key figures (EUR thousand)</h3><table style='border-collapse:collapse'>{cells}</table>"
        "<p style='font-size:7pt'>1 Restated.</p></body></html>"
    )
    lines = pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n")
    assert "Revenue1\t61,588\t703,496\t-4.6%" in lines
    assert "Operating result1\t926,572\t794,099\t28.5%" in lines


MENU = [
    ("Starters and mains", [("Tomato soup", "10.45"), ("Caesar salad", "10.79"), ("Grilled halloumi", "8.47"), ("Fish and chips", "14.57"), ("Beef burger", "5.16"), ("Mushroom risotto", "15.13")]),
    ("Mains and desserts", [("Chicken curry", "20.03"), ("Lamb tagine", "9.58"), ("Sticky toffee pudding", "4.63"), ("Lemon tart", "5.43"), ("Cheese board", "12.10"), ("Apple crumble", "6.25")]),
]


@needs_chromium
def test_a_menu_in_two_columns_alike_is_read_a_column_at_a_time_as_before():
    """Two columns of dishes, each its prices flush right, 45% of the page wide: read as one
    table of four columns, the two had been interleaved ("Tomato soup\t10.45\tChicken
    curry\t20.03")."""
    item = "<div style='display:flex;justify-content:space-between;gap:10px;margin:3px 0'><span>{}</span><span>{}</span></div>"
    columns = "".join(f"<div style='width:45%'><h4>{heading}</h4>" + "".join(item.format(*dish) for dish in dishes) + "</div>" for heading, dishes in MENU)
    data = _printed_page(
        "<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'Liberation Serif';font-size:11pt;margin:0}</style></head>"
        f"<body><h2 style='text-align:center'>Menu</h2><div style='display:flex;justify-content:space-between'>{columns}</div></body></html>"
    )
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert "\t" not in read
    assert read == pdf.read_pdf(io.BytesIO(data))[0]


@needs_chromium
def test_a_contents_page_in_two_columns_is_read_a_column_at_a_time_as_before():
    """Two columns of a contents page 30 pixels apart, each its page numbers flush right;
    the right's all of three digits, flush left as well as right."""
    entry = "<div style='display:flex;justify-content:space-between'><span>{}</span><span>{}</span></div>"
    left = [("Annexes", 8), ("Trade", 25), ("Energy", 44), ("Introduction", 52), ("Health", 68), ("Transport", 75)]
    right = [("Housing", 205), ("Housing", 215), ("Health", 226), ("Education", 231), ("Trade", 240), ("Annexes", 259)]
    columns = "".join("<div style='width:40%'>" + "".join(entry.format(*line) for line in lines) + "</div>" for lines in (left, right))
    data = _printed_page(
        "<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'Liberation Sans';font-size:11pt;margin:0}</style></head>"
        f"<body><h2>Contents</h2><div style='display:flex;gap:30px'>{columns}</div></body></html>"
    )
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert "\t" not in read
    assert read == pdf.read_pdf(io.BytesIO(data))[0]


@needs_chromium
def test_a_header_with_sub_and_superscripts_is_read_by_rows_its_letters_together():
    """``CO<sub>2</sub> (Mt)`` and ``Area (km<sup>2</sup>)`` in 11-point header cells, drawn
    a glyph at a time: the indices had made the header's line two, its glyphs dealt to them
    by their shapes ("CO", "N O", "A", "k" and "2\tx\trea ( m )"), and the table was read
    as before, a column at a time."""
    rows = [["Plant A", "49.1", "3.17", "535"], ["Plant B", "7.8", "2.36", "723"], ["Plant C", "22.2", "0.39", "216"], ["Plant D", "49.5", "2.21", "500"], ["Plant E", "13.8", "4.81", "162"]]
    cell = "<{0} style='padding:2px 10px;text-align:{1}'>{2}</{0}>"
    header = "".join(cell.format("th", "left" if number == 0 else "right", text) for number, text in enumerate(["Site", "CO<sub>2</sub> (Mt)", "NO<sub>x</sub> (kt)", "Area (km<sup>2</sup>)"]))
    body = "".join("<tr>" + "".join(cell.format("td", "left" if number == 0 else "right", text) for number, text in enumerate(row)) + "</tr>" for row in rows)
    data = _printed_page(
        "<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'Liberation Sans';font-size:11pt;margin:0} td,th{vertical-align:top}</style></head>"
        f"<body><h3>Emissions</h3><table style='border-collapse:collapse'><tr>{header}</tr>{body}</table></body></html>"
    )
    lines = pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n")
    start = next(number for number, line in enumerate(lines) if line.startswith("Site\t"))
    assert lines[start].replace(" ", "") == "Site\tCO2(Mt)\tNOx(kt)\tArea(km2)"
    assert lines[start + 1 : start + 1 + len(rows)] == ["\t".join(row) for row in rows]


def test_a_header_cell_spanning_two_columns_keeps_the_figures_under_it_in_two_cells():
    # "2023" centred over a group's and a company's figures (``colspan=2``), crossing the
    # gutter between them: taken from all lines, the columns had been one, "12,345 8,901"
    # a cell. The spanning cell is one cell, as a browser copies it.
    rows = [["£ million", "Group", "Company", "Group", "Company"], ["Revenue", "12,345", "8,901", "11,002", "7,654"], ["Cost of sales", "6,543", "4,321", "5,987", "4,012"], ["Gross profit", "5,802", "4,580", "5,015", "3,642"]]
    header_widths = {"Group": 27.8, "Company": 42.8}
    rights = (220, 280, 350, 410)
    drawn = [(72, 684, rows[0][0])] + [(right - header_widths[text], 684, text) for right, text in zip(rights, rows[0][1:])]
    drawn += _table(rows[1:], top=668, rights=rights)
    drawn += [(235 - _width("2023") / 2, 700, "2023"), (365 - _width("2022") / 2, 700, "2022")]
    assert _read([drawn]).split("\n") == ["\t2023\t2022", *("\t".join(row) for row in rows)]


def test_a_header_wider_than_the_figures_below_it_is_no_cell_spanning_columns():
    # "Company" 5.5 points from the column before it, the figures below it 18: it reaches
    # into the gutter the figures leave, past its middle, but stands over its own column.
    # Taken for a cell spanning both, with "2023" above, the table had been read a column
    # at a time, or its header row "Group Company" in one cell over two of figures.
    rows = [["£ million", "Group", "Company", "Group", "Company"], ["Revenue", "12,345", "8,904", "11,002", "7,654"], ["Cost of sales", "6,543", "4,326", "5,987", "4,012"], ["Gross profit", "5,802", "4,580", "5,015", "3,642"]]
    header_widths = {"Group": 27.8, "Company": 42.8}
    rights = (220, 268.3, 340, 388.3)
    drawn = [(72, 684, rows[0][0])] + [(right - header_widths[text], 684, text) for right, text in zip(rights, rows[0][1:])]
    drawn += _table(rows[1:], top=668, rights=rights)
    drawn += [(229 - _width("2023") / 2, 700, "2023"), (349 - _width("2022") / 2, 700, "2022")]
    assert _read([drawn]).split("\n") == ["\t2023\t2022", *("\t".join(row) for row in rows)]


TIGHT_ROWS = [
    ["Item", "2021", "2022", "2023"],
    ["Revenue", "12,345", "11,002", "9,876"],
    ["Cost of sales", "6,543", "5,987", "5,001"],
    ["Gross profit", "5,802", "5,015", "4,875"],
    ["Taxes", "1 234 567", "998", "87"],
]


def test_columns_of_figures_six_points_apart_are_read_apart():
    # Cells of little padding: the widest figures 6.4 points from the column before them,
    # less than a gutter; the columns had been read as one, "12,345 11,002 9,876".
    lines = _read([_table(TIGHT_ROWS, rights=(200, 237, 274))]).split("\n")
    assert lines == ["\t".join(row) for row in TIGHT_ROWS]


def test_a_figure_with_a_space_drawn_in_two_runs_is_not_cut_into_two_cells():
    # "12 345.6" drawn as "12" and "345.6", a figure's width apart, at one place on every
    # row: a gap of one width on every line is a space within a cell, no gutter.
    rows = [["Item", "2022", "2023"], ["Revenue", "45 678.9", "9.1"], ["Cost of sales", "12 345.6", "14.2"], ["Gross profit", "98 765.4", "7.0"], ["Taxes", "87.0", "12.5"]]
    drawn = []
    for item in _table(rows, rights=(260, 340)):
        if item[0] > 72 and " " in item[2]:
            left, right = item[2].split()
            drawn += [(260 - _width(right) - 5.56 - _width(left), item[1], left), (260 - _width(right), item[1], right)]
        else:
            drawn.append(item)
    text = _read([drawn])
    assert text.split("\n") == ["\t".join(row) for row in rows]


def test_a_header_set_flush_left_over_figures_set_flush_right_is_of_their_column():
    # Wide columns, each header at its cell's left, the figures at its right, 14 points
    # apart: the headers had been a column of their own, each row an empty cell more
    # ("Exports to Iran\t\t1.2 bn\t\t1,340.5"), and the header row read apart from them.
    rows = [["Partner", "2019", "2020"], *([label, first, second] for label, first, second, _ in ROWS[1:]), ["Iraq", "45.2", "51.9"]]
    drawn = [(72, 700, "Partner"), (230, 700, "2019"), (350, 700, "2020")] + _table(rows[1:], top=684, rights=(300, 420))
    assert _read([drawn]).split("\n") == ["\t".join(row) for row in rows]


def test_a_run_as_tall_as_two_lines_over_a_column_loses_no_character():
    # PDFium's one run of "7" and "Iran exports" drawn across it, as tall as two lines, a
    # cell of a header spanning two columns: the column's boxes made one line of the page
    # over two of the table's, and the page could not be read at all.
    drawn = [(72, 300, "Iran"), (166.1, 300, "1.2"), (188.1, 300, "1.2"), (72, 289, "Iran"), (72, 278, "Iran"), (174.44, 278, "7"), (72, 267, "Iran"), (72, 256, "Iran"), (188.1, 256, "1.2"), (133, 286, "Iran exports")]
    data = pdf_bytes([drawn])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_tables, "tables", lambda *arguments: [])
        before = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert _characters(pdf.read_pdf(io.BytesIO(data), tables=True)[0]) == _characters(before)


def test_a_header_cell_spanning_two_columns_six_points_apart_keeps_them_apart():
    # "2023" centred over an amount and a percentage, the percentages 6.5 to 12 points from
    # the amounts: the header closed the narrow gap between them on its line, and the two
    # columns had been read as one, "12,345 12.5".
    rows = [["", "bn", "%", "bn", "%"], ["Revenue", "12,345", "12.5", "11,002", "-3.1"], ["Cost of sales", "6,543", "-3.1", "5,987", "7.25"], ["Gross profit", "5,802", "7.25", "5,015", "0.8"], ["Taxes", "1,234", "0.8", "998", "12.5"]]
    rights = (200, 226, 290, 316)
    drawn = _table(rows, top=684, rights=rights) + [(197.7 - _width("2023") / 2, 700, "2023"), (287.7 - _width("2022") / 2, 700, "2022")]
    assert _read([drawn]).split("\n") == ["\t2023\t2022", *("\t".join(row) for row in rows)]


SECTIONS = ["Introduction", "Methods and data", "Trade with neighbouring states", "Energy exports", "Sanctions and their effects", "Shipping routes", "Financial flows", "Outlook for 2026"]
DISHES = [("Tomato soup", "4.50"), ("Caesar salad", "7.95"), ("Grilled halloumi", "8.25"), ("Fish and chips", "12.50"), ("Beef burger", "11.00"), ("Mushroom risotto", "10.75")]
SPECIFICATIONS = [("Weight", "1.42 kg"), ("Height", "16 mm"), ("Width", "312 mm"), ("Memory", "16 GB"), ("Storage", "512 GB"), ("Battery", "72 Wh"), ("Warranty", "2 years")]
ENTRY = "<div style='display:flex;justify-content:space-between;margin:3px 0'><span>{}</span><span>{}</span></div>"
LISTS_WITH_VALUES_FLUSH_RIGHT = {
    # A title and its page at the page's two edges, a flex row's.
    "contents page": "<h2>Contents</h2>" + "".join(ENTRY.format(f"{number + 1}. {title}", 3 + 5 * number) for number, title in enumerate(SECTIONS)),
    # A dish and a few leader dots, its price floated to the right.
    "price list with leader dots": "<h2>Prices</h2><div style='width:55%'>"
    + "".join(f"<div style='margin:2px 0'>{dish} . . . . . .<span style='float:right'>{price}</span></div>" for dish, price in DISHES) + "</div>",
    # A label and its value, a figure and its unit.
    "spec sheet": "<h2>Specifications</h2><div style='width:50%'>" + "".join(ENTRY.format(*entry) for entry in SPECIFICATIONS) + "</div>",
}


@needs_chromium
@pytest.mark.parametrize("layout", LISTS_WITH_VALUES_FLUSH_RIGHT)
def test_a_list_of_entries_with_their_values_flush_right_is_read_as_before(layout):
    """A contents page's page numbers, a price list's prices after leader dots, a spec
    sheet's values with their units, each set flush right: their lines end together, as a
    column of figures does, and each list had been read as a table, "1. Introduction\\t3",
    where a browser copies a title and its page a line each."""
    data = _printed_page(
        "<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'Liberation Sans';font-size:11pt;margin:0}</style></head>"
        f"<body>{LISTS_WITH_VALUES_FLUSH_RIGHT[layout]}</body></html>"
    )
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert "\t" not in read
    assert read == pdf.read_pdf(io.BytesIO(data))[0]


PAYMENTS = [("Basic salary", "3,250.00"), ("Overtime", "412.50"), ("Holiday pay", "180.00"), ("Bonus", "500.00"), ("Travel allowance", "85.40")]
DEDUCTIONS = [("Income tax", "702.15"), ("National insurance", "318.60"), ("Pension", "162.50"), ("Student loan", "94.00"), ("Union fees", "12.75")]


def _payslip_half(entries: list[tuple[str, str]]) -> str:
    return "<table style='border-collapse:collapse;width:100%'>" + "".join(
        f"<tr><td style='padding:3px 6px'>{label}</td><td style='text-align:right;padding:3px 6px'>{amount}</td></tr>" for label, amount in entries
    ) + "</table>"


PAYSLIPS = {
    # The employee at the left, the period at the far right, above both halves.
    "a line above both halves": "<div style='display:flex;justify-content:space-between'><span>Employee: J. Smith (No. 4471)</span><span>Period: 03/2026</span></div>"
    f"<div style='display:flex;gap:30px'><div style='flex:1'>{_payslip_half(PAYMENTS)}</div><div style='flex:1'>{_payslip_half(DEDUCTIONS)}</div></div>",
    # An outer table: a heading over each half, the halves in the cells below.
    "a heading over each half": "<table style='width:100%;border-collapse:collapse'><tr><th style='text-align:left'>Payments</th><th style='text-align:left'>Deductions</th></tr>"
    f"<tr><td style='width:50%;vertical-align:top;padding-right:20px'>{_payslip_half(PAYMENTS)}</td><td style='vertical-align:top;padding-left:20px'>{_payslip_half(DEDUCTIONS)}</td></tr></table>",
}


@needs_chromium
@pytest.mark.parametrize("layout", PAYSLIPS)
def test_a_payslips_two_halves_under_a_line_above_both_are_not_read_as_one_table(layout):
    """A payslip's payments and deductions side by side, 30 pixels apart, each its
    amounts flush right, a line above both whose pieces stand a few points beyond the
    halves' rows: the halves had been read as one table, a row of each a line ("Basic
    salary\\t3,250.00\\tIncome tax\\t702.15"), the line above read into its first row. Two
    halves alike, they are read as before, as two halves alike are without such a line."""
    data = _printed_page(
        "<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'Liberation Sans';font-size:11pt;margin:0}</style></head>"
        f"<body><h3>Payslip</h3>{PAYSLIPS[layout]}</body></html>"
    )
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert not any("Basic salary" in line and "Income tax" in line for line in read.split("\n"))
    assert read == pdf.read_pdf(io.BytesIO(data))[0]


@needs_chromium
def test_two_tables_side_by_side_too_close_to_part_are_read_as_before():
    """Two unlike tables 20 pixels apart, their cells padded 16 pixels at each side: 39.5
    points between the two, 25.5 between their columns, too close to part them as two
    tables; they had been read as one, a row of each a line ("Exports\\t1,204.5\\t1,310.2
    \\tGrain\\t5.1")."""
    first = [["Item", "2024", "2025"], ["Exports", "1,204.5", "1,310.2"], ["Imports", "980.1", "1,002.7"], ["Balance", "224.4", "307.5"], ["Reserves", "88.0", "91.3"]]
    second = [["Good", "Mt"], ["Grain", "5.1"], ["Steel", "14.0"], ["Oil", "101.2"], ["Gas", "44.8"]]
    tables = "".join(_html_table(rows).replace("padding:4px 8px", "padding:6px 16px") for rows in (first, second))
    data = _printed_page(
        "<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'Liberation Sans';font-size:11pt;margin:0}</style></head>"
        f"<body><div style='display:flex;gap:20px'>{tables}</div></body></html>"
    )
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert not any("Exports" in line and "Grain" in line for line in read.split("\n"))
    assert read == pdf.read_pdf(io.BytesIO(data))[0]


# Columns 6.4 points apart: read without tables, the rows' labels and first two figures
# are a line each ("Revenue 12,345 11,002"), the last figures a column; read with them,
# a row a line.
CLOSE_ROWS = [
    ["Item", "2021", "2022", "2023"],
    ["Revenue", "12,345", "11,002", "9,876"],
    ["Costs", "6,543", "5,987", "5,001"],
    ["Net profit", "5,802", "5,015", "4,875"],
    ["Taxes", "1,234", "998", "87"],
    ["Net", "4,568", "4,017", "4,788"],
]
CLOSE_RIGHTS = (150, 187, 224)


def _with_tables_found(patch, change) -> None:
    """The finder's tables, each changed by ``change`` (rows -> rows): a fault of the finder,
    which the reading with tables must not pass on."""
    found = pdf_tables.tables

    def changed(*arguments):
        tables = []
        for table in found(*arguments):
            rows = change(table.rows, arguments[0])
            tables.append(pdf_tables.Table([box for row in rows for cell in row for box in cell], rows))
        return tables

    patch.setattr(pdf_tables, "tables", changed)


def test_a_table_of_rows_the_reading_without_tables_keeps_whole_passes():
    lines = _read([_table(CLOSE_ROWS, rights=CLOSE_RIGHTS)]).split("\n")
    assert lines == ["\t".join(row) for row in CLOSE_ROWS]


def test_a_region_read_part_as_a_table_the_rest_dismantled_is_read_as_before(monkeypatch):
    # Only its first three rows found: the rows below had been read a column at a time,
    # their labels in one block, their figures in others, where the reading without tables
    # keeps "Net profit 5,802 5,015" whole.
    data = pdf_bytes([_table(CLOSE_ROWS, rights=CLOSE_RIGHTS)])
    _with_tables_found(monkeypatch, lambda rows, boxes: rows[:3])
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert "Net profit 5,802 5,015" in read.split("\n")
    assert read == pdf.read_pdf(io.BytesIO(data))[0]


def test_a_rows_last_figure_moved_out_of_it_is_read_as_before(monkeypatch):
    # The last row found without its last two figures: they had been read apart below the
    # table, "Net 4,568" its row.
    data = pdf_bytes([_table(CLOSE_ROWS, rights=CLOSE_RIGHTS)])
    _with_tables_found(monkeypatch, lambda rows, boxes: [*rows[:-1], [*rows[-1][:2], [], []]])
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert "Net 4,568 4,017" in read.split("\n")
    assert read == pdf.read_pdf(io.BytesIO(data))[0]


def test_a_paragraphs_line_below_a_table_stays_whole(monkeypatch):
    # The tail of the note's last line, drawn in runs of its own, taken in as the table's
    # last row: it had been read in the table ("sale of a\tbranch."), apart from the rest
    # of its line and above it.
    note = [(72, 596, "Amounts are in thousands of euros, restated for the merger of"), (72, 584, "the two groups in 2022 and the "), (205, 584, "sale of a "), (265, 584, "branch.")]
    data = pdf_bytes([_table(CLOSE_ROWS, rights=CLOSE_RIGHTS) + note])

    def with_the_notes_tail(rows, boxes):
        tail = sorted((box for box in boxes if box[1] < 590 and box[0] > 200), key=lambda box: box[0])
        return [*rows, [[], [], tail[:1], tail[1:]]]

    _with_tables_found(monkeypatch, with_the_notes_tail)
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert read.endswith("Amounts are in thousands of euros, restated for the merger of\nthe two groups in 2022 and the sale of a branch.")
    assert read == pdf.read_pdf(io.BytesIO(data))[0]


def test_a_row_beside_a_table_read_without_the_spaces_between_its_cells_refuses_the_table():
    # Rows below a table's first three, read from their runs as beside it, had lost the
    # spaces between cells ("£13 841£(75,381)") the reading without tables keeps.
    before = [["Operating profit £98,794 £13 841 £(75,381) £(53 645)"]]
    table = ["Revenue\t£26 108\t£91,939", "Cost of sales\t£91 097\t£84511"]
    glued = [table, ["Operating profit £98,794 £13 841£(75,381)£(53 645)"]]
    assert pdf._lines_broken(glued, {0: 0}, before) == {0}
    kept = [table, ["Operating profit £98,794 £13 841 £(75,381) £(53 645)"]]
    assert pdf._lines_broken(kept, {0: 0}, before) == set()


def test_a_tables_cell_may_read_whole_a_word_the_reading_without_tables_spaces():
    # Letters drawn one at a time, read apart without tables, and a mark read apart from
    # its word, are read whole in a cell, as a browser copies them.
    before = [["I m pai rment (827,913)"], ["Revenue 1 61,588"]]
    table = ["Revenue1\t61,588", "Impairment\t(827,913)"]
    assert pdf._lines_broken([table], {0: 0}, before) == set()


def test_a_cell_reading_two_figures_as_one_word_is_read_as_before():
    # A notes column and cells a pixel apart: the page's own text glues the figures too,
    # the reading without tables sets them apart, and the table had read them as one word.
    before = "Canal canal quarterly signal 9.4 – (99,773) 63,199 (48,959)\nLantern 7.8 77.9 r"
    glued = ["Canal canal quarterly signal 9.4\t–(99,773)\t63,199(48,959)"]
    assert pdf._figures_together(glued)
    assert not pdf._words_kept(glued, before)
    assert pdf._words_kept(["Canal canal quarterly signal\t9.4\t–\t(99,773)\t63,199\t(48,959)", "Lantern\t7.8\t77.9r"], before)


def test_a_cell_cutting_a_word_into_letters_is_read_as_before():
    # A header's years and units dealt to cells glyph by glyph, where the page reads
    # "2024 2023 £000 £000"; a mark read apart from its word is no cut, nor are words
    # the page reads apart ("7 8", "78" elsewhere).
    before = "Notes Consolidated\n2024 2023\n£000 £000\nRevenue1 61,588 7 8 78"
    assert not pdf._words_kept(["\tNotes\tConsolidated", "\t\t2 0 2 4 2 0 2 3 £ 000 £ 000"], before)
    assert pdf._words_kept(["\tNotes\tConsolidated", "\t\t2024 2023 £000 £000", "Revenue 1\t61,588\t7 8\t78"], before)


@pytest.mark.parametrize(("kept", "cut"), [("Canal signal harbour 15.00", "Canal signal harbour 1 5.00"), ("31.50", "3 1 . 50")])
def test_a_price_beside_a_table_read_cut_refuses_the_table(kept, cut):
    # Two menus side by side, a price of the one beside the table read from its runs in
    # pieces, on a line of its own or at the end of its dish.
    table = ["Walnut tariff\t27.50", "Zephyr\t31.00"]
    assert pdf._lines_broken([table, [cut]], {0: 0}, [[kept]]) == {0}
    assert pdf._lines_broken([table, [kept]], {0: 0}, [[kept]]) == set()


def test_a_line_broken_beside_one_of_two_tables_refuses_that_table_only():
    # Two tables stacked, the second's header read apart above it ("Copper" and "Tundra"
    # two blocks): the first, read exactly, had been read as before too.
    first = ["A\t2024\t2023", "Harbour\t61,982\t68,938", "Glacier\t84,660\t12,750"]
    second = ["Harbour\tPigment\t(30,275)\t81,388", "Lantern\tMosaic\t29,571\t44,313"]
    read = [first, ["Table basin"], ["2. Pigment signal?"], ["B"], ["X"], ["Y"], ["Copper"], ["Tundra"], second]
    before = [["A 2024 2023"], ["Table basin"], ["2. Pigment signal?"], ["B"], ["X"], ["Y"], ["Copper Tundra"], ["Harbour Pigment (30,275) 81,388"]]
    assert pdf._lines_broken(read, {0: 0, 1: 8}, before) == {1}


def test_two_tables_side_by_side_under_one_header_twice_are_read_as_before():
    # A payslip's payments and deductions read as one table, a row of each a line; a
    # header of years over two halves of figures is one table's.
    payslip = ["Payments\t\tDeductions", "Item\tAmount\tItem\tAmount", "Commission\t1,238.07\tLoan\t32,422.50", "Bonus\t24,360.35"]
    assert pdf._header_over_two_halves(payslip)
    assert pdf._header_over_two_halves(["Payments Item\tAmount\tDeductions Item\tAmount", "Overtime\t5,897.89\tLoan\t79,466.09"])
    statement = ["2024\t2023\t2024\t2023", "£000\t£000\t£000\t£000", "(56,808)\t(82,652)\t(76,765)\t–"]
    assert not pdf._header_over_two_halves(statement)


def test_two_tables_side_by_side_one_with_a_row_more_are_read_one_after_the_other():
    # Two balance sheets a few pixels apart, assets beside liabilities, had been read as one
    # table: "Copper (45,407) 13,793 Glacier (55,677) (87,644)", then "Ferry 53,996" alone.
    assets = [["Asset", "2024", "2023"], ["Copper", "45,407", "13,793"], ["Anchor", "98,079", "41,542"], ["Willow", "78,597", "6,743"], ["Ferry", "53,996", "43,780"]]
    liabilities = [["Liability", "2024", "2023"], ["Glacier", "55,677", "87,644"], ["Beacon", "41,928", "70,245"], ["Ember", "6,114", "45,047"]]
    # The liabilities' labels at x = 200, 10 points right of the assets' last figures.
    drawn = _table(assets, rights=(140, 190))
    drawn += [(200, *item[1:]) if item[0] == 72 else (item[0] + 170, *item[1:]) for item in _table(liabilities, rights=(140, 190))]
    tables = ["\n".join("\t".join(row) for row in rows) for rows in (assets, liabilities)]
    assert _read([drawn]) == "\n\n".join(tables)


def test_a_table_of_figures_without_their_labels_is_read_as_before():
    # A statement's cells a pixel apart: its labels and notes read apart, the table its
    # figures alone under "Consolidated" and "Parent", each spanning two years, or with
    # two years' figures in a cell. Years and figures under a header of as many cells are
    # one table.
    spanned = ["Consolidated\tParent", "2024\t2023\t2024\t2023", "£000\t£000\t£000\t£000", "–\t48,897\t13,582\t40,208", "(62,119)\t46,983\t55,160\t(46,397)"]
    assert pdf._figures_without_labels(spanned)
    paired = ["Consolidated\tParent", "2024 2023\t2024 2023", "70,045 (74,160)\t– 70,792", "35,078 82,137\t36,870 –"]
    assert pdf._figures_without_labels(paired)
    series = ["Year\tRevenue\tProfit", "2019\t1,204.5\t310.2", "2020\t1,310.2\t(12.5)"]
    assert not pdf._figures_without_labels(series)
    statement = ["\tConsolidated\tParent", "Summit\t70,045\t(74,160)", "Dune verdict\t35,078\t82,137"]
    assert not pdf._figures_without_labels(statement)


def test_a_half_of_two_tables_side_by_side_of_fewer_than_three_rows_is_read_as_before():
    # A payslip's two payments beside three deductions: the deductions are a table, the
    # payments too few rows to be one.
    texts: list[str] = []

    def cell(text: str) -> list:
        texts.append(text)
        return [(0, 0, 1, 1, len(texts) - 1)]

    rows = [
        [cell("Basic pay"), cell("74,111.86"), cell("Pension"), cell("7,673.51")],
        [cell("Allowance"), cell("90,334.17"), cell("Insurance"), cell("68,637.48")],
        [[], [], cell("Loan"), cell("45,865.48")],
    ]
    parted = pdf_tables._side_by_side_parted(rows, lambda boxes: " ".join(texts[box[4]] for box in boxes))
    assert parted == [[row[2:] for row in rows]]
