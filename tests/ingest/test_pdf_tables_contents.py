"""A contents page, each title at the left of its line and its page at the right, is read
as without tables (a browser copies a title and its page a line each), however it is set;
a table of figures on the same page is still read by rows, and a table whose last column
holds counts is still a table. See ``sources.ingest.pdf_tables._a_list_of_entries``."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from sources.ingest import pdf, pdf_tables
from tests.ingest.test_pdf_tables import CHROMIUM, needs_chromium

ENTRY = "<div style='display:flex;justify-content:space-between;margin:{margin}px 0;{style}'><span{title}>{}</span><span{page}>{}</span></div>"
# A spacer between title and page drawn as a dotted rule: a border, no text.
DOTTED = (
    "<div style='display:flex;align-items:baseline;margin:{margin}px 0;{style}'><span{title}>{}</span>"
    "<span style='flex:1;border-bottom:1px dotted #000;margin:0 4px'></span><span{page}>{}</span></div>"
)
TITLES = [
    "Introduction", "Background and scope", "Methods and data", "Trade with neighbouring states", "Energy exports",
    "Sanctions and their effects", "Shipping routes", "Financial flows", "Regional outlook", "Outlook for 2026",
    "Recommendations", "Annex A: Tables",
]
FIGURES = ["Exports by month", "Tankers in port", "Freight rates", "Grain shipments", "Insurance premiums"]
WRAPPED = [
    "Introduction to the regional assessment of cross-border trade and energy flows in the northern corridor",
    "Methods",
    "Data sources, their coverage and the revisions made to the series since the previous edition of the report",
    "Results",
    "Shipping routes and the insurance of vessels carrying sanctioned goods through neutral ports and straits",
    "Conclusions",
]


def entries(lines, *, layout: str = ENTRY, margin: int = 3, style=lambda number: "", title: str = "", page: str = "") -> str:
    return "".join(layout.format(text, number, margin=margin, style=style(index), title=title, page=page) for index, (text, number) in enumerate(lines))


def contents(count: int = 10, first: int = 3, step: int = 4, label=lambda number, title: title) -> list[tuple[str, str]]:
    return [(label(number, title), str(first + step * number)) for number, title in enumerate(TITLES[:count])]


def list_of_figures(layout: str = ENTRY) -> str:
    return "<h3>List of figures</h3>" + entries([(f"Figure {number + 1}: {title}", 2 + 5 * number) for number, title in enumerate(FIGURES)], layout=layout)


CAPTIONS = {
    "a heading": "<h3>Table 1: Exports by year</h3>",
    "a paragraph in bold": "<p><b>Table 1: Exports by year</b></p>",
    "a line": "<div style='margin-top:6px'>Table 1: Exports by year</div>",
}


def table_of_figures(caption: str = "a heading") -> str:
    cell = "<td style='padding:3px 8px;text-align:{}'>{}</td>"
    rows = [("Region", "2024", "2025"), ("North", "1,204.5", "1,310.2"), ("South", "845.0", "902.7"), ("East", "311.9", "298.4"), ("West", "77.3", "81.0")]
    return (
        f"{CAPTIONS[caption]}<table style='border-collapse:collapse'>"
        + "".join("<tr>" + "".join(cell.format("left" if number == 0 else "right", text) for number, text in enumerate(row)) + "</tr>" for row in rows)
        + "</table>"
    )


TABLE_ROWS = ["Region\t2024\t2025", "North\t1,204.5\t1,310.2", "South\t845.0\t902.7", "East\t311.9\t298.4", "West\t77.3\t81.0"]


def _nested(number: int) -> str:
    return f"padding-left:{0 if number % 4 == 0 else 20 * (1 + (number % 4 == 3))}px" + (";font-weight:bold" if number % 4 == 0 else "")


def _with_parts() -> str:
    html, page = "", 1
    for part, titles in [("Part I: Context", TITLES[:4]), ("Part II: Findings", TITLES[4:9]), ("Part III: Annexes", TITLES[9:])]:
        html += f"<div style='font-weight:bold;margin:8px 0 3px'>{part}</div>"
        for title in titles:
            html += entries([(title, page)])
            page += 5
    return html


FRONT_MATTER = [("Foreword", "iv"), ("Preface", "vi"), ("Acknowledgements", "ix"), ("Abbreviations", "xi")]
# Contents pages as a browser sets them, each line a flex row's two ends; each is read as
# without tables, which is as the browser copies it.
CONTENTS_PAGES = {
    "plain": entries(contents()),
    "a dotted rule between title and page": entries(contents(), layout=DOTTED),
    "section numbers 1.2": entries(contents(12, label=lambda number, title: f"{1 + number // 3}.{1 + number % 3} {title}")),
    "chapters": entries(contents(9, 10, 12, label=lambda number, title: f"Chapter {number + 1}: {title}")),
    "section numbers in a box of their own": entries(contents(12, label=lambda number, title: f"<span style='display:inline-block;width:3em'>{number + 1}</span>{title}")),
    "nested levels indented": entries(contents(12), style=_nested),
    "roman front matter": entries(FRONT_MATTER + contents(8, 1, 6)),
    "a Contents and Page header": entries([("<b>Contents</b>", "<b>Page</b>")]) + entries(contents()),
    "titles wrapped over two lines": entries([(title, 3 + 7 * number) for number, title in enumerate(WRAPPED)], title=" style='max-width:75%'"),
    "part headings without a page": _with_parts(),
    "pages in bold and smaller": entries(contents(), page=" style='font-weight:bold;font-size:9pt'"),
    "pages in another font": entries(contents(), page=" style='font-family:Liberation Mono;font-size:10pt'"),
    "pages of two digits then three": entries(contents(12, 40, 17)),
    "two entries on one page": entries([(title, str(3 + number // 2)) for number, title in enumerate(TITLES[:10])]),
    "sixty percent wide": "<div style='width:60%'>" + entries(contents()) + "</div>",
    # Two lists, the second's pages starting again below its heading: read as a table, a
    # title and its page a line apart by a tab.
    "contents then a list of figures": entries(contents(7)) + list_of_figures(),
    "contents then a list of figures, dotted rules": entries(contents(7), layout=DOTTED) + list_of_figures(DOTTED),
    "numbered, nested, then a list of tables": entries(contents(9, label=lambda number, title: f"{number + 1}. {title}"), style=_nested)
    + list_of_figures().replace("figures", "tables").replace("Figure", "Table"),
}
FONTS = ["Liberation Sans", "Liberation Serif", "DejaVu Sans"]


def _printed(pages: dict[str, str], *, body_style: str = "", margins: bool = True) -> dict[str, bytes]:
    """Each page printed by Chromium, one browser for all: A4, margins of 1.5 cm and the
    viewport the page's width (``margins``), or Chromium's defaults."""
    from playwright.sync_api import sync_playwright

    printed = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            for number, (name, body) in enumerate(pages.items()):
                tab = browser.new_page(viewport={"width": 794, "height": 1123}) if margins else browser.new_page()
                style = body_style or f"font-family:'{FONTS[number % len(FONTS)]}';font-size:{['11pt', '10pt', '12pt'][number % 3]};margin:0"
                tab.set_content(f"<!doctype html><html><head><meta charset='utf-8'></head><body style=\"{style}\">{body}</body></html>")
                margin = {side: "1.5cm" for side in ("top", "bottom", "left", "right")} if margins else {}
                printed[name] = tab.pdf(format="A4", margin=margin)
                tab.close()
        finally:
            browser.close()
    return printed


@pytest.fixture(scope="module")
def contents_pages() -> dict[str, bytes]:
    return _printed({name: "<h2>Contents</h2>" + body for name, body in CONTENTS_PAGES.items()})


@needs_chromium
@pytest.mark.parametrize("layout", CONTENTS_PAGES)
def test_a_contents_page_is_read_as_without_tables(contents_pages, layout):
    """Read as a table, a contents page had been a title and its page a line, apart by a
    tab, where a browser copies each a line of its own, as the reading without tables does."""
    data = contents_pages[layout]
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert "\t" not in read
    assert read == pdf.read_pdf(io.BytesIO(data))[0]


@needs_chromium
@pytest.mark.parametrize(("where", "caption"), [("below", "a heading"), ("below", "a paragraph in bold"), ("below", "a line"), ("above", "a heading")])
def test_a_table_of_figures_beside_a_contents_page_is_still_read_by_rows(where, caption):
    """A table narrower than the contents' titles, set just below them (14-pixel type,
    Chromium's margins), leaves the contents' gutter empty: its lines had continued the
    contents' region, whose gutter its own were not, and the table had been read a column
    at a time."""
    table = table_of_figures(caption)
    body = "<h2>Contents</h2>" + entries(contents(8))
    body = body + table if where == "below" else table + body
    data = _printed({where: body}, body_style="font-family:sans-serif;font-size:14px", margins=False)[where]
    read = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    lines = read.split("\n")
    assert "\n".join(TABLE_ROWS) in read
    assert [line for line in lines if "\t" in line] == TABLE_ROWS
    assert "Introduction" in lines and "Financial flows" in lines


PARTIES = ["Greens", "Liberals", "Labour", "Centre", "Farmers", "Pirates", "Regions", "Conservatives"]


@needs_chromium
def test_a_table_of_counts_stays_a_table():
    """Seats, small whole numbers rising down the page, beside the votes: no page numbers."""
    cell = "<td style='padding:3px 8px;text-align:{}'>{}</td>"
    votes = ["1,204", "2,887", "3,015", "4,210", "5,500", "6,120", "7,300", "8,002"]
    rows = [("Party", "Votes", "Seats")] + [(party, vote, str(seats)) for party, vote, seats in zip(PARTIES, votes, [1, 2, 2, 3, 5, 6, 8, 9])]
    body = "<table style='border-collapse:collapse'>" + "".join(
        "<tr>" + "".join(cell.format("left" if number == 0 else "right", text) for number, text in enumerate(row)) + "</tr>" for row in rows
    ) + "</table>"
    data = _printed({"seats": body})["seats"]
    lines = pdf.read_pdf(io.BytesIO(data), tables=True)[0].split("\n")
    assert ["\t".join(row) for row in rows] == [line for line in lines if "\t" in line]


def _list(lines: list[tuple[float, str, str]]) -> tuple[list[list[list]], Callable[[list], str]]:
    """Lines of two columns, ``(top, left text, right text)``, as ``placed``, and their text."""
    texts, placed = [], []
    for top, left, right in lines:
        cells = []
        for edge, text in ((72, left), (500, right)):
            if text:
                texts.append(text)
                cells.append([(edge, top - 10, edge + 6 * len(text), top, len(texts) - 1)])
            else:
                cells.append([])
        placed.append(cells)
    return placed, lambda cell: "".join(texts[box[4]] for box in cell)


def test_page_numbers_start_again_below_a_heading_set_apart():
    placed, text_of = _list([(700, "Introduction", "3"), (684, "Methods", "7"), (668, "Results", "12"), (640, "List of figures", ""), (624, "Figure 1", "4"), (608, "Figure 2", "9")])
    assert pdf_tables._page_numbers(placed, 1, text_of)


def test_counts_lower_than_the_one_above_below_a_wrapped_label_are_no_page_numbers():
    # The label's second line as far below its first as the rows are apart.
    placed, text_of = _list([(700, "Arsenal", "3"), (684, "Chelsea", "7"), (668, "Sheffield", "12"), (652, "Wednesday", ""), (636, "Leeds", "4"), (620, "Wolves", "9")])
    assert not pdf_tables._page_numbers(placed, 1, text_of)


def test_counts_lower_than_the_one_above_with_no_line_between_are_no_page_numbers():
    placed, text_of = _list([(700, "Arsenal", "3"), (684, "Chelsea", "7"), (668, "Everton", "12"), (640, "Leeds", "4"), (624, "Wolves", "9")])
    assert not pdf_tables._page_numbers(placed, 1, text_of)
