"""What the HTML reader reads of legacy chained pages and of modern ones, against what
Chromium shows of them (``document.body.innerText``), this checkout beside another
revision, page by page.

    .venv/bin/python bench/html_chains_against_chromium.py [--baseline main] [--seed 7] [--legacy 300] [--record]

The corpus (seeded): ``--legacy`` 1998-style pages that chain a paragraph after formatting
left open (``<font face=Arial><p>``, ``<b><p>``, ``<p><font>``, a ``<span>``, a
``<center>``, a link left open...) and close nothing, 5 to 120 paragraphs, in a table's
cell, in nested divisions, with headings, lists, tables, ``<br>`` paragraphs and
``<noscript>`` among them, a navigation and a footer or not; modern pages of
``tests.documents.news_pages`` with a chain pasted into the article; and every page of
``tests/ingest/pages_read_before.py``. Chromium (``/usr/bin/chromium``, through
Playwright, scripts run) gives each page's ``innerText``; a fresh process of each checkout
(the baseline as a temporary ``git worktree``) reads each page with
``sources.ingest.extract``, and this checkout's process reads it also with the HTML5
reading taken wherever libxml2 nests paragraphs three deep, unguarded (its
``html._reads_all_of`` answering yes, the mended tree not tried first), and with libxml2's
tree of a chain mended as that of any other page is (``html._mended``) and read once,
unguarded: the two readings ``html._chained_paragraphs_side_by_side`` takes where they
read all that libxml2's reads. A fourth kind of page leaves
one element open (``<span>``, ``<em>``, a link, ``<sup>``...) in a paragraph not closed,
among paragraphs never closed or in a news page.

A reading's score is the F1 of its lines against Chromium's, whitespace collapsed, as
multisets, Chromium's lines of navigation and footer (the boilerplate each page was written
with) left out: a line of the reading scores when Chromium shows the same line; forty
paragraphs read as one line score nothing, each a line of its own scores each. A page
reads better, the same or worse than the baseline by its score; its sentences' recall
(Chromium's sentences found anywhere in the reading) says whether text was lost.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from html import escape
from pathlib import Path

from bench_support import PROJECT_DIR, publish, table

sys.path.insert(0, str(PROJECT_DIR))

from tests.documents import BOILERPLATE, news_pages, report_paragraphs  # noqa: E402
from tests.ingest.pages_read_before import pages as pages_read_before  # noqa: E402

PYTHON = str(PROJECT_DIR / ".venv" / "bin" / "python")
CHROMIUM = "/usr/bin/chromium"

READER = r"""
import io, json, os, sys, time
sys.path.insert(0, sys.argv[1])
os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
import django
django.setup()
from sources.ingest import ExtractionError, extract, html

def read(data):
    started = time.process_time()
    children = os.times()
    try:
        text = extract(io.BytesIO(data), declared_type="text/html").text
    except ExtractionError as error:
        text = f"refused: {error.code}"
    after = os.times()
    seconds = time.process_time() - started + (after.children_user - children.children_user) + (after.children_system - children.children_system)
    return text, seconds

answers = {}
unguarded = sys.argv[3] == "unguarded"
for name, path in json.loads(open(sys.argv[2]).read()):
    data = open(path, "rb").read()
    text, seconds = read(data)
    answer = {"text": text, "seconds": seconds}
    if unguarded:
        tree = html.load_html(data.decode("utf-8"))
        answer["nested"] = tree is not None and html._paragraph_in_a_paragraph(tree)
        kept = html._reads_all_of, getattr(html, "_side_by_side", None)
        html._reads_all_of = lambda other, text: True
        if kept[1] is not None:  # HTML5's reading alone, where the mended tree's is tried first
            html._side_by_side = lambda content, as_parsed: (lambda: (html._as_browsers_read(content), html._reads_all_of),)
        try:
            answer["unguarded"] = read(data)[0]
        finally:
            html._reads_all_of = kept[0]
            if kept[1] is not None:
                html._side_by_side = kept[1]
        kept = html._paragraph_in_a_paragraph
        html._paragraph_in_a_paragraph = lambda tree: False
        try:
            answer["mended"] = read(data)[0]
        finally:
            html._paragraph_in_a_paragraph = kept
    answers[name] = answer
