"""A much-cited source's admin page: server time, size and queries as its citations grow.

    python bench/source_page.py --db bench/data/source-page.sqlite3 --seed [--claims 50000] [--repeat 7] [--record]
    python bench/source_page.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_source --seed

``--seed`` makes the database afresh (a SQLite file replaced; a PostgreSQL database must
exist and be empty): ``migrate``, the users ``admin`` and ``reviewer``, one source of
``--spans`` sentences, a span on each, and ``--claims`` claims, each citing one span
(``claims / spans`` claims a span), in bulk (no field history: what a long-lived database
holds). Then the source's change page is requested ``--repeat`` times as ``reviewer``
through Django's test client (server time, no network): median and maximum, the page's
size, its queries and the links to claims it holds.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import client_for, database_url_of, django_setup, publish, server_milliseconds, table  # noqa: E402

SENTENCE = "In year {n} the two governments signed agreement number {n} on trade, energy and transport. "
CLAIM_LINK = re.compile(r"/admin/claims/claim/\d+/change/")
STATUSES = ["published"] * 6 + ["in_review", "draft", "retracted", "changes_requested"]


def seed(claims: int, spans: int) -> int:
    """The source's id, after making the database as the docstring says."""
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from claims.models import Claim, Evidence
    from sources.services import source_create, span_create

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("admin", password="claimbase-bench")
    reviewer = User.objects.create_user("reviewer", password="claimbase-bench", is_staff=True)
    reviewer.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    text = "".join(SENTENCE.format(n=n) for n in range(spans))
    source = source_create(user=admin, title="A much-cited report", text=text, publisher="Bench")
    span_ids = [
        span_create(source=source, user=admin, quote=SENTENCE.format(n=n).strip())[0].pk for n in range(spans)
    ]
    for first in range(0, claims, 10_000):
        batch = Claim.objects.bulk_create(
            Claim(text=f"Claim {n}: the governments signed agreement {n % spans}.", author=admin,
                  status=STATUSES[n % len(STATUSES)], verdict="supported", confidence="moderate",
                  reviewer=None if STATUSES[n % len(STATUSES)] in ("draft", "in_review") else reviewer)
            for n in range(first, min(claims, first + 10_000))
        )
        Evidence.objects.bulk_create(
            Evidence(claim=claim, span_id=span_ids[(first + index) % spans], added_by=admin)
            for index, claim in enumerate(batch)
        )
    return source.pk


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="bench/data/source-page.sqlite3", help="SQLite file or database URL")
    parser.add_argument("--seed", action="store_true", help="make the database afresh first")
    parser.add_argument("--claims", type=int, default=50_000)
    parser.add_argument("--spans", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    if args.seed and "://" not in args.db:
        Path(args.db).parent.mkdir(parents=True, exist_ok=True)
        Path(args.db).unlink(missing_ok=True)
    django_setup(database_url_of(args.db))
    from django.db import connection

    from sources.models import Source

    source_id = seed(args.claims, args.spans) if args.seed else Source.objects.get(title="A much-cited report").pk
    client = client_for("reviewer")
    path = f"/admin/sources/source/{source_id}/change/"
    server_milliseconds(client, path, 1)  # warm up
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        html = client.get(path).content.decode()
    samples = server_milliseconds(client, path, args.repeat)
    rows = [[
        f"{args.claims:,} claims on {args.spans} spans",
        f"{statistics.median(samples):,.0f}",
        f"{max(samples):,.0f}",
        f"{len(html.encode()) / 1_000_000:.2f} MB",
        len(queries),
        f"{len(CLAIM_LINK.findall(html)):,}",
    ]]
    report = table(["source page", "median ms", "max ms", "size", "queries", "claim links"], rows)
    publish("A much-cited source's page", "bench/source_page.py", sys.argv[1:], "", report, record=args.record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
