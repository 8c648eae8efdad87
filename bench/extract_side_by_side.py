"""Extraction time of this checkout against another revision, side by side, in turns.

    .venv/bin/python bench/extract_side_by_side.py --baseline REV [--turns 2] [--repeat 3]

The documents of ``bench/ingestion.py``'s speed table (the 101-page PDF, the 1.8 MB news
page, 2 MB of paragraphs, the element cap's pages) are written once; then, for each turn,
a fresh process of each checkout (the baseline as a temporary ``git worktree``, with this
checkout's virtual environment) times ``sources.ingest.extract`` on each, median of
``--repeat``. Turns alternate which checkout goes first, so that a machine that slows down
or speeds up meanwhile weighs on both: on a shared machine only figures measured so compare.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_support import PROJECT_DIR, table
from ingestion import big_news_page, dense_page, element_page, hundred_page_report

PYTHON = str(PROJECT_DIR / ".venv" / "bin" / "python")

TIMER = r"""
import io, json, os, statistics, sys, time
sys.path.insert(0, sys.argv[1])
os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
import django
django.setup()
from sources.ingest import extract
times = {}
for name, path, declared in json.loads(sys.argv[2]):
    data = open(path, "rb").read()
    kwargs = {"declared_type": declared} if declared else {}
    samples = []
    for _ in range(int(sys.argv[3])):
        started = time.perf_counter()
        extract(io.BytesIO(data), **kwargs)
        samples.append(time.perf_counter() - started)
    times[name] = statistics.median(samples)
print(json.dumps(times))
"""


def documents(folder: Path) -> list[tuple[str, str, str]]:
    made = [
        ("101-page PDF", hundred_page_report(), ""),
        ("1.8 MB news page", big_news_page(), "text/html"),
        ("2 MB of paragraphs", dense_page(2 * 2**20), "text/html"),
        ("40,000 short paragraphs (the element cap)", element_page(), "text/html"),
        ("40,000 long paragraphs, 10 MB (worst case)", element_page(10 * 2**20), "text/html"),
    ]
    listed = []
    for number, (name, data, declared) in enumerate(made):
        path = folder / f"document-{number}"
        path.write_bytes(data)
        listed.append((name, str(path), declared))
    return listed


def timed_in(checkout: Path, listed: list, repeat: int) -> dict[str, float]:
    result = subprocess.run([PYTHON, "-c", TIMER, str(checkout), json.dumps(listed), str(repeat)],
                            capture_output=True, text=True, check=True, cwd=checkout)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="the revision to compare with (a commit, a tag)")
    parser.add_argument("--turns", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        baseline = scratch / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(baseline), args.baseline], cwd=PROJECT_DIR, check=True)
        try:
            listed = documents(scratch)
            runs: dict[str, list[dict]] = {"baseline": [], "this": []}
            for turn in range(args.turns):
                order = [("baseline", baseline), ("this", PROJECT_DIR)]
                for label, checkout in order if turn % 2 == 0 else order[::-1]:
                    runs[label].append(timed_in(checkout, listed, args.repeat))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=PROJECT_DIR, check=False)
    rows = []
    for name, _, _ in listed:
        before = [run[name] for run in runs["baseline"]]
        after = [run[name] for run in runs["this"]]
        rows.append([name, " / ".join(f"{value:.2f}" for value in before), " / ".join(f"{value:.2f}" for value in after),
                     f"{sum(before) / sum(after):.2f}x"])
    print(table(["document", f"{args.baseline} (s, each turn)", "this checkout (s, each turn)", "speed-up"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
