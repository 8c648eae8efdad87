"""The similar-claims lookup at scale: ``/api/v1/claims/similar/`` on the generated corpus.

    python bench/similar.py --db bench/data/claims-1m.sqlite3 [--queries 60] [--repeat 3] [--record]
    python bench/similar.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_1m

What an analyst's typing sends: texts drawn (seeded, so the same on every run) from the
corpus's own claims, each rewritten as a paraphrase would be (its words in another order, one
word dropped), and as many texts of random corpus words that state nothing stored. Each is
asked ``--repeat`` times, in turns, through Django's test client in this process (server
time, no network), as ``--user`` (default ``analyst``, who sees every claim; ``-`` for an
anonymous caller). Prints p50, p95 and max over every request (wall clock), the same of
this process's CPU time (what the request costs, without the waits for a core that a shared
machine adds; on PostgreSQL the server's own CPU is not in it), a claim's detail asked in
turns with the lookups (what the machine's load does to any request then), and how often a rewritten
claim is among the first five results (at scale, the synthetic corpus's claims are word
salads of a Zipf vocabulary: this figure is a sanity check, the quality figures are
``bench/similar_quality.py``'s).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import client_for, database_url_of, django_setup, publish, table  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def rewritten(text: str, rng: random.Random) -> str:
    words = text.rstrip(".").split()
    if len(words) > 4:
        del words[rng.randrange(len(words))]
        cut = rng.randrange(1, len(words) - 1)
        words = words[cut:] + words[:cut]
    return " ".join(words)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file or database URL")
    parser.add_argument("--queries", type=int, default=60, help="texts (half rewritten claims, half random words)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--user", default="analyst", help="username, or - for anonymous")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    django_setup(database_url_of(args.db))
    import time

    from django.db import connection

    from claims.models import Claim

    rng = random.Random(args.seed)
    last = Claim.objects.order_by("-id").values_list("id", flat=True).first()
    total = Claim.objects.count()
    sample_ids = sorted(rng.sample(range(1, last + 1), args.queries))
    texts = dict(Claim.objects.filter(pk__in=sample_ids).values_list("id", "text"))
    queries: list[tuple[str, int | None]] = []
    vocabulary = " ".join(texts.values()).split()
    for index, (claim_id, text) in enumerate(sorted(texts.items())):
        if index % 2 == 0:
            queries.append((rewritten(text, rng), claim_id))
        else:
            queries.append((" ".join(rng.sample(vocabulary, min(len(vocabulary), rng.randint(6, 14)))), None))

    client = client_for(None if args.user == "-" else args.user)
    paths = [f"/api/v1/claims/similar/?{urlencode({'text': text, 'limit': 10})}" for text, _ in queries]
    client.get(paths[0])  # warm up: imports, the entity matcher
    samples: list[float] = []
    cpu: list[float] = []
    reference: list[float] = []
    found = rewritten_count = 0
    # In turns with the lookups: a claim's detail (a few indexed reads), to show what the
    # machine's load does to any request at that moment.
    details = [f"/api/v1/claims/{claim_id}/" for claim_id in sorted(texts)]
    for round_number in range(args.repeat):
        for path, (_, claim_id) in zip(paths, queries):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")
            started = time.perf_counter()
            client.get(details[len(reference) % len(details)])
            reference.append((time.perf_counter() - started) * 1000)
            if round_number == 0 and claim_id is not None:
                rewritten_count += 1
                found += claim_id in [item["claim"]["id"] for item in response.json()[:5]]
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    summary = (
        f"{args.db} ({connection.vendor}): {total:,} claims; {len(queries)} texts x {args.repeat}, in turns, "
        f"as {args.user if args.user != '-' else 'anonymous'}; server time in-process; limit 10. "
        f"Targets: p50 <= 50 ms, p95 <= 150 ms."
    )
    reference_p50 = statistics.median(reference)
    report = table(
        ["requests", "p50 ms", "p95 ms", "max ms", "CPU p50 ms", "CPU p95 ms",
         "claim detail p50 ms (in turns)", "p50 / detail p50", "rewritten claims found in the first 5"],
        [[
            len(samples), f"{p50:.1f}", f"{p95:.1f}", f"{max(samples):.1f}",
            f"{statistics.median(cpu):.1f}", f"{percentile(cpu, 0.95):.1f}",
            f"{reference_p50:.1f}", f"{p50 / reference_p50:.1f}x", f"{found}/{rewritten_count}",
        ]],
    )
    publish(f"Similar claims ({connection.vendor})", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
