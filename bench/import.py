"""import_claims and export_claims at scale: claims per second and peak memory.

    python bench/import.py --source bench/data/claims-100k.sqlite3 [--target sqlite|postgres] [--record]

1. ``export_claims --with-sources`` of the source database (100k claims) to a JSONL file,
   and a 10% head of that file;
2. into a fresh, empty database (migrated, the corpus's users, nothing else; SQLite file
   under bench/data/ or the PostgreSQL database ``claimbase_bench_import``):
   ``import_claims`` of the 10% file, then of the whole file (the first 10% is skipped as
   already present), then the whole file again (everything already present);
3. each run is its own process: wall time, claims per second, and the peak RSS it reports
   (``getrusage``). A flat memory profile shows as the same peak for 10k and 100k claims.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import DATA_DIR, PROJECT_DIR, publish, split_export, table  # noqa: E402

PYTHON = str(PROJECT_DIR / ".venv" / "bin" / "python")


def manage(url: str, *args: str) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "project.settings"}
    started = time.perf_counter()
    result = subprocess.run([PYTHON, str(PROJECT_DIR / "manage.py"), *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return seconds, result.stdout + result.stderr


def peak_rss_of_export(url: str, path: Path) -> tuple[float, float]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "project.settings"}
    code = (
        "import resource, sys, django; django.setup();"
        "from django.core.management import call_command;"
        f"call_command('export_claims', '--with-sources', '--no-progress', '--output', {str(path)!r});"
        "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    started = time.perf_counter()
    result = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True, cwd=PROJECT_DIR)
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return time.perf_counter() - started, float(re.search(r"PEAK ([\d.]+)", result.stdout).group(1))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, type=Path, help="SQLite file to export from")
    parser.add_argument("--target", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/claimbase_bench_import")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generate

    source_url = f"sqlite:///{args.source.resolve()}"
    export = DATA_DIR / f"export-{args.source.stem}.jsonl"
    export_seconds, export_peak = peak_rss_of_export(source_url, export)
    head = DATA_DIR / f"export-{args.source.stem}-head.jsonl"
    claims_total = split_export(export, head)
    claim_lines = range(claims_total)

    target = (f"sqlite:///{(DATA_DIR / 'import-target.sqlite3').resolve()}" if args.target == "sqlite" else args.postgres_url)
    generate.fresh_database(target)

    runs = []
    for label, path, expected_new in (
        ("first 10% into an empty database", head, len(claim_lines) // 10),
        ("whole file (first 10% already there)", export, claims_total - len(claim_lines) // 10),
        ("whole file again (all present)", export, 0),
    ):
        seconds, output = manage(target, "import_claims", str(path), "--no-progress")
        imported = int(re.search(r"(\d+) claims imported", output).group(1))
        peak = float(re.search(r"peak RSS ([\d,]+) MB", output).group(1).replace(",", ""))
        # The command's own time: from opening the file to the commit, without the start-up.
        importing = float(re.search(r"lines in ([\d.]+)s", output).group(1))
        runs.append([label, f"{imported:,}", f"{seconds:.1f}", f"{imported / seconds:,.0f}" if imported else "n/a",
                     f"{importing:.1f}", f"{imported / importing:,.0f}" if imported else "n/a",
                     f"{claims_total / seconds:,.0f} lines/s" if not imported else "", f"{peak:,.0f}"])
        print(output.strip().splitlines()[-1], file=sys.stderr)
        assert imported == expected_new, (label, imported, expected_new)
    size_mb = export.stat().st_size / 1e6
    rows = [["export_claims --with-sources", f"{claims_total:,}", f"{export_seconds:.1f}",
             f"{claims_total / export_seconds:,.0f}", "", "", f"{size_mb:,.0f} MB written", f"{export_peak:,.0f}"]] + runs
    summary = (
        f"Export of {args.source.name} ({claims_total:,} claims, with their 2,000 sources and 300 entities), "
        f"imported into a fresh {args.target} database. Each line is its own process (`manage.py ...`); wall "
        "time includes Django's start-up; the command's own time (reported by it) runs from opening the file to "
        "the commit; claims/s counts claims with their evidence, spans, entity links, moderation log and first "
        "history record."
    )
    report = table(["run", "claims imported", "process s", "claims/s of the process", "command's own s",
                    "claims/s of the command", "", "peak RSS MB"], rows)
    publish(f"Import and export ({args.target})", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
