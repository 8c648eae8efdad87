"""Two tables side by side filling the same rows, and single tables with a column of text
after their figures: what the PDF reader (its tables read, ``tables=True``) makes of them,
this checkout's beside another revision's, against what Chromium copies of them.

    .venv/bin/python bench/pdf_side_by_side.py [--baseline main] [--seed 11] [--each 24]

The corpus (seeded): ``--each`` pages of two tables of labels and figures side by side,
as many rows each (a balance sheet's assets beside its liabilities), laid out by a flex
row, floats, a grid, inline blocks, a layout table's two cells or a grid's two columns
stretched, 4 to 30 pixels apart; and ``--each`` pages of one table with a column of text
after a column of figures ("Country, Population, Capital, Area", "Item, Qty, Supplier,
Price", five columns with a text column in the middle); each with its paddings, borders
or none, fonts and sizes, a header row or none, stretched or not. Printed to PDF by
Chromium (``/usr/bin/chromium``, through Playwright); each revision reads the PDFs in a
process of its own, the baseline from a temporary ``git worktree``: both its
``pdf.py`` and its ``pdf_tables.py`` are read.

A table is read by rows when each of its rows, as ``innerText`` gives it (cells apart by
a tab), is a line of the reading, in order; a page is read as Chromium copies it when its
lines, white space collapsed and blank lines aside, are ``innerText``'s; a page of two
tables is read as one table when a line holds a cell of each.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

from bench_support import PROJECT_DIR, publish, table

CHROMIUM = "/usr/bin/chromium"
PYTHON = str(PROJECT_DIR / ".venv" / "bin" / "python")
TWO, ONE = "two tables side by side", "one table, text after figures"
FONTS = ["sans-serif", "serif", "'Liberation Sans'", "'DejaVu Sans'", "monospace", "'Liberation Serif'"]
PADDINGS = ["2px 4px", "3px 6px", "4px 8px", "6px 12px", "1px 10px", "5px 5px", "2px 16px"]
ASSETS = ["Cash", "Receivables", "Inventory", "Prepayments", "Plant and equipment", "Goodwill", "Investments", "Land", "Deposits"]
LIABILITIES = ["Payables", "Accruals", "Bank loan", "Provisions", "Deferred tax", "Lease liabilities", "Bonds", "Overdraft", "Dividends due"]
COUNTRIES = ["France", "Germany", "Spain", "Italy", "Poland", "Norway", "Greece", "Portugal", "Ireland", "Austria"]
CAPITALS = ["Paris", "Berlin", "Madrid", "Rome", "Warsaw", "Oslo", "Athens", "Lisbon", "Dublin", "Vienna"]
ITEMS = ["Bolts M6", "Washers", "Hinges, steel", "Cable ties", "Screws 4x40", "Brackets", "Anchors", "Nuts M8", "Rivets"]
SUPPLIERS = ["Acme Ltd", "Brook & Sons", "Carter Supply", "Delta Parts", "Evans Hardware", "Fixings Co", "Granite Tools"]
NAMES = ["Alice Moreau", "Bashir Khan", "Chen Wei", "Dana Ortiz", "Emeka Obi", "Farah Aziz", "Goran Ilic", "Hana Sato"]
CITIES = ["Leeds", "Lyon", "Porto", "Graz", "Turin", "Ghent", "Malmo", "Cork"]

READER = """
import io, json, sys
sys.path.insert(0, sys.argv[1])
from sources.ingest import pdf
folder, names = sys.argv[2], json.loads(sys.argv[3])
print(json.dumps({name: pdf.read_pdf(io.BytesIO(open(f"{folder}/{number}.pdf", "rb").read()), tables=True)[0] for number, name in enumerate(names)}))
"""


def figure(rng: random.Random, form: str | None) -> str:
    form = form or rng.choice(["thousands", "decimals", "brackets", "whole"])
    value = rng.uniform(100, 99999)
    if form == "thousands":
        return f"{value:,.0f}"
    if form == "decimals":
        return f"{value:,.2f}"
    if form == "brackets":
        return f"({value:,.0f})" if rng.random() < 0.4 else f"{value:,.0f}"
    return str(int(value) % 900 + 10)


def html_table(rows, *, header=None, padding="4px 8px", border=False, collapse=True, width="", aligns=None, header_align=None) -> str:
    aligns = aligns or ["left"] + ["right"] * (len(rows[0]) - 1)
    ruled = "border:1px solid #888;" if border else ""
    cells = []
    if header:
        cells.append("<tr>" + "".join(f"<th style='padding:{padding};{ruled}text-align:{header_align or align}'>{escape(text)}</th>" for text, align in zip(header, aligns)) + "</tr>")
    for row in rows:
        cells.append("<tr>" + "".join(f"<td style='padding:{padding};{ruled}text-align:{align}'>{escape(text)}</td>" for text, align in zip(row, aligns)) + "</tr>")
    return f"<table style=\"{'border-collapse:collapse;' if collapse else ''}{width}\">{''.join(cells)}</table>"


def two_tables(rng: random.Random, number: int) -> str:
    count, figures = rng.randint(4, 8), rng.choice([1, 1, 2])
    form = rng.choice(["thousands", "decimals", "brackets", None])
    left = [[label] + [figure(rng, form) for _ in range(figures)] for label in rng.sample(ASSETS, count)]
    right = [[label] + [figure(rng, form) for _ in range(figures)] for label in rng.sample(LIABILITIES, count)]
    years = ["2024", "2023"][:figures]
    header = rng.random() < 0.6
    padding = rng.choice(PADDINGS)
    other = rng.choice(PADDINGS[:4]) if rng.random() < 0.3 else padding
    border, collapse, header_align = rng.random() < 0.35, rng.random() < 0.8, rng.choice([None, None, "center"])
    gap = rng.choice([4, 6, 8, 10, 12, 16, 20, 24, 30])
    layout = ["flex", "float", "grid", "inline", "layout table", "grid stretched"][number % 6]
    width = "width:100%;" if layout == "grid stretched" else ""
    first = html_table(left, header=["Assets", *years] if header else None, padding=padding, border=border, collapse=collapse, width=width, header_align=header_align)
    second = html_table(right, header=["Liabilities", *years] if header else None, padding=other, border=border, collapse=collapse, width=width, header_align=header_align)
    return {
        "flex": f"<div style='display:flex;gap:{gap}px'>{first}{second}</div>",
        "float": f"<div style='float:left;margin-right:{gap}px'>{first}</div><div style='float:left'>{second}</div><div style='clear:both'></div>",
        "grid": f"<div style='display:grid;grid-template-columns:auto auto;justify-content:start;column-gap:{gap}px'>{first}{second}</div>",
        "inline": f"<div style='display:inline-block;vertical-align:top;margin-right:{gap}px'>{first}</div><div style='display:inline-block;vertical-align:top'>{second}</div>",
        "layout table": f"<table style='border-collapse:collapse'><tr><td style='vertical-align:top;padding:0 {gap}px 0 0'>{first}</td><td style='vertical-align:top;padding:0'>{second}</td></tr></table>",
        "grid stretched": f"<div style='display:grid;grid-template-columns:1fr 1fr;column-gap:{gap}px;width:{rng.choice([360, 420, 500])}px'>{first}{second}</div>",
    }[layout]


def one_table(rng: random.Random, number: int) -> str:
    count = rng.randint(4, 8)
    shape = number % 5
    if shape == 0:
        header, aligns = ["Country", "Population", "Capital", "Area"], ["left", "right", "left", "right"]
        rows = [[COUNTRIES[index], f"{rng.randint(1, 90000):,}", CAPITALS[index], f"{rng.randint(1000, 600000):,}"] for index in rng.sample(range(len(COUNTRIES)), count)]
    elif shape == 1:
        header, aligns = ["Item", "Qty", "Supplier", "Price"], ["left", "right", "left", "right"]
        rows = [[rng.choice(ITEMS), str(rng.randint(1, 500)), rng.choice(SUPPLIERS), f"{rng.uniform(1, 900):,.2f}"] for _ in range(count)]
    elif shape == 2:
        header, aligns = ["Name", "Age", "City", "Salary"], ["left", "right", "left", "right"]
        rows = [[rng.choice(NAMES), str(rng.randint(20, 65)), rng.choice(CITIES), f"{rng.randint(20000, 99000):,}"] for _ in range(count)]
    elif shape == 3:
        header, aligns = ["Product", "Units", "Revenue", "Region", "Margin"], ["left", "right", "right", "left", "right"]
        rows = [[rng.choice(ITEMS), str(rng.randint(1, 900)), f"{rng.uniform(100, 90000):,.0f}", rng.choice(CITIES), f"{rng.uniform(1, 40):.1f}%"] for _ in range(count)]
    else:
        header, aligns = ["Account", "Debit", "Counterparty", "Credit", "Balance"], ["left", "right", "left", "right", "right"]
        rows = [[rng.choice(ASSETS), f"{rng.uniform(100, 9000):,.2f}", rng.choice(SUPPLIERS), f"{rng.uniform(100, 9000):,.2f}", f"{rng.uniform(100, 9000):,.2f}"] for _ in range(count)]
    with_header = rng.random() < 0.7
    return html_table(
        rows, header=header if with_header else None, padding=rng.choice(PADDINGS), border=rng.random() < 0.35, collapse=rng.random() < 0.8,
        width=rng.choice(["", "", "width:100%;", "width:70%;", "width:480px;"]), aligns=aligns, header_align=rng.choice([None, "left", "center"]),
    )


def corpus(seed: int, each: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    pages = []
    for kind, make in ((TWO, two_tables), (ONE, one_table)):
        for number in range(each):
            body = make(rng, number)
            style = f"font-family:{rng.choice(FONTS)};font-size:{rng.choice([12, 13, 14, 15])}px"
            pages.append((f"{kind} {number}", kind, f"<html><head><meta charset='utf-8'></head><body style=\"{style}\">{body}</body></html>"))
    return pages


def printed(pages, folder: Path) -> tuple[dict[str, str], dict[str, list]]:
    """Each page printed to ``folder`` (``<number>.pdf``), its ``innerText`` and its tables'
    rows (the innermost tables: a layout table's cells hold the two)."""
    from playwright.sync_api import sync_playwright

    shown, rows = {}, {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            tab = browser.new_page()
            for number, (name, _, html) in enumerate(pages):
                tab.set_content(html)
                shown[name] = tab.evaluate("document.body.innerText")
                rows[name] = tab.evaluate("[...document.querySelectorAll('table')].filter(t => !t.querySelector('table')).map(t => [...t.rows].map(r => [...r.cells].map(c => c.innerText)))")
                (folder / f"{number}.pdf").write_bytes(tab.pdf(format="A4"))
        finally:
            browser.close()
    return shown, rows


def row_line(cells: list[str]) -> str:
    return "\t".join(" ".join(cell.split()) for cell in cells).rstrip("\t")


def tables_by_rows(reading: str, tables: list[list[list[str]]]) -> int:
    lines = [line.rstrip("\t ") for line in reading.split("\n")]
    whole = 0
    for rows in tables:
        position, hits = 0, 0
        for wanted in (row_line(cells) for cells in rows):
            if wanted in lines[position:]:
                position = lines.index(wanted, position) + 1
                hits += 1
        whole += hits == len(rows)
    return whole


def as_copied(reading: str, shown: str) -> bool:
    lines = lambda text: [" ".join(line.split()) for line in text.split("\n") if line.strip()]  # noqa: E731
    return lines(reading) == lines(shown)


def one_table_of_both(reading: str, tables: list[list[list[str]]]) -> bool:
    if len(tables) != 2:
        return False
    left, right = ({" ".join(cell.split()) for row in rows for cell in row} for rows in tables)
    for line in reading.split("\n"):
        cells = {" ".join(cell.split()) for cell in line.split("\t")}
        if "\t" in line and cells & (left - right) and cells & (right - left):
            return True
    return False


def read_in(checkout: Path, folder: Path, names: list[str]) -> dict[str, str]:
    result = subprocess.run([PYTHON, "-c", READER, str(checkout), str(folder), json.dumps(names)], cwd=checkout, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="main", help="the revision to compare with")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--each", type=int, default=24, help="pages of each kind")
    args = parser.parse_args(argv)
    pages = corpus(args.seed, args.each)
    names = [name for name, _, _ in pages]
    with tempfile.TemporaryDirectory() as temporary:
        folder, baseline = Path(temporary) / "pdfs", Path(temporary) / "baseline"
        folder.mkdir()
        shown, rows = printed(pages, folder)
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(baseline), args.baseline], cwd=PROJECT_DIR, check=True)
        try:
            readings = [read_in(baseline, folder, names), read_in(PROJECT_DIR, folder, names)]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=PROJECT_DIR, check=False)
    report_rows, worse = [], []
    for kind in (TWO, ONE):
        members = [name for name, of_kind, _ in pages if of_kind == kind]
        figures = []
        for reading in readings:
            figures.append((
                sum(tables_by_rows(reading[name], rows[name]) for name in members),
                sum(as_copied(reading[name], shown[name]) for name in members),
                sum(one_table_of_both(reading[name], rows[name]) for name in members),
            ))
        for name in members:
            before, after = (tables_by_rows(reading[name], rows[name]) for reading in readings)
            if after < before or as_copied(readings[0][name], shown[name]) and not as_copied(readings[1][name], shown[name]):
                worse.append(name)
        report_rows.append([kind, len(members), sum(len(rows[name]) for name in members), *(f"{base} / {new}" for base, new in zip(*figures))])
    report = table(
        ["pages", "pages", "tables", f"tables read by rows, {args.baseline} / this checkout", "pages read as Chromium copies them",
         "pages read as one table of both"],
        report_rows,
    )
    summary = (
        f"{len(pages)} pages printed by Chromium, read with tables by {args.baseline} and by this checkout. "
        f"Pages read worse by this checkout (fewer tables by rows, or no longer as Chromium copies them): {len(worse)}"
        f"{' (' + ', '.join(worse) + ')' if worse else ''}."
    )
    publish("PDF tables side by side filling the same rows", __file__, argv, summary, report, record=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