json.dump(answers, sys.stdout)
"""

NAVIGATION = '<center><a href="/">Home page</a> | <a href="/archive">Archive of issues</a> | <a href="/contact">Contact the editors</a></center>'
FOOTER = "<center><font size=1>Copyright 1998 The Valley Gazette. All rights reserved.</font></center>"
LEGACY_BOILERPLATE = ["Home page", "Archive of issues", "Contact the editors", "Copyright 1998", "Please enable scripts"]
OPENERS = [
    "<font face=Arial><p>",
    "<p><font face=Arial>",
    "<font face=Verdana size=2><p>",
    "<b><p>",
    "<i><p>",
    "<font size=2><b><p>",
    "<span class=body><p>",
    "<center><p>",
    "<small><p>",
    "<strong><p>",
    "<font color=navy><i><p>",
    "<u><p>",
    "<font face=Arial><p align=justify>",
    "<em><p>",
    "<tt><p>",
    "<a name=part><p>",
]
CONTAINERS = [
    ("", ""),
    ("<table width=600><tr><td>", "</table>"),
    ("<table><tr><td width=120>Menu</td><td>", "</table>"),
    ("<div><div class=main><div>", ""),
    ("<center><table><tr><td>", ""),
    ("<blockquote>", ""),
    ("<div id=content>", "</div>"),
]


def paragraph_texts() -> list[str]:
    """Prose of every length: the seeds' paragraphs, and their sentences alone."""
    prose = report_paragraphs(200)
    sentences = [s for p in prose for s in re.split(r"(?<=[.!?])\s+", p) if len(s) > 30]
    return prose + sentences


def legacy_page(rng: random.Random, number: int, texts: list[str]) -> str:
    count = rng.choice([5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120])
    opener = rng.choice(OPENERS)
    start, end = rng.choice(CONTAINERS)
    separator = rng.choice(["\n", "", " "])
    extras = {extra for extra in ("heading", "list", "table", "br", "noscript", "link", "image", "anchor") if rng.random() < 0.25}
    first = rng.randrange(len(texts))
    body = [NAVIGATION] if rng.random() < 0.6 else []
    body.append(f"<h1>Minutes of issue {number}</h1>" if rng.random() < 0.7 else "")
    body.append(start)
    for index in range(count):
        text = escape(texts[(first + index * 7) % len(texts)])
        if "br" in extras and index % 9 == 4:
            text = text + "<br><br>" + escape(texts[(first + index * 7 + 3) % len(texts)])
        if "link" in extras and index % 13 == 6:
            text = text + ' See <a href="/report.html">the full report'  # left open
        if "anchor" in extras and index % 11 == 2:
            text = f"<a name=s{index}>" + text
        body.append(f"{opener}{text}{separator}")
        if "heading" in extras and index % 10 == 9:
            body.append(f"<h3>Part {index // 10 + 2} of issue {number}</h3>")
        if "list" in extras and index % 12 == 5:
            body.append(f"<ul><li>Motion {index} first reading<li>Motion {index} second reading</ul>")
        if "table" in extras and index % 14 == 7:
            body.append(f"<table border=1><tr><td>Votes for {index}<td>Votes against {index}</table>")
        if "noscript" in extras and index % 15 == 3:
            body.append("<noscript><p>Please enable scripts to see the archive.</p></noscript>")
        if "image" in extras and index % 8 == 1:
            body.append('<img src="seal.gif" width=40 height=40>')
    body.append(end)
    if rng.random() < 0.6:
        body.append(FOOTER)
    return f"<html><head><title>Issue {number}</title></head><body bgcolor=white>{''.join(body)}</body></html>"


def news_page_with_a_chain(rng: random.Random, number: int, texts: list[str]) -> tuple[str, list[str]]:
    """A news page whose article has paragraphs pasted from a legacy page in its middle."""
    page = news_pages()[number % 5]
    opener = rng.choice(OPENERS)
    count = rng.choice([3, 5, 10, 20, 40])
    first = rng.randrange(len(texts))
    chain = "".join(f"{opener}{escape(texts[(first + i * 5) % len(texts)])}\n" for i in range(count))
    html = page.html
    place = html.find("</p>", html.find("<p>", html.find("<article") if "<article" in html else 0))
    if place < 0:
        place = html.find("</body>") - 4
    html = html[: place + 4] + chain + html[place + 4 :]
    return html, [text for texts in BOILERPLATE.values() for text in texts]


LEFT_OPEN = ["<span>", "<span class=note>", "<em>", "<i>", "<b>", "<strong>", "<font size=2>", "<font face=Arial>", '<a href="/notes.html">', "<a name=note>", "<small>", "<code>", "<abbr title=x>", "<sup>", "<u>"]


