"""The admin's claim list at scale: server time of the changelist pages analysts use most.

    python bench/admin_list.py --db bench/data/claims-1m.sqlite3 [--repeat 15] [--record]
    python bench/admin_list.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_1m

Logged in as the superuser ``admin`` through Django's test client (server time, no
network): the default list, filtered by status, by entity, by needs attention, a search,
a sort by another column, and page 200. Each page is requested ``--repeat`` times in turns
with the others; medians and maxima.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import client_for, database_url_of, django_setup, server_milliseconds, publish, table  # noqa: E402

PAGES = [
    ("default list", "/admin/claims/claim/"),
    ("status = published", "/admin/claims/claim/?status__exact=published"),
    ("status = in review", "/admin/claims/claim/?status__exact=in_review"),
    ("needs attention", "/admin/claims/claim/?needs_attention=yes"),
    ("entity = iran", "/admin/claims/claim/?entity=iran"),
    ("search 'sanctions' (a word in 1 claim in 8)", "/admin/claims/claim/?q=sanctions"),
    ("search 'sanctions', published", "/admin/claims/claim/?q=sanctions&status__exact=published"),
    ("search 'dornean' (1 in 500)", "/admin/claims/claim/?q=dornean"),
    ("search 'vigarmon' (1 in 6,000)", "/admin/claims/claim/?q=vigarmon"),
    ("sorted by status", "/admin/claims/claim/?o=2"),
    ("page 200", "/admin/claims/claim/?p=200"),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file or database URL")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--without-date-hierarchy", action="store_true",
                        help="measure as if ClaimAdmin had no date_hierarchy (what it costs)")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    django_setup(database_url_of(args.db))
    from django.db import connection

    from django.contrib import admin

    from claims.models import Claim

    if args.without_date_hierarchy:
        admin.site._registry[Claim].date_hierarchy = None
    client = client_for(args.user)
    for _, path in PAGES:
        server_milliseconds(client, path, 1)  # warm up
    samples = {label: [] for label, _ in PAGES}
    for _ in range(args.repeat):
        for label, path in PAGES:
            samples[label] += server_milliseconds(client, path, 1)
    rows = [
        [label, f"`{path.split('/admin/claims/claim/')[1] or '(none)'}`", f"{statistics.median(samples[label]):.1f}", f"{max(samples[label]):.1f}"]
        for label, path in PAGES
    ]
    total = Claim.objects.count()
    summary = (
        f"{args.db} ({connection.vendor}): {total:,} claims; as {args.user!r}; "
        f"{'ClaimAdmin.date_hierarchy switched off for this run; ' if args.without_date_hierarchy else ''}"
        f"{args.repeat} requests per page, "
        "in turns; server time in-process (HTML rendered, templates cached after the first request)."
    )
    report = table(["admin claim list", "query string", "median ms", "max ms"], rows)
    publish(f"Admin claim list ({connection.vendor}{', without date_hierarchy' if args.without_date_hierarchy else ''})", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
