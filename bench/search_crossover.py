"""PostgreSQL: where sorting a query's matches stops paying and walking the creation-time
index starts (``claims.search.FEW_MATCHES`` and ``COMMON_ESTIMATE``).

    python bench/search_crossover.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_1m [--repeat 7] [--record]

``/api/v1/claims/?q=...`` as an anonymous caller (the first page, newest first), answered in
this process through Django's test client, three ways in turns: every query's matches read
and sorted, every query walked, and as configured. The queries are the bench's words
(``bench/search.py``) and words the planner's statistics say are found in 0.6% to 2% of
claims (the range where the two ways cross), each with its number of matches.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import client_for, database_url_of, django_setup, publish, server_milliseconds, table  # noqa: E402

BENCH_WORDS = ["vigarmon", "dornean", "Gazprom"]
FREQUENCIES = [0.006, 0.0085, 0.0105, 0.013, 0.0165]


def common_words(cursor) -> list[str]:
    """A word of the statistics' most common elements near each of ``FREQUENCIES``."""
    cursor.execute(
        "SELECT element, frequency FROM (SELECT unnest(most_common_elems::text::text[]) AS element, "
        "unnest(most_common_elem_freqs) AS frequency FROM pg_stats "
        "WHERE tablename = 'claims_claim_search' AND attname = 'document') AS s"
    )
    known = [(element, frequency) for element, frequency in cursor.fetchall() if element and element.isalpha()]
    chosen = []
    for target in FREQUENCIES:
        if known:
            word = min(known, key=lambda item: abs(item[1] - target))[0]
            if word not in chosen:
                chosen.append(word)
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a PostgreSQL database URL")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    django_setup(database_url_of(args.db))
    from django.db import connection

    from claims import search
    from claims.models import Claim

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: SQLite answers every query by walking its index.")
    with connection.cursor() as cursor:
        words = BENCH_WORDS + common_words(cursor)
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    configured = (search.FEW_MATCHES, search.COMMON_ESTIMATE)
    ways = {"sorted": (10**9, 10**12), "walked": (0, 0), "as configured": configured}
    client = client_for(None)
    samples = {(word, way): [] for word in words for way in ways}
    for round_number in range(args.repeat + 1):
        for way, (few, common) in ways.items():
            search.FEW_MATCHES, search.COMMON_ESTIMATE = few, common
            for word in words:
                elapsed = server_milliseconds(client, f"/api/v1/claims/?q={quote(word)}", 1)
                if round_number:  # the first round warms up
                    samples[(word, way)] += elapsed
    search.FEW_MATCHES, search.COMMON_ESTIMATE = configured
    rows = []
    for word in words:
        matches = search.count_matches(word)
        rows.append([f"`{word}`", f"{matches:,}"] + [f"{statistics.median(samples[(word, way)]):.1f}" for way in ways])
    worst = max(statistics.median(samples[(word, "as configured")]) for word in words)
    rows.append(["**worst, as configured**", "", "", "", f"**{worst:.1f}**"])
    summary = (
        f"{args.db}: {Claim.objects.count():,} claims, shared_buffers {buffers}; anonymous, first page "
        f"of 50, newest first; {args.repeat} requests a query and way, in turns; median ms, server time "
        f"in-process. As configured: FEW_MATCHES {configured[0]:,}, COMMON_ESTIMATE {configured[1]:,}."
    )
    report = table(["q", "matches", "sorted ms", "walked ms", "as configured ms"], rows)
    publish("Full-text search: sorted or walked (PostgreSQL)", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
