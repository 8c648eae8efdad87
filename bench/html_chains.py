"""Extraction time of legacy pages that chain ``<font face=Arial><p>`` before each
paragraph (read as HTML5 builds them, ``sources/ingest/html5.py``) and of hostile pages
through that reading, against another revision, side by side.

    .venv/bin/python bench/html_chains.py [--baseline c335121] [--repeat 3] [--record]

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
        started = time.perf_counter()
        try:
            outcome = f"{len(extract(io.BytesIO(data), declared_type='text/html').text.splitlines()):,} lines"
        except ExtractionError as error:
            outcome = f"refused, {error.code}"
        samples.append(time.perf_counter() - started)
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


def timed_in(checkout: Path, listed: list, repeat: int) -> dict[str, list]:
    result = subprocess.run([PYTHON, "-c", TIMER, str(checkout), json.dumps(listed), str(repeat)],
                            capture_output=True, text=True, check=True, cwd=checkout)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="c335121", help="the revision to compare with (the commit before the HTML5 reading)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        baseline = scratch / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(baseline), args.baseline], cwd=PROJECT_DIR, check=True)
        try:
            listed = []
            for number, (name, data) in enumerate(pages()):
                path = scratch / f"page-{number}.html"
                path.write_bytes(data)
                listed.append((name, str(path), len(data)))
            names = [[name, path] for name, path, _ in listed]
            before = timed_in(baseline, names, args.repeat)
            after = timed_in(PROJECT_DIR, names, args.repeat)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=PROJECT_DIR, check=False)
    rows = [
        [name, f"{size / 2**20:.2f} MB", f"{before[name][0]:.2f} s, {before[name][1]}", f"{after[name][0]:.2f} s, {after[name][1]}"]
        for name, _, size in listed
    ]
    report = table(["page", "size", f"{args.baseline} (median of {args.repeat})", "this checkout"], rows)
    summary = (
        "Extraction time (`sources.ingest.extract`) of chained legacy pages and of hostile pages "
        "through the HTML5 reading, each checkout in a fresh process."
    )
    publish("HTML: chained paragraphs read as HTML5 builds them", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
