"""Admin pages over large sources: this checkout against a baseline, side by side.

    python bench/large_sources.py [--sources 20] [--mb 5] [--rounds 3] [--baseline REV] [--record]

A SQLite database of ``--sources`` sources of ``--mb`` MB of text each, two spans of each
cited by a claim in review, is built once; then each checkout (this one, and ``--baseline``
cloned to a temporary folder) answers the pages that name sources (the source list, the
span list, a span picker's search, the review queue, a claim's page, its approval page) in a
process of its own, in turns, ``--rounds`` times. Reported: the median over rounds of each
page's median server time (in-process, Django's test client), and each process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from bench_support import PROJECT_DIR, publish, table  # noqa: E402

PAGES = {
    "source list": "/admin/sources/source/",
    "span list": "/admin/sources/span/",
    "span picker": "/admin/autocomplete/?app_label=claims&model_name=evidence&field_name=span&term=sanctions",
    "review queue": "/admin/claims/claim/review-queue/",
    "claim page": "/admin/claims/claim/{claim}/change/",
    "approval page": "/admin/claims/claim/{claim}/moderate/approve/",
}
PARAGRAPH = (
    "Russia voted for the fourth round of UN Security Council sanctions on Iran in June 2010, "
    "after months of talks in which Moscow pressed for softer terms on energy and arms. "
)


def setup(project: Path, database: Path) -> None:
    os.environ.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="project.settings")
    sys.path.insert(0, str(project))
    import django

    django.setup()


def build(database: Path, sources: int, megabytes: float) -> None:
    """The database: users, sources, spans, claims in review (this checkout's code)."""
    setup(PROJECT_DIR, database)
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from claims import services
    from sources.services import source_create

    call_command("migrate", verbosity=0)
    analyst = User.objects.create_user("analyst", password="x", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Analysts"))
    reviewer = User.objects.create_user("reviewer", password="x", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    text = PARAGRAPH * int(megabytes * 2**20 / len(PARAGRAPH))
    for number in range(sources):
        source = source_create(user=analyst, title=f"Report {number} on sanctions", text=f"Report {number}. " + text)
        head = f"Report {number}. " + text[:2000]
        for quote in ("fourth round of UN Security Council sanctions", "softer terms on energy"):
            start = head.index(quote)  # by offsets: the quote repeats through the text
            claim = services.claim_create(
                author=analyst,
                text=f"Report {number}: {quote}.",
                verdict="supported",
                confidence="high",
                evidence=[services.EvidenceInput(source=source, start=start, end=start + len(quote), stance="supports")],
            )
            services.claim_transition(claim=claim, user=analyst, action="submit")


def measure(project: Path, database: Path, repeat: int) -> dict:
    """Each page's median milliseconds over ``repeat`` requests, and this process's peak RSS."""
    import resource
    import time

    setup(project, database)
    from django.contrib.auth.models import User
    from django.test import Client

    from claims.models import Claim

    client = Client()
    client.force_login(User.objects.get(username="reviewer"))
    claim = Claim.objects.order_by("id").values_list("id", flat=True).first()
    result = {}
    for name, path in PAGES.items():
        url = path.format(claim=claim)
        samples = []
        for _ in range(repeat + 1):  # the first warms caches
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        result[name] = statistics.median(samples[1:])
    result["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def run_in(project: Path, database: Path, repeat: int) -> dict:
    copy = database.with_name(f"{database.stem}-{os.getpid()}-run.sqlite3")
    shutil.copyfile(database, copy)
    try:
        output = subprocess.run(
            [sys.executable, __file__, "--measure", str(project), "--db", str(copy), "--repeat", str(repeat)],
            check=True, capture_output=True, text=True,
        ).stdout
    finally:
        copy.unlink(missing_ok=True)
    return json.loads(output.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--mb", type=float, default=5.0, help="megabytes of text in each source")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5, help="requests per page and round")
    parser.add_argument("--baseline", help="a git revision to compare with (cloned to a temporary folder)")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.db, args.repeat)))
        return 0

    with tempfile.TemporaryDirectory(prefix="claimbase-large-sources-") as folder:
        database = Path(folder) / "large-sources.sqlite3"
        subprocess.run(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(BENCH_DIR)!r}); import large_sources; "
             f"large_sources.build(__import__('pathlib').Path({str(database)!r}), {args.sources}, {args.mb})"],
            check=True,
        )
        checkouts = {"this checkout": PROJECT_DIR}
        if args.baseline:
            clone = Path(folder) / "baseline"
            subprocess.run(["git", "clone", "-q", str(PROJECT_DIR), str(clone)], check=True)
            subprocess.run(["git", "-C", str(clone), "checkout", "-q", args.baseline], check=True)
            (clone / ".venv").symlink_to(PROJECT_DIR / ".venv")
            checkouts[args.baseline] = clone
        rounds: dict[str, list[dict]] = {name: [] for name in checkouts}
        for _ in range(args.rounds):
            for name, project in checkouts.items():
                rounds[name].append(run_in(project, database, args.repeat))

    columns = [*PAGES, "peak RSS MB"]
    medians = {name: {column: statistics.median(run[column] for run in runs) for column in columns} for name, runs in rounds.items()}
    rows = [[name, *(f"{medians[name][column]:,.0f}" for column in columns)] for name in checkouts]
    if args.baseline:
        rows.append(
            [f"{args.baseline} / this checkout", *(f"{medians[args.baseline][c] / medians['this checkout'][c]:,.1f}x" for c in columns)]
        )
    summary = (
        f"{args.sources} sources of {args.mb:g} MB of text, two spans of each cited by a claim in review (SQLite); "
        f"a reviewer's pages, in-process; medians of {args.repeat} requests, then the median over {args.rounds} rounds "
        "taken in turns, each checkout in a process of its own. Milliseconds; peak RSS of the process in MB."
    )
    publish("Admin pages over large sources", __file__, argv, summary, table(["code", *columns], rows), record=args.record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
