"""PDF tables read a row a line: what the PDF reader makes of pages printed by Chromium,
tables and pages without one, against what Chromium shows of them (``innerText``), this
checkout's reader beside another revision's, in one run, and what each costs.

    .venv/bin/python bench/pdf_tables.py [--baseline main] [--seed 7] [--turns 5] [--show 5] [--record]

The corpus (seeded): HTML pages with tables (financial tables of right-aligned numbers,
cells wrapped over lines, empty cells, header cells, a table among prose, two tables, a
table across a page break, a table beside a column of prose; and tables this reader is not
meant to find: figures set flush left, cells without padding, a table of text alone) and pages without one
(prose, prose in two columns, lists, label/value layouts, definition lists, a chat log,
an index in two columns, a résumé with its dates flush right, a table of contents), and,
last, kinds a probe found read worse with tables (a note beside a table, narrow columns of
text set flush right, two tables side by side, footnote marks beside figures, a header
wrapped and centred in its cells, a page number just below a table, a header cell spanning
two columns, columns of figures about six points apart (under such a header too), headers set flush left over figures
set flush right, a column of notes empty in every row, a contents page, a
price list with leader dots and a spec sheet, each its values flush right, a payslip's
two halves under a line above both, two tables side by side too close to part), printed to PDF by Chromium (``/usr/bin/chromium``, through
Playwright) without its own header and footer, and a few of each kind with them (the
date, title, address and page number Chromium prints at the page's edges, which must
become no table row). ``sources/ingest/pdf.py`` of ``--baseline`` (read with ``git
show``, loaded as a module beside this checkout's) and of this checkout read each PDF in
this process (``read_pdf``), this checkout's with its tables asked for (``tables=True``, as
the setting ``SOURCE_PDF_TABLES`` asks for them; off by default).

A table is read by rows when each of its rows, as ``innerText`` gives it (cells apart by a
tab, white space within a cell collapsed), is a line of the reading, in order; a line read
with a tab that is no row of a table (Chromium's header or footer taken in, a phantom
column) is counted. A page without a table is scored by the F1 of its lines against ``innerText``'s, white space
(tabs too) collapsed, as multisets; it is unchanged when the two readings are the same
text. Every page's characters other than white space are counted in both readings: a
character lost or repeated is reported (a table's header row repeated at the top of each
page it runs over is kept now, where the baseline dropped its first cell as a running
head). Time: processor time of ``read_pdf``, the two
readers taking turns ``--turns`` times, the median of a PDF's turns divided by its pages;
the medians over each kind of page side by side, and a 100-page PDF of prose.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from html import escape

from bench_support import PROJECT_DIR, publish, table

sys.path.insert(0, str(PROJECT_DIR))

from sources.ingest import pdf  # noqa: E402


class this_reader:  # noqa: N801 - read as the module it stands for
    """This checkout's reader with its tables read (``SOURCE_PDF_TABLES``)."""

    pdfium = pdf.pdfium

    @staticmethod
    def read_pdf(stream):
        return pdf.read_pdf(stream, tables=True)
from tests.documents import report_paragraphs  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TABLE = "table"
PLAIN = "no table"

WORDS = (
    "exports imports crude refined gas grain steel copper machinery vehicles services tourism transport "
    "insurance fertiliser textiles pharmaceuticals electronics timber fisheries cotton coffee tea sugar"
).split()
COUNTRIES = "Iran Iraq Turkey Egypt India China Japan Brazil Chile Peru Kenya Ghana Norway Spain France Italy Poland Canada Mexico".split()
NAMES = "Alice Bashir Chen Dana Emeka Farah Goran Hana Ivan Jia".split()
PAYMENTS = ["Basic salary", "Overtime", "Holiday pay", "Bonus", "Travel allowance", "Shift allowance", "Sick pay"]
DEDUCTIONS = ["Income tax", "National insurance", "Pension", "Student loan", "Union fees", "Health insurance", "Cycle scheme"]


