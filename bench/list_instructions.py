"""The claim list page in instructions: ours through Django's WSGI handler against the floor.

    python bench/list_instructions.py --db bench/data/claims-1m.sqlite3 [--requests 100] [--record]

CPU time on a shared machine moves by the second (the floor alone ranges over 2x); the
number of instructions a page takes does not. Each target runs in its own Python process
under ``valgrind --tool=callgrind``, which counts every instruction the process executes:
the same set-up (Django, the WSGI handler, every target called once, the garbage collector
set as ``gunicorn.conf.py`` sets it in the workers), then ``--requests`` calls of the
target. A process that only does the set-up is counted too; the difference, divided by the
requests, is the instructions a request. The same targets as ``list_in_process.py``: the
endpoint as wired, its DRF stack and Django answering ``{}``, and the floor (sqlite3 and
orjson). Two processes run at once, one a core; valgrind runs each about fifty times slower.
"""

from __future__ import annotations

import argparse
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import PROJECT_DIR, django_setup, publish, table  # noqa: E402
from list_in_process import TARGETS  # noqa: E402

COLLECTED = re.compile(r"Collected : (\d+)")


def child(db: Path, target: str, requests: int) -> None:
    """Inside valgrind: set up, then call ``target`` ``requests`` times."""
    import sqlite3

    django_setup(f"sqlite:///{db}")
    from django.core.handlers.wsgi import WSGIHandler

    import list_page
    from list_in_process import wsgi_get

    call = wsgi_get(WSGIHandler())

    floor_db = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    runs = {name: (lambda path=path: call(path)) for name, (path, _) in TARGETS.items()}
    runs["floor"] = lambda: list_page.floor_page(floor_db)
    runs["set-up"] = lambda: None
    for run in runs.values():  # every process warms every path alike
        run()
    runpy.run_path(str(PROJECT_DIR / "gunicorn.conf.py"))["post_worker_init"](None)
    run = runs[target]
    for _ in range(requests):
        run()


def count(db: Path, target: str, requests: int) -> int:
    """Instructions of a child process doing the set-up and ``requests`` calls of ``target``."""
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out", sys.executable, __file__,
             "--child", target, "--db", str(db), "--requests", str(requests)],
            capture_output=True, text=True, cwd=PROJECT_DIR,
        )
    found = COLLECTED.search(result.stderr)
    if result.returncode != 0 or found is None:
        raise SystemExit(f"{target}: valgrind failed:\n{result.stderr[-3000:]}")
    return int(found.group(1))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--requests", type=int, default=100, help="calls of each target")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    db = args.db.resolve()
    if args.child:
        child(db, args.child, args.requests)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install -y valgrind")
    jobs = {"set-up": 0, "floor": args.requests, **{name: args.requests for name in TARGETS}}
    with ThreadPoolExecutor(max_workers=2) as pool:
        totals = dict(zip(jobs, pool.map(lambda item: count(db, *item), jobs.items())))
    per_request = {name: (totals[name] - totals["set-up"]) / args.requests for name in TARGETS | {"floor": None}}
    floor = per_request["floor"]
    rows = [[label, f"{per_request[name] / 1e6:.2f}", f"{per_request[name] / floor:.2f}x"]
            for name, (_, label) in TARGETS.items()]
    rows.append(["floor: sqlite3 + orjson", f"{floor / 1e6:.2f}", "1.00x"])
    summary = (
        f"{db.name}: the page of 50 published claims; {args.requests} requests a target, each target in its own "
        "process under callgrind, less a process doing only the set-up; instructions a request."
    )
    report = table(["in-process", "million instructions/request", "vs floor"], rows)
    publish("Claim list page in instructions: ours against the floor", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
