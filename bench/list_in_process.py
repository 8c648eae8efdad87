"""The claim list page in-process: ours through Django's WSGI handler against the floor.

    python bench/list_in_process.py --db bench/data/claims-1m.sqlite3 [--requests 3000] [--rounds 5] [--record]

``list_page.py`` measures the page served over HTTP under load, where the HTTP server's own
work (connections, parsing, writing 80 KB) and two busy cores count too. This measures what
the application costs, in one process, side by side with the floor: Django's
``WSGIHandler`` called with a request for ``/api/v1/claims/?status=published`` (all the
middleware, URL resolution, DRF's authentication, permissions, throttles and negotiation,
``claims/fast_list.py``, the response), the same stack answering ``{}`` (``/bench/empty-drf/``,
``/bench/empty-django/``), and the floor (``list_page.floor_page``: sqlite3 and orjson). CPU
time of this process per request; targets take turns in each round; medians over rounds.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import django_setup, publish, table  # noqa: E402

TARGETS = {
    "api": ("/api/v1/claims/", "ours, /api/v1/claims/ as wired, through Django's WSGI handler"),
    "empty-drf": ("/bench/empty-drf/", "ours, the list's DRF stack answering {}"),
    "empty-django": ("/bench/empty-django/", "ours, Django and middleware answering {}"),
}


def wsgi_get(handler) -> Callable[[str], bytes]:
    """A function answering ``GET path?status=published`` through the WSGI ``handler``, as
    gunicorn would call it (the page's host and port, as the served benchmark's)."""
    import list_page

    def call(path: str) -> bytes:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "status=published",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(list_page.OURS_PORT),
            "HTTP_HOST": f"127.0.0.1:{list_page.OURS_PORT}", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        }
        status = []
        body = b"".join(handler(environ, lambda code, headers: status.append(code)))
        assert status[0].startswith("200"), (path, status)
        return body

    return call


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--requests", type=int, default=3000, help="requests per target and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    db = args.db.resolve()
    django_setup(f"sqlite:///{db}")
    from django.core.handlers.wsgi import WSGIHandler

    import list_page

    call = wsgi_get(WSGIHandler())

    floor_db = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    runs = {name: lambda path=path: call(path) for name, (path, _) in TARGETS.items()}
    runs["floor"] = lambda: list_page.floor_page(floor_db)
    page = call(TARGETS["api"][0])
    for run in runs.values():  # warm up
        for _ in range(200):
            run()
    samples: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for round_number in range(args.rounds):
        for name in names[round_number % len(names):] + names[: round_number % len(names)]:
            run = runs[name]
            started = time.process_time()
            for _ in range(args.requests):
                run()
            samples[name].append((time.process_time() - started) * 1000 / args.requests)
            print(f"round {round_number + 1} {name:>12}: {samples[name][-1]:.3f} CPU ms/request", file=sys.stderr)
    floor = statistics.median(samples["floor"])
    rows = []
    for name, (_, label) in TARGETS.items():
        cpu = statistics.median(samples[name])
        rows.append([label, f"{cpu:.3f}", f"{cpu / floor:.2f}x"])
    rows.append(["floor: sqlite3 + orjson", f"{floor:.3f}", "1.00x"])
    summary = (
        f"{db.name}: page of {list_page.PAGE_SIZE} claims, {len(page):,} bytes; {args.requests:,} requests per "
        f"target and round, {args.rounds} rounds in turns, CPU time of one process; medians over the rounds."
    )
    report = table(["in-process", "CPU ms/request", "vs floor"], rows)
    publish("Claim list page in-process: ours against the floor", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
