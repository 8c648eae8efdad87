"""A page of the changes feed of some types (``?types=``), with the types' indexes and without.

    python bench/feed_types.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_feed [--events 1000000] [--repeat 30] [--record]

Makes the database given (it must not exist: it is created, migrated and dropped after),
fills the feed with ``--events`` numbered events (70% claim.updated, 20% claim.created, 10%
claim.published, one in 10,000 source.deleted; half of them public), and times, in turns,
for an anonymous caller and for staff, the first page of 100 of a rare type, of a rare and
a common type together, and of every event (``feed.selectors.events_after``): with the
indexes ``event_type_seq`` and ``event_type_public_seq``, and without them (dropped in a
transaction rolled back after each read, so that both are read in turns from one table).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import django_setup, publish, table, timed  # noqa: E402

CASES = {
    "rare type": ["source.deleted"],
    "rare and common": ["source.deleted", "claim.published"],
    "every event": [],
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a PostgreSQL URL naming a database to create")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)

    import psycopg

    parts = urlsplit(args.db)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def measure(args) -> int:
    django_setup(args.db)
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection, transaction

    from feed.models import Event
    from feed.selectors import events_after

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO feed_event (seq, public_seq, type, claim, source, version, status, public, at)
            SELECT n, NULL,
                   CASE WHEN n %% 10000 = 0 THEN 'source.deleted' WHEN n %% 10 = 0 THEN 'claim.published'
                        WHEN n %% 10 < 3 THEN 'claim.created' ELSE 'claim.updated' END,
                   n, NULL, 1, '', n %% 2 = 0, now()
            FROM generate_series(1, %s) AS n
            """,
            [args.events],
        )
        cursor.execute(
            "UPDATE feed_event SET public_seq = numbered.number FROM "
            "(SELECT id, row_number() OVER (ORDER BY seq) AS number FROM feed_event WHERE public) AS numbered "
            "WHERE feed_event.id = numbered.id"
        )
        cursor.execute("ANALYZE feed_event")

    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_superuser("bench-staff", "", "bench-staff-password")
    callers = {"anonymous": AnonymousUser(), "staff": staff}

    def without_indexes(user, types):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX event_type_seq, event_type_public_seq")
            events_after(user, 0, 101, types)
            transaction.set_rollback(True)

    samples = {}
    for caller, user in callers.items():
        for case, types in CASES.items():
            for way in ("with", "without"):
                samples[(caller, case, way)] = []
    for _ in range(args.repeat):
        for caller, user in callers.items():
            for case, types in CASES.items():
                samples[(caller, case, "with")] += timed(lambda: events_after(user, 0, 101, types), 1)
                samples[(caller, case, "without")] += timed(lambda: without_indexes(user, types), 1)
    rows = []
    for caller in callers:
        for case in CASES:
            ours = statistics.median(samples[(caller, case, "with")])
            before = statistics.median(samples[(caller, case, "without")])
            rows.append([caller, case, f"{ours:.2f}", f"{before:.2f}", f"{before / ours:.1f}x"])
    count = Event.objects.count()
    summary = (
        f"A feed page of 100 of some types, {count:,} events, medians of {args.repeat} in turns (ms): with the types' "
        "indexes, and without them (their drop, in the same transaction, included in its time)."
    )
    report = table(["caller", "types", "with (ms)", "without (ms)", "ratio"], rows)
    publish("Changes feed: a page of some types", __file__, None, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
