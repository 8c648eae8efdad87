"""What the shared throttle costs an anonymous list page: with it, and without it, side by
side.

    python bench/throttle_cost.py [--db URL] [--repeat 3] [--requests 300] [--record]

``GET /api/v1/claims/?page_size=20`` as an anonymous caller, answered in this process through
Django's test client (server time, no network), on a fresh database with the demo corpus
(a temporary SQLite file unless ``--db`` names another). The throttle counts in the
configured cache (the database cache by default: a small write transaction per request;
``CACHE_URL=redis://...`` for Redis). Turns alternate between the view as wired and the
same view with its throttles removed; the table gives each turn's median and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import database_url_of, django_setup, publish, table  # noqa: E402

PATH = "/api/v1/claims/?page_size=20"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    scratch = tempfile.TemporaryDirectory(prefix="throttle-bench-")
    django_setup(database_url_of(args.db or str(Path(scratch.name) / "bench.sqlite3")))
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from claims.views import ClaimViewSet

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--password", "bench-password-not-used", verbosity=0)
    client = Client()
    wired = ClaimViewSet.throttle_classes

    def turn(throttles) -> float:
        ClaimViewSet.throttle_classes = throttles
        for _ in range(20):
            client.get(PATH)
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(PATH)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{PATH}: {response.status_code}")
        return statistics.median(samples)

    rows, ratios = [], []
    for number in range(1, args.repeat + 1):
        with_throttles, without = turn(wired), turn([])
        ratios.append(with_throttles / without)
        rows.append([number, f"{with_throttles:.2f}", f"{without:.2f}", f"{with_throttles / without:.2f}x"])
    ClaimViewSet.throttle_classes = wired
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    summary = (
        f"Anonymous {PATH}, {args.requests} requests a turn, in this process; throttle counts in "
        f"{cache} on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}. "
        f"Median ratio, with throttles to without: {statistics.median(ratios):.2f}x."
    )
    report = table(["turn", "with throttles, median ms", "without, median ms", "ratio"], rows)
    publish("Cost of the shared throttle on the list page", __file__, argv, summary, report, record=args.record)
    scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
