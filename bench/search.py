"""Full-text search (``q``) on the claim list at scale, on SQLite (FTS5) and PostgreSQL.

    python bench/search.py --db bench/data/claims-1m.sqlite3 [--repeat 15] [--record]
    python bench/search.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_1m

``/api/v1/claims/?q=...`` as an anonymous caller (published and retracted claims, newest
first, 50 a page), answered in this process through Django's test client: server time, no
network. The queries span the corpus's word frequencies (``bench/corpus.py`` draws words
from a Zipf distribution): words found in a fifth of all claims, in one in a thousand and in
one in ten thousand, two words, a phrase, an alternative and an exclusion. Each query is run
``--repeat`` times in turns with the others; the table gives each one's median, how many
claims match (a count query, outside the timing), and the median over all queries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import client_for, database_url_of, django_setup, server_milliseconds, publish, table  # noqa: E402

QUERIES = [
    "government",
    "sanctions",
    "inspections",
    "dornean",
    "vigarmon",
    "nuclear talks",
    '"oil exports"',
    "uranium or enrichment",
    "sanctions -oil",
    "Gazprom",
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file or database URL")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--user", default=None, help="username (default: anonymous)")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    django_setup(database_url_of(args.db))
    from django.db import connection

    from claims.models import Claim
    from claims.search import search_claims
    from claims.selectors import PUBLIC_STATUSES

    client = client_for(args.user)
    routes = {"api": "/api/v1/claims/", "general": "/bench/claims-general/"}
    paths = {(query, route): f"{prefix}?q={quote(query)}" for query in QUERIES for route, prefix in routes.items()}
    for path in paths.values():
        server_milliseconds(client, path, 1)  # warm up
    samples = {key: [] for key in paths}
    for _ in range(args.repeat):
        for key, path in paths.items():
            samples[key] += server_milliseconds(client, path, 1)
    public = Claim.objects.filter(status__in=PUBLIC_STATUSES)
    rows = []
    medians = {route: [] for route in routes}
    for query in QUERIES:
        matches = search_claims(public, query).count()
        row = [f"`{query}`", f"{matches:,}"]
        for route in routes:
            median = statistics.median(samples[(query, route)])
            medians[route].append(median)
            row += [f"{median:.1f}", f"{max(samples[(query, route)]):.1f}"]
        rows.append(row)
    rows.append(["**median of medians**", ""] + [cell for route in routes for cell in (f"**{statistics.median(medians[route]):.1f}**", "")])
    rows.append(["worst median", ""] + [cell for route in routes for cell in (f"{max(medians[route]):.1f}", "")])
    total = Claim.objects.count()
    buffers = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW shared_buffers")
            buffers = f", shared_buffers {cursor.fetchone()[0]}"
    summary = (
        f"{args.db} ({connection.vendor}{buffers}): {total:,} claims; anonymous, newest first, 50 a page; "
        f"{args.repeat} requests per query and path, in turns; server time in-process. api = /api/v1/claims/ "
        "as wired (claims.fast_list: on SQLite, the first page of results read from the index newest "
        "first); general path = the same page selected by django-filter + claims.search + KeysetPagination."
    )
    report = table(["q", "matching public claims", "api median ms", "api max ms", "general path median ms", "general path max ms"], rows)
    publish(f"Full-text search ({connection.vendor})", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