def baseline_reader(revision: str):
    """``sources/ingest/pdf.py`` as it is at ``revision``, loaded as a module of the package
    (its relative imports read this checkout's modules beside it)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:sources/ingest/pdf.py"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout
    spec = importlib.util.spec_from_loader("sources.ingest._pdf_baseline", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "sources.ingest"
    module.__file__ = str(PROJECT_DIR / "sources" / "ingest" / "pdf.py")
    exec(compile(source, f"{revision}:sources/ingest/pdf.py", "exec"), module.__dict__)  # noqa: S102
    return module


def number(rng: random.Random) -> str:
    value = rng.uniform(-50, 20000) if rng.random() < 0.8 else rng.uniform(-1, 1)
    form = rng.choice(["{:,.1f}", "{:,.0f}", "{:.2f}", "{:,.1f}%", "{:.1f} bn"])
    return form.format(value)


def financial_table(
    rng: random.Random, rows: int, *, wrapped: bool = False, empty: float = 0.0, caption: bool = False, columns: int = 0
) -> str:
    columns = columns or rng.randint(2, 5)
    padding = rng.choice(["4px 8px", "3px 12px", "6px 10px", "2px 9px"])
    align = rng.choice(["top", "middle"])
    border = rng.choice(["", "border-bottom:1px solid #999;"])
    years = [str(2016 + n) for n in range(columns)]
    head = "".join(f'<th style="padding:{padding};text-align:right">{year}</th>' for year in years)
    body = []
    for _ in range(rows):
        if wrapped:
            label = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 12))).capitalize()
        else:
            label = f"{rng.choice(WORDS).capitalize()} to {rng.choice(COUNTRIES)}"
        cells = "".join(
            f'<td style="padding:{padding};text-align:right;{border}">{"" if rng.random() < empty else number(rng)}</td>' for _ in years
        )
        width = "width:180px;" if wrapped else ""
        body.append(f'<tr><td style="padding:{padding};{width}{border}">{escape(label)}</td>{cells}</tr>')
    title = f"<caption>Table {rng.randint(1, 9)}: trade by partner</caption>" if caption else ""
    return (
        f'<table style="border-collapse:collapse;vertical-align:{align}">{title}'
        f'<thead><tr><th style="padding:{padding};text-align:left">Item</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def page(body: str, *, font: str = "serif", columns: int = 1) -> str:
    style = f"font-family:{font};font-size:{12 + columns}px;" + (f"column-count:{columns};column-gap:28px;" if columns > 1 else "")
    return f'<html><head><meta charset="utf-8"><title>Trade report</title></head><body style="{style}">{body}</body></html>'


def prose(paragraphs: list[str]) -> str:
    return "".join(f"<p>{escape(text)}</p>" for text in paragraphs)


def corpus(seed: int) -> list[tuple[str, str, str, bool]]:
    """``(name, kind, html, with Chromium's header and footer)``."""
    rng = random.Random(seed)
    texts = report_paragraphs(60)
    pick = lambda count: rng.sample(texts, count)  # noqa: E731
    font = lambda: rng.choice(["serif", "sans-serif", "monospace"])  # noqa: E731
    pages = []
    for n in range(8):
        pages.append((f"financial table {n}", TABLE, page(financial_table(rng, rng.randint(4, 16)), font=font()), False))
    for n in range(3):
        pages.append((f"wrapped cells {n}", TABLE, page(financial_table(rng, rng.randint(4, 9), wrapped=True), font=font()), False))
    for n in range(2):
        pages.append((f"empty cells {n}", TABLE, page(financial_table(rng, rng.randint(5, 10), empty=0.3), font=font()), False))
    for n in range(2):
        pages.append((f"table with a caption {n}", TABLE, page(financial_table(rng, 6, caption=True), font=font()), False))
    for n in range(3):
        body = prose(pick(2)) + financial_table(rng, rng.randint(4, 8)) + prose(pick(2))
        pages.append((f"table among prose {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        body = "<h2>Exports</h2>" + financial_table(rng, 5) + "<h2>Imports</h2>" + financial_table(rng, 6) + prose(pick(1))
        pages.append((f"two tables {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        body = prose(pick(3)) + financial_table(rng, 70)
        pages.append((f"table across a page break {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        body = (
            f'<div style="display:flex;gap:30px"><div style="width:45%">{prose(pick(2))}</div>'
            f"<div>{financial_table(rng, 8, columns=3)}</div></div>"
        )
        pages.append((f"table beside prose {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        body = prose(pick(1)) + financial_table(rng, 9) + prose(pick(1))
        pages.append((f"table, Chromium's header and footer {n}", TABLE, page(body, font=font()), True))

    for n in range(2):
        body = financial_table(rng, 7).replace("text-align:right", "text-align:left")
        pages.append((f"figures set flush left {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        body = financial_table(rng, 7).replace("padding:", "padding:0 1px;x:")
        pages.append((f"tight table {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        people = "".join(
            f"<tr><td style='padding:3px 10px'>{rng.choice(NAMES)} {rng.choice(COUNTRIES)}son</td><td style='padding:3px 10px'>"
            f"{rng.choice(['Analyst', 'Editor', 'Director of research'])}</td><td style='padding:3px 10px'>{rng.choice(COUNTRIES)}</td></tr>"
            for _ in range(6)
        )
        pages.append((f"table of text {n}", TABLE, page(f"<table>{people}</table>", font=font()), False))
    for n in range(6):
        pages.append((f"prose {n}", PLAIN, page(prose(pick(rng.randint(3, 8))), font=font()), False))
    for n in range(4):
        pages.append((f"prose in two columns {n}", PLAIN, page(prose(pick(6)), font=font(), columns=2), False))
    for n in range(3):
        items = "".join(f"<li>{escape(text[: rng.randint(20, 200)])}</li>" for text in pick(8))
        pages.append((f"list {n}", PLAIN, page(prose(pick(1)) + ("<ol>" if n % 2 else "<ul>") + items + "</ul>"), False))
    for n in range(3):
        fields = "".join(
            f"<div>{label}:</div><div>{value}</div>"
            for label, value in [
                ("Name", rng.choice(NAMES) + " " + rng.choice(COUNTRIES) + "son"), ("Date", f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"),
                ("Reference", f"AB-{rng.randint(1000, 9999)}"), ("Country", rng.choice(COUNTRIES)), ("Amount", number(rng)),
                ("Status", rng.choice(["open", "closed", "pending review"])),
            ]
        )
        body = f'<h2>Record</h2><div style="display:grid;grid-template-columns:140px 1fr;row-gap:4px">{fields}</div>' + prose(pick(1))
        pages.append((f"label/value layout {n}", PLAIN, page(body, font=font()), False))
    for n in range(3):
        terms = "".join(f"<dt>{rng.choice(WORDS).capitalize()}</dt><dd>{escape(text[:150])}</dd>" for text in pick(5))
        style = "" if n == 0 else ' style="display:grid;grid-template-columns:120px 1fr;gap:6px 12px"'
        fix = "" if n == 0 else "<style>dd{margin:0}</style>"
        pages.append((f"definition list {n}", PLAIN, page(fix + f"<dl{style}>{terms}</dl>", font=font()), False))
    for n in range(3):
        messages = "".join(
            f'<div style="display:grid;grid-template-columns:60px 70px 1fr"><span>10:{10 + m:02d}</span>'
            f"<b>{rng.choice(NAMES)}</b><span>{escape(text[: rng.randint(10, 160)])}</span></div>"
            for m, text in enumerate(pick(10))
        )
        pages.append((f"chat log {n}", PLAIN, page(messages, font=font()), False))
    for n in range(3):
        entries = sorted({f"{rng.choice(WORDS)} {rng.choice(COUNTRIES)}" for _ in range(60)})
        lines = "".join(f"<div>{entry}, {rng.randint(1, 300)}, {rng.randint(1, 300)}</div>" for entry in entries)
        pages.append((f"index in two columns {n}", PLAIN, page(f"<h2>Index</h2>{lines}", font=font(), columns=2), False))
    for n in range(2):
        memo = "".join(f"<div><b>{label}</b> {value}</div>" for label, value in [("To:", "the board"), ("From:", rng.choice(NAMES)), ("Re:", "quarterly figures")])
        pages.append((f"memo {n}", PLAIN, page(memo + prose(pick(3)), font=font()), False))
    for n in range(2):
        jobs = "".join(
            f'<div style="display:flex;justify-content:space-between"><b>{rng.choice(["Analyst", "Editor", "Researcher"])}, '
            f'{rng.choice(COUNTRIES)} Institute</b><span>{2000 + m}–{2002 + m}</span></div><p>{escape(text[:140])}</p>'
            for m, text in enumerate(pick(4))
        )
        pages.append((f"résumé, dates flush right {n}", PLAIN, page(jobs, font=font()), False))
    for n in range(2):
        entries = "".join(
            f'<div style="display:flex;justify-content:space-between;width:60%"><span>{number}. {rng.choice(WORDS).capitalize()} '
            f"and {rng.choice(WORDS)}</span><span>{3 + 7 * number}</span></div>"
            for number in range(1, 12)
        )
        pages.append((f"table of contents {n}", PLAIN, page("<h2>Contents</h2>" + entries, font=font()), False))
    for n in range(2):
        pages.append((f"prose, Chromium's header and footer {n}", PLAIN, page(prose(pick(5)), font=font()), True))
    # Kinds a probe found read worse with tables than without, drawn last so that the pages
    # above stay those of earlier runs with the same seed.
    for n in range(2):
        note = f'<div style="width:{rng.randint(140, 200)}px;font-size:12px">{escape(pick(1)[0][:rng.randint(60, 120)])}</div>'
        parts = [financial_table(rng, rng.randint(4, 8), columns=3), note]
        body = f'<div style="display:flex;gap:{rng.randint(24, 48)}px">{"".join(parts if n % 2 == 0 else parts[::-1])}</div>'
        pages.append((f"note beside a table {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        body = f'<div style="display:flex;gap:{rng.randint(24, 40)}px">' + "".join(
            f'<div style="width:{rng.randint(90, 110)}px;text-align:right">{escape(text[:rng.randint(80, 160)])}</div>' for text in pick(2)
        ) + "</div>"
        pages.append((f"narrow columns set flush right {n}", PLAIN, page(body, font=font()), False))
    for n in range(2):
        body = f'<div style="display:flex;gap:40px">{financial_table(rng, 5, columns=2)}{financial_table(rng, 5, columns=2)}</div>'
        pages.append((f"two tables side by side {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        marked = financial_table(rng, rng.randint(5, 9))
        marked = marked.replace("</td>", "<sup>*</sup></td>", 2).replace('right;">', 'right;"><sup>1</sup>', 1)
        pages.append((f"footnote marks {n}", TABLE, page(marked, font=font()), False))
    for n in range(2):
        wrapped_header = financial_table(rng, rng.randint(4, 7), columns=3)
        for year in ("2016", "2017", "2018"):
            wrapped_header = wrapped_header.replace(f"text-align:right\">{year}</th>", f"text-align:center;width:60px\">Exports in {year}</th>")
        wrapped_header = wrapped_header.replace("text-align:left\">Item</th>", "text-align:left;width:50px\">Trading partner</th>")
        pages.append((f"header wrapped and centred {n}", TABLE, page(wrapped_header, font=font()), False))
    for n in range(2):
        rows = "".join(f"<tr><td style='padding:3px 10px'>Entry {m}</td><td style='padding:3px 10px;text-align:right'>{number(rng)}</td></tr>" for m in range(rng.randint(6, 12)))
        body = f"<table style='border-collapse:collapse'>{rows}</table><div style='margin-top:4px;text-align:center'>{rng.randint(2, 40)}</div>"
        pages.append((f"a page number below a table {n}", TABLE, page(body, font=font()), False))
    for n in range(3):
        pages.append((f"header spanning two columns {n}", TABLE, page(spanning_table(rng, units=n == 2), font=font()), False))
    for n in range(3):
        body = financial_table(rng, rng.randint(5, 9)).replace("padding:", "padding:2px 3px;x:")
        pages.append((f"columns six points apart {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        body = financial_table(rng, rng.randint(5, 9), columns=3).replace("<th style=\"padding:", "<th style=\"min-width:90px;padding:")
        body = body.replace(";text-align:right\">", ";text-align:left\">").replace("<table style=\"", "<table style=\"width:85%;")
        pages.append((f"headers flush left over figures {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        pages.append((f"a notes column empty in every row {n}", TABLE, page(notes_table(rng), font=font()), False))
    for n in range(2):
        body = spanning_table(rng, units=n == 1, padding="2px 3px")
        pages.append((f"header spanning two columns six points apart {n}", TABLE, page(body, font=font()), False))
        # A title and its page: a flex row's two ends, a page floated right, a spacer drawn
        # as a dotted rule between them.
        entry = [
            "<div style='display:flex;justify-content:space-between'><span>{}</span><span>{}</span></div>",
            "<div style='margin:3px 0'>{}<span style='float:right'>{}</span></div>",
            "<div style='display:flex;gap:4px'><span>{}</span><span style='flex:1;border-bottom:1px dotted #000;margin-bottom:4px'></span><span>{}</span></div>",
        ][n]
        first = rng.randint(1, 9)
        entries = "".join(
            entry.format(f"{number + 1}. {rng.choice(WORDS).capitalize()} and {rng.choice(WORDS)}", first + 6 * number + rng.randint(0, 5)) for number in range(rng.randint(6, 12))
        )
        pages.append((f"contents page, page numbers flush right {n}", PLAIN, page(f"<h2>Contents</h2><div style='width:{rng.randint(60, 100)}%'>{entries}</div>", font=font()), False))
    for n in range(2):
        # An item, a few leader dots, and its price floated right or at a flex row's end.
        entry = ["<div style='margin:2px 0'>{} {}<span style='float:right'>{}</span></div>",
                 "<div style='display:flex;justify-content:space-between'><span>{} {}</span><span>{}</span></div>"][n]
        leader = rng.choice([". " * 6, "." * 12])
        entries = "".join(entry.format(f"{rng.choice(WORDS).capitalize()} from {rng.choice(COUNTRIES)}", leader, f"{rng.uniform(2, 40):.2f}") for _ in range(rng.randint(6, 10)))
        pages.append((f"price list, leader dots {n}", PLAIN, page(f"<h2>Prices</h2><div style='width:{rng.randint(45, 70)}%'>{entries}</div>", font=font()), False))
    for n in range(2):
        entry = ["<div style='display:flex;justify-content:space-between;border-bottom:1px solid #ccc;padding:3px 0'><span>{}</span><span>{}</span></div>",
                 "<div style='margin:2px 0'>{}<span style='float:right'>{}</span></div>"][n]
        specifications = [("Weight", f"{rng.uniform(0.5, 3):.2f} kg"), ("Height", f"{rng.randint(10, 30)} mm"), ("Width", f"{rng.randint(200, 400)} mm"),
                          ("Memory", f"{rng.choice([8, 16, 32])} GB"), ("Storage", f"{rng.choice([256, 512])} GB"), ("Battery", f"{rng.randint(40, 99)} Wh"), ("Warranty", f"{rng.randint(1, 3)} years")]
        entries = "".join(entry.format(*specification) for specification in specifications)
        pages.append((f"spec sheet, values flush right {n}", PLAIN, page(f"<h2>Specifications</h2><div style='width:{rng.randint(40, 60)}%'>{entries}</div>", font=font()), False))
    for n in range(2):
        # Two tables side by side, a line above both: the employee and the period at its two
        # ends, or a heading over each half.
        def half(labels: list[str]) -> str:
            return "<table style='border-collapse:collapse;width:100%'>" + "".join(
                f"<tr><td style='padding:3px 6px'>{label}</td><td style='text-align:right;padding:3px 6px'>{rng.uniform(10, 4000):,.2f}</td></tr>"
                for label in rng.sample(labels, 5)
            ) + "</table>"
        gap = rng.randint(20, 40)
        above = [
            f"<div style='display:flex;justify-content:space-between'><span>Employee: {rng.choice(NAMES)} (No. {rng.randint(1000, 9999)})</span><span>Period: 0{rng.randint(1, 9)}/2026</span></div>",
            f"<div style='display:flex;gap:{gap}px'><b style='flex:1'>Payments</b><b style='flex:1'>Deductions</b></div>",
        ][n]
        body = f"<h3>Payslip</h3>{above}<div style='display:flex;gap:{gap}px'><div style='flex:1'>{half(PAYMENTS)}</div><div style='flex:1'>{half(DEDUCTIONS)}</div></div>"
        pages.append((f"payslip, a line above both halves {n}", TABLE, page(body, font=font()), False))
    for n in range(2):
        # Two unlike tables 20 pixels apart, their cells padded wide: closer together than
        # twice their columns' gutters.
        padding = ["6px 16px", "4px 12px"][n]

        def small_table(years: list[str], labels: list[str]) -> str:
            head = "".join(f"<th style='padding:{padding};text-align:right'>{year}</th>" for year in years)
            body = "".join(
                f"<tr><td style='padding:{padding}'>{label}</td>" + "".join(f"<td style='padding:{padding};text-align:right'>{number(rng)}</td>" for _ in years) + "</tr>"
                for label in labels
            )
            return f"<table style='border-collapse:collapse'><tr><th style='padding:{padding};text-align:left'>Item</th>{head}</tr>{body}</table>"

        body = (f"<div style='display:flex;gap:20px'>{small_table(['2024', '2025'], rng.sample(COUNTRIES, 5))}"
                f"{small_table(['Mt'], [word.capitalize() for word in rng.sample(WORDS, 5)])}</div>")
        pages.append((f"two tables side by side, close {n}", TABLE, page(body, font=font()), False))
    return pages


def notes_table(rng: random.Random) -> str:
    """A statement with a "Notes" column after the labels, its header alone, empty in every
    row."""
    cell = "padding:4px 8px;text-align:{}"
    aligns = ["left", "left", "right", "right"]
    head = "".join(f'<th style="{cell.format(align)}">{text}</th>' for text, align in zip(["Item", "Notes", "2023", "2022"], aligns))
    body = []
    for _ in range(rng.randint(5, 8)):
        cells = [f"{rng.choice(WORDS).capitalize()} to {rng.choice(COUNTRIES)}", "", number(rng), number(rng)]
        body.append("<tr>" + "".join(f'<td style="{cell.format(align)}">{escape(text)}</td>' for text, align in zip(cells, aligns)) + "</tr>")
    return f'<table style="border-collapse:collapse"><tr>{head}</tr>{"".join(body)}</table>'


def spanning_table(rng: random.Random, *, units: bool = False, padding: str = "") -> str:
    """A financial statement of two years, each a header cell spanning two columns
    (``colspan=2``) centred over a group's and a company's figures, or over an amount and
    a percentage (``units``); its cells' ``padding`` one of a few if not given."""
    padding = padding or rng.choice(["4px 8px", "3px 10px", "2px 9px"])
    cell = f"padding:{padding};text-align:{{}}"
    under = ["£m", "%"] if units else ["Group", "Company"]
    years = "".join(f'<th colspan=2 style="{cell.format("center")}">{2023 - n}</th>' for n in range(2))
    heads = "".join(f'<th style="{cell.format("right")}">{text}</th>' for text in under * 2)
    body = []
    for label in ["Revenue", "Cost of sales", "Gross profit", "Administrative expenses", "Operating profit", "Finance costs", "Profit before tax"]:
        figures = [f"{rng.uniform(-9000, 90000):,.0f}" if not units or m % 2 == 0 else f"{rng.uniform(-20, 40):.1f}" for m in range(4)]
        body.append(f'<tr><td style="{cell.format("left")}">{label}</td>' + "".join(f'<td style="{cell.format("right")}">{figure}</td>' for figure in figures) + "</tr>")
    return (
        f'<table style="border-collapse:collapse"><thead><tr><th style="{cell.format("left")}"></th>{years}</tr>'
        f'<tr><th style="{cell.format("left")}">{"" if units else "£ million"}</th>{heads}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def printed(pages) -> tuple[dict[str, bytes], dict[str, str], dict[str, list[list[str]]]]:
    """Each page's PDF, its ``innerText`` and its tables' rows as ``innerText`` gives them."""
    from playwright.sync_api import sync_playwright

    pdfs, shown, rows = {}, {}, {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            tab = browser.new_page()
            for name, _, html, header_and_footer in pages:
                tab.set_content(html)
                shown[name] = tab.evaluate("document.body.innerText")
                rows[name] = tab.evaluate(
                    "[...document.querySelectorAll('table')].map(t => [...t.rows].map(r => [...r.cells].map(c => c.innerText)))"
                )
                pdfs[name] = tab.pdf(format="A4", display_header_footer=header_and_footer, print_background=False)
        finally:
            browser.close()
    return pdfs, shown, rows


def row_line(cells: list[str]) -> str:
    return "\t".join(" ".join(cell.split()) for cell in cells).rstrip("\t")


def by_rows(reading: str, tables: list[list[list[str]]]) -> tuple[int, int]:
    """(tables read by rows, rows found as lines of the reading) of a page's tables."""
    lines = [line.rstrip("\t ") for line in reading.split("\n")]
    whole = found = 0
    for rows in tables:
        wanted = [row_line(cells) for cells in rows]
        position, hits = 0, 0
        for line in wanted:
            if line in lines[position:]:
                position = lines.index(line, position) + 1
                hits += 1
        found += hits
        whole += hits == len(wanted)
    return whole, found


def f1(reading: str, shown: str) -> float:
    lines_of = lambda text: [" ".join(line.split()) for line in text.split("\n") if line.strip()]  # noqa: E731
    wanted, read = Counter(lines_of(shown)), Counter(lines_of(reading))
    hits = sum((wanted & read).values())
    total = sum(wanted.values()) + sum(read.values())
    return 2 * hits / total if total else 1.0


def characters(text: str) -> Counter:
    return Counter(character for character in text if not character.isspace())


def seconds_per_page(reader, data: bytes) -> float:
    started = time.process_time()
    reader.read_pdf(io.BytesIO(data))
    return time.process_time() - started


def timed(readers, pdfs: dict[str, bytes], turns: int) -> dict[str, list[float]]:
    """Each PDF's median processor seconds a page, for each reader, the readers taking turns."""
    samples = {name: [[] for _ in readers] for name in pdfs}
    for _ in range(turns):
        for name, data in pdfs.items():
            for place, reader in enumerate(readers):
                samples[name][place].append(seconds_per_page(reader, data))
    pages = {name: len(this_reader.pdfium.PdfDocument(data)) for name, data in pdfs.items()}
    return {name: [statistics.median(turn) / pages[name] for turn in found] for name, found in samples.items()}


def long_prose_pdf() -> bytes:
    from playwright.sync_api import sync_playwright

    texts = report_paragraphs(60)
    body = prose(texts * 32)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            tab = browser.new_page()
            tab.set_content(page(body))
            data = tab.pdf(format="A4")
        finally:
            browser.close()
    document = this_reader.pdfium.PdfDocument(data)
    count = len(document)
    document.close()
    if count < 100:
        raise SystemExit(f"the long prose PDF has {count} pages, not 100")
    # Its first hundred pages.
    new = this_reader.pdfium.PdfDocument.new()
    source = this_reader.pdfium.PdfDocument(data)
    new.import_pages(source, list(range(100)))
    out = io.BytesIO()
    new.save(out)
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="main", help="the revision whose sources/ingest/pdf.py to compare with")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--turns", type=int, default=5, help="turns each reader takes at each PDF, for the time")
    parser.add_argument("--show", type=int, default=5, help="how many pages read worse or differently to print, with their lines")
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args(argv)
    base = baseline_reader(args.baseline)
    readers = [base, this_reader]
    pages = corpus(args.seed)
    pdfs, shown, table_rows = printed(pages)
    text = {name: [reader.read_pdf(io.BytesIO(pdfs[name]))[0] for reader in readers] for name, *_ in pages}
    times = timed(readers, pdfs, args.turns)
    groups: dict[str, list] = {}
    for name, kind, _, _ in pages:
        groups.setdefault(name.rstrip("0123456789 "), []).append((name, kind))
    rows, shown_pages, character_changes = [], [], []
    totals = Counter()
    for name, _, _, _ in pages:
        rows_shown = {row_line(cells) for table_rows_of in table_rows[name] for cells in table_rows_of}
        read_as_rows = [line.rstrip("\t ") for line in text[name][1].split("\n") if "\t" in line]
        totals["no row"] += sum(1 for line in read_as_rows if line not in rows_shown)
    for group, members in groups.items():
        kind = members[0][1]
        tables_count = sum(len(table_rows[name]) for name, _ in members)
        whole = [sum(by_rows(text[name][place], table_rows[name])[0] for name, _ in members) for place in (0, 1)]
        scores = [[f1(text[name][place], shown[name]) for name, _ in members] for place in (0, 1)]
        unchanged = sum(1 for name, _ in members if text[name][0] == text[name][1])
        better = sum(1 for a, b in zip(*scores) if b > a + 1e-9)
        worse = sum(1 for a, b in zip(*scores) if b < a - 1e-9)
        medians = [statistics.median(times[name][place] for name, _ in members) * 1000 for place in (0, 1)]
        for name, _ in members:
            if characters(text[name][0]) != characters(text[name][1]):
                character_changes.append(name)
        totals[kind, "pages"] += len(members)
        totals[kind, "tables"] += tables_count
        totals[kind, "whole base"] += whole[0]
        totals[kind, "whole new"] += whole[1]
        totals[kind, "unchanged"] += unchanged
        totals[kind, "worse"] += worse
        rows.append([
            group, kind, len(members), tables_count, f"{whole[0]} / {whole[1]}", unchanged, f"{better} / {worse}",
            f"{statistics.mean(scores[0]):.3f}", f"{statistics.mean(scores[1]):.3f}",
            f"{medians[0]:.2f}", f"{medians[1]:.2f}", f"{medians[1] / medians[0]:.2f}x",
        ])
        for name, _ in members:
            score_pair = (f1(text[name][0], shown[name]), f1(text[name][1], shown[name]))
            if text[name][0] != text[name][1] and (kind == PLAIN or score_pair[1] < score_pair[0]):
                shown_pages.append(name)
    report = table(
        ["pages", "kind", "pages", "tables", f"tables read by rows, {args.baseline} / this checkout", "pages read the same",
         "line F1 better / worse", f"line F1, {args.baseline}", "line F1, this checkout",
         f"ms a page, {args.baseline} (median)", "ms a page, this checkout (median)", "ratio"],
        rows,
    )
    long_pdf = long_prose_pdf()
    long_times = timed(readers, {"long": long_pdf}, max(3, args.turns // 2))["long"]
    same_long = base.read_pdf(io.BytesIO(long_pdf))[0] == this_reader.read_pdf(io.BytesIO(long_pdf))[0]
    plain_kind = [(name, kind) for name, kind, _, _ in pages if kind == PLAIN]
    prose_names = [name for name, _ in plain_kind if name.startswith("prose")]
    prose_medians = [statistics.median(times[name][place] for name in prose_names) * 1000 for place in (0, 1)]
    summary = (
        f"{len(pages)} pages printed by Chromium, read by {args.baseline}'s PDF reader and this checkout's in one process. "
        f"Tables read by rows: {totals[TABLE, 'whole base']} of {totals[TABLE, 'tables']} ({args.baseline}), "
        f"{totals[TABLE, 'whole new']} of {totals[TABLE, 'tables']} (this checkout). "
        f"Lines read as a table's row that are no row of a table: {totals['no row']}. "
        f"Pages without a table read the same: {totals[PLAIN, 'unchanged']} of {totals[PLAIN, 'pages']} "
        f"({totals[PLAIN, 'worse']} worse by line F1). "
        f"Pages whose characters (white space aside) differ between the two readings: {len(character_changes)}"
        f"{' (' + ', '.join(character_changes) + ')' if character_changes else ''}. "
        f"Prose and prose in two columns, median ms a page: {prose_medians[0]:.2f} against {prose_medians[1]:.2f} "
        f"({prose_medians[1] / prose_medians[0]:.2f}x). "
        f"A 100-page prose PDF: {long_times[0] * 100:.3f} s against {long_times[1] * 100:.3f} s "
        f"({long_times[1] / long_times[0]:.2f}x), {'the same text' if same_long else 'TEXT DIFFERS'}."
    )
    for name in shown_pages[: args.show]:
        print(f"=== {name}\n--- {args.baseline}\n{text[name][0][:1200]}\n--- this checkout\n{text[name][1][:1200]}\n--- Chromium\n{shown[name][:1200]}", file=sys.stderr)
    publish("PDF tables read a row a line, against Chromium", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
