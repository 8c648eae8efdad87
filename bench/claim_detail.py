"""A claim's detail in-process: as wired (``claims/fast_detail.py``) against the serializer
it replaced.

    python bench/claim_detail.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_mixed [--claims 200] [--rounds 5] [--record]

Through Django's test client (the middleware, DRF's authentication, permissions, throttles,
the response), anonymously and as a reviewer (who also sees contributors and checks):
``/api/v1/claims/<pk>/`` as wired, and ``/bench/claims-drf/<pk>/``, the claim with its
prefetches through ``ClaimWithRelationsSerializer`` (``bench_urls.py``), for ``--claims``
published claims. Both answers are checked byte for byte first. Wall-clock milliseconds
per request in this process; the targets take turns in each round; medians over rounds.
``--db`` is a database URL or a SQLite file (``generate.py`` makes either).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import client_for, database_url_of, django_setup, publish, table  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a database URL or a SQLite file")
    parser.add_argument("--claims", type=int, default=200, help="published claims read per target and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    url = database_url_of(args.db)
    django_setup(url)
    from django.db import connection

    from claims.models import Claim

    ids = list(Claim.objects.filter(status="published").order_by("-id").values_list("id", flat=True)[: args.claims])
    if not ids:
        raise SystemExit("No published claim: generate a corpus first (bench/generate.py).")
    clients = {"anonymous": client_for(None), "reviewer": client_for("reviewer")}
    targets = {
        (role, kind): (client, "/api/v1/claims/{}/" if kind == "fast" else "/bench/claims-drf/{}/")
        for role, client in clients.items()
        for kind in ("fast", "drf")
    }
    for role, client in clients.items():
        for pk in ids:
            fast, drf = (client.get(f"/api/v1/claims/{pk}/"), client.get(f"/bench/claims-drf/{pk}/"))
            if fast.status_code != 200 or fast.content != drf.content:
                raise SystemExit(f"claim {pk} as {role}: the answers differ ({fast.status_code}, {drf.status_code})")
    samples: dict[tuple, list[float]] = {target: [] for target in targets}
    names = list(targets)
    for round_number in range(args.rounds):
        for target in names[round_number % len(names):] + names[: round_number % len(names)]:
            client, path = targets[target]
            started = time.perf_counter()
            for pk in ids:
                client.get(path.format(pk))
            samples[target].append((time.perf_counter() - started) * 1000 / len(ids))
            print(f"round {round_number + 1} {target}: {samples[target][-1]:.2f} ms/request", file=sys.stderr)
    rows = []
    for role in clients:
        fast, drf = statistics.median(samples[(role, "fast")]), statistics.median(samples[(role, "drf")])
        rows.append([role, f"{drf:.2f}", f"{fast:.2f}", f"{drf / fast:.2f}x"])
    summary = (
        f"{connection.vendor}, {Claim.objects.count():,} claims: {len(ids)} published claims read per target and "
        f"round, {args.rounds} rounds in turns, wall-clock time in one process; medians over the rounds. "
        "Both answers checked identical first."
    )
    report = table(["caller", "ClaimWithRelationsSerializer ms", "fast_detail ms", "ratio"], rows)
    publish("Claim detail in-process: rows against the serializer", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
