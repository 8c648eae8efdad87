"""What PostgreSQL spends indexing an import's claims for search, part by part: server CPU.

    python bench/import_server.py --database-url postgres://postgres@127.0.0.1:5432/claimbase_bench_import [--claims 30000] [--rounds 3] [--record]

The import (``claims.transfer``) indexes each batch of 1,000 new claims with one statement,
``search_index.postgresql_fill``: the claim's document (its text and its evidence's quotes),
``to_tsvector``, the pairs of adjacent words (``claims_search_pairs_of``), rows in
``claims_claim_search`` and ``claims_claim_pairs`` and their GIN indexes. Here the claims
of a database that holds imported ones (``bench/import.py`` leaves 100,000 in
``claimbase_bench_import``) are indexed again that way, 1,000 a statement, after their
search rows are deleted, in one transaction that is rolled back: the database is left as
it was. Each variant stops at one part, or leaves one out, so that the differences say
what each part costs:

- the documents' text alone; with ``to_tsvector``; with the pairs too (SELECTs);
- the fill statement with both GIN indexes dropped, with the pairs' GIN dropped, and whole;
- the whole fill with GIN's pending list at 16 MB and ``work_mem`` at 64 MB (then the
  pending lists cleaned, counted in), and with plain INSERTs (no ``ON CONFLICT``).

The figure is the CPU time of the server process that runs the statements (from
``/proc/<pid>/stat``: the server must run on this machine), which other load on the
machine disturbs much less than wall time. Variants take turns; medians over the rounds.
Dropping an index inside the transaction locks its table: run it on a benchmark's
database only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import CLOCK_TICKS, PROJECT_DIR, publish, table  # noqa: E402

sys.path.insert(0, str(PROJECT_DIR))
from claims import search_index  # noqa: E402

BATCH = 1000
DOCUMENT_GIN, PAIRS_GIN = "claims_claim_search_document", "claims_claim_pairs_pairs"


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def variants() -> dict[str, tuple[str, str, str]]:
    """By label: (what is done before the clock starts, the statement per batch, what is
    done after it within the clock)."""
    fill = search_index.postgresql_fill("c.id BETWEEN %s AND %s")
    content = f"FROM claims_claim c, LATERAL (SELECT {search_index._CONTENT} AS content OFFSET 0) AS claim_content " \
              "WHERE c.id BETWEEN %s AND %s"
    words = f"SELECT to_tsvector('english'::regconfig, content) AS words, octet_length(content) AS size {content}"
    plain = fill.replace(
        "ON CONFLICT (claim_id) DO UPDATE SET\n                document = EXCLUDED.document, status = EXCLUDED.status, "
        "created_at = EXCLUDED.created_at", "",
    ).replace("ON CONFLICT (claim_id) DO UPDATE SET pairs = EXCLUDED.pairs", "")
    assert "CONFLICT" not in plain, "search_index's statement changed: update the plain variant"
    cleaned = f"SELECT gin_clean_pending_list('{DOCUMENT_GIN}'), gin_clean_pending_list('{PAIRS_GIN}')"
    return {
        "documents' text (SELECT)": ("", f"SELECT sum(length(content)) {content}", ""),
        "+ to_tsvector (SELECT)": ("", f"WITH d AS MATERIALIZED ({words}) SELECT sum(length(words)) FROM d", ""),
        "+ pairs (SELECT)": ("", f"WITH d AS MATERIALIZED ({words}) "
                                 "SELECT sum(length(words)), sum(length(claims_search_pairs_of(words, size))) FROM d", ""),
        "fill, without the two GIN indexes": (f"DROP INDEX {DOCUMENT_GIN}; DROP INDEX {PAIRS_GIN}", fill, ""),
        "fill, without the pairs' GIN index": (f"DROP INDEX {PAIRS_GIN}", fill, ""),
        "fill, as the import runs it": ("", fill, ""),
        "fill, pending list 16 MB, work_mem 64 MB": (
            "SET LOCAL gin_pending_list_limit = 16384; SET LOCAL work_mem = '64MB'", fill, cleaned),
        "fill, plain INSERTs": ("", plain, ""),
    }


def measure(url: str, first: int, count: int, before: str, statement: str, after: str) -> float:
    with psycopg.connect(url) as connection:
        pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        connection.execute("DELETE FROM claims_claim_search WHERE claim_id BETWEEN %s AND %s", [first, first + count - 1])
        connection.execute("DELETE FROM claims_claim_pairs WHERE claim_id BETWEEN %s AND %s", [first, first + count - 1])
        if before:
            connection.execute(before)
        started = backend_cpu(pid)
        for low in range(first, first + count, BATCH):
            connection.execute(statement, [low, min(low + BATCH, first + count) - 1])
        if after:
            connection.execute(after)
        connection.execute("SELECT 1")
        spent = backend_cpu(pid) - started
        connection.rollback()
    return spent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/claimbase_bench_import")
    parser.add_argument("--claims", type=int, default=30_000, help="claims indexed again per variant")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    with psycopg.connect(args.database_url) as connection:
        first, last = connection.execute("SELECT min(id), max(id) FROM claims_claim").fetchone()
        pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
    if first is None or last - first + 1 < args.claims:
        raise SystemExit(f"{args.database_url} holds fewer than {args.claims:,} claims: run bench/import.py first")
    if not os.path.exists(f"/proc/{pid}/stat"):
        raise SystemExit("the server's processes are not on this machine: its CPU time cannot be read")
    first = last - args.claims + 1  # the newest claims, as an import's are
    cases = variants()
    spent: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(args.rounds):
        for label, (before, statement, after) in cases.items():
            spent[label].append(measure(args.database_url, first, args.claims, before, statement, after))
            print(f"{label}: {spent[label][-1]:.2f} s", file=sys.stderr)
    whole = statistics.median(spent["fill, as the import runs it"])
    rows = []
    for label, values in spent.items():
        median = statistics.median(values)
        rows.append([label, f"{median:.2f}", f"{median / args.claims * 1e6:,.0f}", f"{median / whole:.2f}",
                     f"{median / args.claims * 90_000:.1f}"])
    summary = (
        f"{args.claims:,} claims of {args.database_url.rsplit('/', 1)[-1]} indexed again for search, "
        f"{BATCH:,} a statement, in a transaction rolled back; CPU seconds of the server process, "
        f"median of {args.rounds} rounds, variants in turns."
    )
    report = table(["variant", "server CPU s", "µs a claim", "vs the import's fill", "s for 90,000 claims"], rows)
    publish("Import: the search index's server CPU (postgresql)", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
