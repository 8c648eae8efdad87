"""The editorial checks over a whole database: ``manage.py check_claims`` at 100k and 1M claims.

    python bench/check_claims.py --db bench/data/claims-100k.sqlite3 [--repeat 3] [--record]
    python bench/check_claims.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_1m

Three passes over every claim, in the command's own batches (``claims.editorial.check_all``),
in turns, ``--repeat`` times each:

- ``read``: the floor: the same queries (claims, their evidence quotes, their sources) and
  nothing else;
- ``check``: reading and running every check (``check_claims --dry-run``);
- ``check+store`` runs once, first (a generated database stores no warnings: every flagged
  claim is written), as ``check_claims`` does on a database it has never seen.

The table gives each pass's median seconds, claims per second, and ``check`` against
``read``: what the checks themselves cost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import database_url_of, django_setup, publish, table  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file or database URL")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    django_setup(database_url_of(args.db))
    from django.db import connection

    from claims import editorial
    from claims.editorial import CheckReport, check_all
    from claims.models import Claim

    def read_only() -> None:
        # check_all's reads, without the checks: run_checks swapped for a no-op.
        original = editorial.run_checks
        editorial.run_checks = lambda facts: []
        try:
            for _ in check_all(store=False, batch_size=args.batch_size):
                pass
        finally:
            editorial.run_checks = original

    def check(store: bool) -> CheckReport:
        report = CheckReport()
        for _ in check_all(store=store, batch_size=args.batch_size, report=report):
            pass
        return report

    total = Claim.objects.count()
    # As generated: nothing stored (a previous run of this script stored everything).
    Claim.objects.filter(has_checks=True).update(check_warnings=[], has_checks=False)
    started = time.perf_counter()
    first = check(store=True)
    store_seconds = time.perf_counter() - started
    samples: dict[str, list[float]] = {"read": [], "check": []}
    report = first
    for _ in range(args.repeat):
        started = time.perf_counter()
        read_only()
        samples["read"].append(time.perf_counter() - started)
        started = time.perf_counter()
        report = check(store=False)
        samples["check"].append(time.perf_counter() - started)
    read, checked = statistics.median(samples["read"]), statistics.median(samples["check"])
    rows = [
        ["read (floor)", f"{read:.1f}", f"{total / read:,.0f}", "1.00x"],
        ["check (`--dry-run`)", f"{checked:.1f}", f"{total / checked:,.0f}", f"{checked / read:.2f}x"],
        ["check+store (first run, once)", f"{store_seconds:.1f}", f"{total / store_seconds:,.0f}", f"{store_seconds / read:.2f}x"],
    ]
    codes = ", ".join(f"{code} {count:,}" for code, count in sorted(report.by_code.items()))
    summary = (
        f"{args.db} ({connection.vendor}): {total:,} claims, batches of {args.batch_size:,}; "
        f"median of {args.repeat} passes each, in turns (check+store: once, first). "
        f"{report.flagged:,} claims with warnings ({report.flagged / max(total, 1):.1%}); "
        f"first run stored {first.updated:,}. Per check: {codes}."
    )
    report_table = table(["pass", "seconds", "claims/s", "vs read"], rows)
    publish("check_claims: the editorial checks over a whole database", __file__, argv, summary, report_table, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
