"""Cursor depth: the claim list page after 900,000 claims against page 1.

    python bench/cursor_depth.py --db bench/data/claims-1m.sqlite3 [--depth 900000] [--repeat 30] [--record]
    python bench/cursor_depth.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_1m

As a reviewer (who sees every claim), newest first, 50 a page: page 1, and the page whose
cursor sits after the ``--depth``-th claim (found once with OFFSET, then encoded as the API
encodes its ``next`` cursors). Both pages are requested in turns, in this process through
Django's test client (server time, no network), and the medians compared. The endpoint is
measured as ``claims/views.py`` answers it, and the same list forced through
``ClaimSerializer`` and ``claims.fast_list`` (see ``bench_urls.py``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import client_for, database_url_of, django_setup, server_milliseconds, publish, table  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file or database URL")
    parser.add_argument("--depth", type=int, default=900_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--user", default="reviewer")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    django_setup(database_url_of(args.db))
    from django.db import connection

    from claims.models import Claim
    from project.pagination import Cursor, KeysetPagination

    anchor = Claim.objects.order_by("-created_at", "-id").values_list("created_at", "id")[args.depth - 1]
    cursor = KeysetPagination._encode(Cursor("-created_at", anchor[0], anchor[1], False))
    client = client_for(args.user)
    paths = {
        "api": "/api/v1/claims/",
        "fast": "/bench/claims-fast/",
        "drf": "/bench/claims-drf/",
        "general": "/bench/claims-general/",
    }
    samples = {(name, page): [] for name in paths for page in ("page 1", "deep")}
    for name, path in paths.items():  # warm up
        server_milliseconds(client, path, 3)
        server_milliseconds(client, f"{path}?cursor={quote(cursor)}", 3)
    for _ in range(args.repeat):
        for name, path in paths.items():
            samples[(name, "page 1")] += server_milliseconds(client, path, 1)
            samples[(name, "deep")] += server_milliseconds(client, f"{path}?cursor={quote(cursor)}", 1)
    rows = []
    for name in paths:
        first = statistics.median(samples[(name, "page 1")])
        deep = statistics.median(samples[(name, "deep")])
        rows.append([name, f"{first:.1f}", f"{deep:.1f}", f"{deep / first:.2f}x"])
    total = Claim.objects.count()
    summary = (
        f"{args.db}: {total:,} claims; as {args.user!r}, newest first, 50 a page; the deep page follows "
        f"claim #{args.depth:,} in that order. Medians of {args.repeat} requests each, taken in turns, "
        "server time in-process. api = the endpoint as wired; fast / drf = the list forced through "
        "claims.fast_list / ClaimSerializer; general = fast_list's rendering of the page selected by "
        "KeysetPagination (project/pagination.py)."
    )
    report = table(["path", "page 1 ms", f"after {args.depth:,} ms", "ratio"], rows)
    publish(f"Cursor depth ({connection.vendor})", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
