"""``manage.py find_duplicates`` at scale: claims per second on generated corpora.

    python bench/find_duplicates.py --db bench/data/claims-10k.sqlite3 --db bench/data/claims-100k.sqlite3 [--record]
    python bench/find_duplicates.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_100k

For each database (made by ``bench/generate.py``), in a process of its own: the whole
database through ``claims.duplicates.duplicate_pairs`` (what the command runs: batches,
remembered lookups) at ``--threshold``, and the first ``--sample`` claims the one-by-one way
(``similar_claims`` per claim, as ``duplicate_pairs_one_by_one`` does). Prints claims per
second of each, the pairs found, the peak memory of the process, and the time a million
claims would take at the rate of the largest database (a projection: the cost per claim
grows a little with the database, as the full-text index's lists of matches do).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import database_url_of, django_setup, publish, table  # noqa: E402


def measure(db: str, threshold: float, sample: int) -> dict:
    """The figures for one database (run in a process of its own)."""
    import resource

    django_setup(database_url_of(db))
    from django.db import connection

    from claims.duplicates import PER_CLAIM, duplicate_pairs
    from claims.models import Claim
    from claims.similar import similar_claims

    claims = Claim.objects.all()
    total = claims.count()
    started = time.perf_counter()
    pairs = sum(1 for _ in duplicate_pairs(threshold=threshold))
    batched = time.perf_counter() - started

    rows = list(claims.order_by("pk").values_list("id", "text")[:sample])
    started = time.perf_counter()
    for claim_id, text in rows:
        similar_claims(text, user=None, claims=claims, limit=PER_CLAIM, exclude=claim_id, minimum=threshold)
    one_by_one = time.perf_counter() - started
    return {
        "db": db, "vendor": connection.vendor, "claims": total, "pairs": pairs,
        "batched_seconds": batched, "sample": len(rows), "one_by_one_seconds": one_by_one,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append", required=True, help="SQLite file or database URL (repeatable)")
    parser.add_argument("--threshold", type=float, default=0.6)
    parser.add_argument("--sample", type=int, default=500, help="claims looked up one by one, for comparison")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.db[0], args.threshold, args.sample)))
        return 0

    load_before = os.getloadavg()[0]
    results = []
    for db in args.db:
        answer = subprocess.run(
            [sys.executable, __file__, "--measure", "--db", db, "--threshold", str(args.threshold),
             "--sample", str(args.sample)],
            capture_output=True, text=True, check=True,
        )
        results.append(json.loads(answer.stdout.strip().splitlines()[-1]))
    load_after = os.getloadavg()[0]

    rows = []
    for item in results:
        rate = item["claims"] / item["batched_seconds"]
        one_rate = item["sample"] / item["one_by_one_seconds"]
        rows.append([
            f"{item['db']} ({item['vendor']})", f"{item['claims']:,}", f"{item['batched_seconds']:.1f}",
            f"{rate:,.0f}", f"{one_rate:,.0f} ({item['sample']} claims)", f"{rate / one_rate:.1f}x",
            item["pairs"], f"{item['peak_mb']:,.0f}",
        ])
    largest = max(results, key=lambda item: item["claims"])
    largest_rate = largest["claims"] / largest["batched_seconds"]
    one_by_one_rate = largest["sample"] / largest["one_by_one_seconds"]
    summary = (
        f"find_duplicates at threshold {args.threshold}, one process per database, single-threaded. "
        f"Projected at 1,000,000 claims from the {largest['claims']:,}-claim rate: "
        f"{1_000_000 / largest_rate / 60:.0f} min batched (one by one: {1_000_000 / one_by_one_rate / 3600:.1f} h). "
        f"Load average {load_before:.2f} before, {load_after:.2f} after (2 shared cores)."
    )
    report = table(
        ["database", "claims", "batched s", "batched claims/s", "one by one claims/s", "speed-up",
         "pairs found", "peak MB"],
        rows,
    )
    publish("find_duplicates", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