def page_with_one_left_open(rng: random.Random, number: int, texts: list[str]) -> tuple[str, list[str]]:
    """A page one element of which is left open in a paragraph that is not closed either
    (``<p>A <span>aside<p>B``): pages of paragraphs never closed, or a news page one of
    whose paragraphs lost its end."""
    left_open = rng.choice(LEFT_OPEN)
    if number % 2:
        count = rng.choice([3, 5, 8, 12, 20, 40])
        first = rng.randrange(len(texts))
        where = rng.randrange(count - 1)
        paragraphs = []
        for index in range(count):
            text = escape(texts[(first + index * 3) % len(texts)])
            paragraphs.append(f"<p>{text}" + (f" {left_open}an aside" if index == where else "") + "\n")
        body = (NAVIGATION if rng.random() < 0.5 else "") + f"<h1>Notes {number}</h1>" + "".join(paragraphs) + (FOOTER if rng.random() < 0.5 else "")
        return f"<html><head><title>Notes {number}</title></head><body>{body}</body></html>", LEGACY_BOILERPLATE
    html = news_pages()[number % 5].html
    start = html.find("<article") if "<article" in html else 0
    ends = [found.start() for found in re.compile("</p>").finditer(html, start)][:6]
    if len(ends) > 1:
        end = ends[rng.randrange(len(ends) - 1)]
        html = html[:end] + f" {left_open}an aside" + html[end + 4 :]
    return html, [text for texts in BOILERPLATE.values() for text in texts]


def corpus(seed: int, legacy: int) -> list[tuple[str, str, list[str]]]:
    """(name, page, its boilerplate) of every page compared."""
    rng = random.Random(seed)
    texts = paragraph_texts()
    made = [(f"legacy {number}", legacy_page(rng, number, texts), LEGACY_BOILERPLATE) for number in range(legacy)]
    made += [(f"news page with a chain {number}", *news_page_with_a_chain(rng, number, texts)) for number in range(25)]
    made += [(f"one left open {number}", *page_with_one_left_open(rng, number, texts)) for number in range(60)]
    boilerplate = [text for texts in BOILERPLATE.values() for text in texts]
    made += [(f"read before: {name}", page, boilerplate) for name, page in pages_read_before().items()]
    return made


def shown_by_chromium(pages: list[tuple[str, str, list[str]]]) -> dict[str, str]:
    from playwright.sync_api import sync_playwright

    shown = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            tab = browser.new_page()
            for name, page, _ in pages:
                tab.set_content(page)
                shown[name] = tab.evaluate("document.body.innerText")
        finally:
            browser.close()
    return shown


def lines_of(text: str) -> list[str]:
    return [line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line]


def score(reading: str, shown: str, boilerplate: list[str]) -> tuple[float, float]:
    """(F1 of the reading's lines against Chromium's, the share of Chromium's sentences
    found in the reading), Chromium's lines of boilerplate left out."""
    if reading.startswith("refused: "):
        return 0.0, 0.0
    wanted = [line for line in lines_of(shown) if not any(text in line for text in boilerplate)]
    read = lines_of(reading)
    hits = sum((Counter(wanted) & Counter(read)).values())
    f1 = 2 * hits / (len(wanted) + len(read)) if wanted or read else 1.0
    sentences = [s for line in wanted for s in re.split(r"(?<=[.!?])\s+", line) if s]
    joined = " ".join(read)
    recall = sum(1 for s in sentences if s in joined) / len(sentences) if sentences else 1.0
    return f1, recall


def read_in(checkout: Path, listed: Path, unguarded: bool) -> dict:
    result = subprocess.run(
        [PYTHON, "-c", READER, str(checkout), str(listed), "unguarded" if unguarded else "guarded"],
        capture_output=True, text=True, check=True, cwd=checkout,
    )
    return json.loads(result.stdout)


