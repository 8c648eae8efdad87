"""Extraction time of legacy pages that chain ``<font face=Arial><p>`` before each
paragraph (read as HTML5 builds them, ``sources/ingest/html5.py``) and of hostile pages
through that reading, against another revision, side by side.

    .venv/bin/python bench/html_chains.py [--baseline c335121] [--repeat 3] [--short] [--record]

With ``--short``, only chains short enough for libxml2 (40 and 120 paragraphs, read as
HTML5 builds them where that reading reads all libxml2's: ``html._chained_paragraphs_side_by_side``)
and ordinary pages (which must pay nothing for it: the 1.8 MB news page of
``bench/ingestion.py`` and 2 MB of paragraphs, and the news page with one short chain
pasted in its article).

Each page is written once; a fresh process of each checkout (the baseline as a temporary
``git worktree``, with this checkout's virtual environment) times ``sources.ingest.extract``
on it, median of ``--repeat``, and says what came of it: the lines read, or the refusal's
code. The baseline refuses every chained page past about 128 paragraphs (``too_complex``):
its column gives the time it took to refuse.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_support import PROJECT_DIR, publish, table

PYTHON = str(PROJECT_DIR / ".venv" / "bin" / "python")

TIMER = r"""
import io, json, os, statistics, sys, time
sys.path.insert(0, sys.argv[1])
os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
import django
django.setup()
from sources.ingest import ExtractionError, extract
answers = {}
for name, path in json.loads(sys.argv[2]):
    data = open(path, "rb").read()
    samples = []
    for _ in range(int(sys.argv[3])):
        # With --short, processor time (the child's with it): the short pages' differences are
        # smaller than a shared machine's swings of the clock.
        clock = (lambda: time.process_time() + os.times().children_user + os.times().children_system) if sys.argv[4] == "processor" else time.perf_counter
        started = clock()
        try:
            outcome = f"{len(extract(io.BytesIO(data), declared_type='text/html').text.splitlines()):,} lines"
        except ExtractionError as error:
            outcome = f"refused, {error.code}"
        samples.append(clock() - started)
    answers[name] = [statistics.median(samples), outcome]
print(json.dumps(answers))
"""


def sentence(number: int) -> str:
    return f"In the minutes of meeting {number} the council recorded that item {number} was settled after {number % 7 + 2} hours."


def page(body: str) -> bytes:
    return f"<html><head><title>Minutes</title></head><body>{body}</body></html>".encode()


def chained(count: int) -> bytes:
    return page("".join(f"<font face=Arial><p>{sentence(number)}\n" for number in range(count)))


def chained_to(size: int) -> bytes:
    """Chained paragraphs of 200 characters or so, up to ``size`` bytes."""
    paragraphs, total, number = [], 0, 0
    while total < size:
        paragraph = f"<font face=Arial><p>{sentence(number)} It was minuted by clerk {number}, and read again at the following session without change.\n"
        paragraphs.append(paragraph)
        total, number = total + len(paragraph), number + 1
    return page("".join(paragraphs))


CHAIN = "".join(f"<font face=Arial><p>{sentence(number)}\n" for number in range(300))


def pages() -> list[tuple[str, bytes]]:
    return [
        *((f"{count:,} chained paragraphs", chained(count)) for count in (1000, 2000, 4000, 8000)),
        ("2 MB of chained paragraphs", chained_to(2 * 2**20)),
        ("10,000 nested divisions", page("<div>" * 10_000 + "deep" + "</div>" * 10_000)),
        ("9 MB of nested divisions", page("<div>" * (9 * 2**20 // 5))),
        ("a chain, then 30,000 nested divisions", page(CHAIN + "<div>" * 30_000)),
        ("a chain, then 50,000 line breaks (a flood)", page(CHAIN + "<br>" * 50_000)),
        ("a chain, then 300 formatting elements reopened in 30,000 paragraphs", page(CHAIN + "<p>" + "".join(f"<font c={n}>" for n in range(300)) + "<p>x" * 30_000)),
        ("a chain, then an unclosed comment", page(CHAIN + "<!--" + "never closed " * 1000)),
        ("a chain, then 2 MB of '<'", page(CHAIN + "<" * 2 * 2**20)),
        ("a chain, then 400 KB of tags without ends", page(CHAIN + "<font face=Arial<p" * 22_000)),
    ]


def short_pages() -> list[tuple[str, bytes]]:
    from ingestion import big_news_page, dense_page

    news = big_news_page()
    place = news.index(b"</p>", news.index(b"<article")) + 4
    pasted = news[:place] + "".join(f"<font face=Arial><p>{sentence(number)}\n" for number in range(10)).encode() + news[place:]
    return [
        ("40 chained paragraphs", chained(40)),
        ("120 chained paragraphs", chained(120)),
        ("1.8 MB news page", news),
        ("2 MB of paragraphs", dense_page(2 * 2**20)),
        ("1.8 MB news page, 10 chained paragraphs in its article", pasted),
    ]


def timed_in(checkout: Path, listed: list, repeat: int, clock: str = "wall") -> dict[str, list]:
    result = subprocess.run([PYTHON, "-c", TIMER, str(checkout), json.dumps(listed), str(repeat), clock],
                            capture_output=True, text=True, check=True, cwd=checkout)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="c335121", help="the revision to compare with (the commit before the HTML5 reading)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    parser.add_argument("--short", action="store_true", help="only short chains and ordinary pages")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        baseline = scratch / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(baseline), args.baseline], cwd=PROJECT_DIR, check=True)
        try:
            listed = []
            for number, (name, data) in enumerate(short_pages() if args.short else pages()):
                path = scratch / f"page-{number}.html"
                path.write_bytes(data)
                listed.append((name, str(path), len(data)))
            names = [[name, path] for name, path, _ in listed]
            clock = "processor" if args.short else "wall"
            # In turns, each checkout first once: a machine that slows down meanwhile weighs on both.
            first_before = timed_in(baseline, names, args.repeat, clock)
            first_after = timed_in(PROJECT_DIR, names, args.repeat, clock)
            second_after = timed_in(PROJECT_DIR, names, args.repeat, clock)
            second_before = timed_in(baseline, names, args.repeat, clock)
            before = {name: [min(first_before[name][0], second_before[name][0]), first_before[name][1]] for name in first_before}
            after = {name: [min(first_after[name][0], second_after[name][0]), first_after[name][1]] for name in first_after}
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=PROJECT_DIR, check=False)
    rows = [
        [name, f"{size / 2**20:.2f} MB", f"{before[name][0]:.3f} s, {before[name][1]}", f"{after[name][0]:.3f} s, {after[name][1]}"]
        for name, _, size in listed
    ]
    measure = "processor seconds" if args.short else "seconds"
    report = table(["page", "size", f"{args.baseline} ({measure}, the lower of two turns' medians of {args.repeat})", "this checkout"], rows)
    summary = (
        "Extraction time (`sources.ingest.extract`) of chained legacy pages and of hostile pages "
        "through the HTML5 reading, each checkout in a fresh process."
    )
    publish("HTML: chained paragraphs read as HTML5 builds them", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