def compared(before: list[tuple[float, float]], after: list[tuple[float, float]]) -> tuple[int, int, int, int]:
    """(better, same, worse, recall lost) of ``after`` against ``before``, page by page."""
    better = sum(1 for b, a in zip(before, after) if a[0] > b[0] + 1e-9)
    worse = sum(1 for b, a in zip(before, after) if a[0] < b[0] - 1e-9)
    lost = sum(1 for b, a in zip(before, after) if a[1] < b[1] - 1e-9)
    return better, len(before) - better - worse, worse, lost


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="main", help="the revision to compare with")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--legacy", type=int, default=300, help="how many legacy chained pages")
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    parser.add_argument("--show", type=int, default=10, help="how many pages read worse to list, with their lines")
    args = parser.parse_args(argv)
    pages = corpus(args.seed, args.legacy)
    shown = shown_by_chromium(pages)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        listed = []
        for number, (name, page, _) in enumerate(pages):
            path = scratch / f"page-{number}.html"
            path.write_text(page, encoding="utf-8")
            listed.append([name, str(path)])
        listing = scratch / "pages.json"
        listing.write_text(json.dumps(listed))
        baseline = scratch / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(baseline), args.baseline], cwd=PROJECT_DIR, check=True)
        try:
            before = read_in(baseline, listing, unguarded=False)
            after = read_in(PROJECT_DIR, listing, unguarded=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=PROJECT_DIR, check=False)

    groups = {
        "legacy chained pages": [p for p in pages if p[0].startswith("legacy ")],
        "news pages with a chain pasted in": [p for p in pages if p[0].startswith("news page with a chain")],
        "pages with one element left open in an unclosed paragraph": [p for p in pages if p[0].startswith("one left open")],
        "pages read before (tests/ingest/pages_read_before.py)": [p for p in pages if p[0].startswith("read before: ")],
    }
    rows, worse_pages = [], []
    for group, members in groups.items():
        for nested in (True, False):
            chosen = [p for p in members if after[p[0]]["nested"] is nested]
            if not chosen:
                continue
            base = [score(before[name]["text"], shown[name], boiler) for name, _, boiler in chosen]
            ours = [score(after[name]["text"], shown[name], boiler) for name, _, boiler in chosen]
            wide = [score(after[name]["unguarded"], shown[name], boiler) for name, _, boiler in chosen]
            mended = [score(after[name]["mended"], shown[name], boiler) for name, _, boiler in chosen]
            changed = sum(1 for name, _, _ in chosen if before[name]["text"] != after[name]["text"])
            mean = lambda scores: sum(s[0] for s in scores) / len(scores)  # noqa: E731
            seconds_before = sum(before[name]["seconds"] for name, _, _ in chosen)
            seconds_after = sum(after[name]["seconds"] for name, _, _ in chosen)
            rows.append([
                group, "yes" if nested else "no", len(chosen), changed,
                "{} / {} / {} ({} lost text)".format(*compared(base, ours)),
                "{} / {} / {} ({} lost text)".format(*compared(base, wide)),
                "{} / {} / {} ({} lost text)".format(*compared(base, mended)),
                f"{mean(base):.3f}", f"{mean(ours):.3f}", f"{mean(wide):.3f}", f"{mean(mended):.3f}",
                f"{seconds_before:.2f} s", f"{seconds_after:.2f} s",
            ])
            for (name, _, boiler), b, a in zip(chosen, base, ours):
                if a[0] < b[0] - 1e-9 or a[1] < b[1] - 1e-9:
                    worse_pages.append((name, b, a))
    report = table(
        ["pages", "paragraphs three deep (libxml2)", "pages", "read differently", "this checkout: better / same / worse",
         "unguarded HTML5 reading: better / same / worse", "libxml2's tree mended: better / same / worse",
         f"line F1, {args.baseline}", "line F1, this checkout", "line F1, unguarded", "line F1, mended", f"processor time, {args.baseline}", "processor time, this checkout"],
        rows,
    )
    if worse_pages:
        report += "\n\nRead worse than the baseline (line F1, sentence recall):\n\n" + "\n".join(
            f"- {name}: {b[0]:.3f}, {b[1]:.3f} -> {a[0]:.3f}, {a[1]:.3f}" for name, b, a in worse_pages
        )
        for name, _, _ in sorted(worse_pages, key=lambda page: page[2][1] - page[1][1])[: args.show]:
            print(f"=== {name}\n--- baseline\n{before[name]['text'][:1500]}\n--- this checkout\n{after[name]['text'][:1500]}\n--- Chromium\n{shown[name][:1500]}", file=sys.stderr)
    else:
        report += "\n\nNo page reads worse than the baseline, by line F1 or by sentence recall."
    summary = (
        f"{len(pages)} pages read by this checkout and by {args.baseline}, each scored against Chromium's innerText "
        "(line F1, boilerplate left out); better / same / worse counted page by page against the baseline."
    )
    publish("HTML: short chained paragraphs against Chromium", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
