"""import_claims in instructions: the import process's own work, this checkout against another.

    python bench/import_instructions.py --source bench/data/claims-100k.sqlite3 [--baseline REV]
        [--claims 4000] [--database-url URL] [--record]

The import's wall clock on a shared machine moves by a quarter within an hour; the
instructions its process executes do not. ``valgrind --tool=callgrind`` counts them for:

1. ``import_claims`` of ``--claims`` claim lines (those after the first tenth of the
   export of ``--source``) into a copy of a database that already holds the first tenth
   (made once: migrated, the corpus's users, ``import_claims`` of the first tenth; on
   PostgreSQL copied with ``CREATE DATABASE ... TEMPLATE``);
2. ``import_claims`` of an empty file: the command's start-up, subtracted from the first.

With ``--baseline REV`` the same two counts are taken for that revision, from a temporary
checkout (``git worktree``) that uses this checkout's virtualenv. Two processes run at
once, one a core; valgrind runs each about fifty times slower (4,000 claims: 1.5 minutes).
Only the import's process is counted, not the database server's.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import DATA_DIR, PROJECT_DIR, publish, split_export, table  # noqa: E402

PYTHON = str(PROJECT_DIR / ".venv" / "bin" / "python")
COLLECTED = re.compile(r"Collected : (\d+)")
IMPORTED = re.compile(r"(\d+) claims imported")


def prepare_files(source: Path, claims: int) -> tuple[Path, Path, Path]:
    """The export of ``source`` (made if missing), its first tenth, and the next ``claims``
    claim lines."""
    export = DATA_DIR / f"export-{source.stem}.jsonl"
    if not export.exists():
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{source.resolve()}", "DJANGO_SETTINGS_MODULE": "project.settings"}
        subprocess.run([PYTHON, "manage.py", "export_claims", "--with-sources", "--no-progress", "--output", str(export)],
                       check=True, env=env, cwd=PROJECT_DIR)
    head, part = DATA_DIR / f"export-{source.stem}-head.jsonl", DATA_DIR / f"export-{source.stem}-part.jsonl"
    split_export(export, head, part, claims)
    return export, head, part


def make_template(url: str, head: Path) -> None:
    """A database holding the first tenth of the export (the users of the corpus first)."""
    import generate

    generate.fresh_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "project.settings"}
    subprocess.run([PYTHON, "manage.py", "import_claims", str(head), "--no-progress"], check=True, env=env,
                   cwd=PROJECT_DIR, capture_output=True)


def copy_of(template: str, name: str) -> str:
    """A fresh copy of the template database; its URL."""
    if template.startswith("sqlite:///"):
        path = Path(template.removeprefix("sqlite:///"))
        copy = path.with_name(f"{path.stem}-{name}.sqlite3")
        shutil.copyfile(path, copy)
        return f"sqlite:///{copy}"
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(template)
    copy = f"{config['NAME']}_{name}"
    admin = template.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        connection.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{config["NAME"]}"')
    return template.rsplit("/", 1)[0] + "/" + copy


def drop(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')


def count(checkout: Path, url: str, path: Path) -> tuple[int, int]:
    """(instructions, claims imported) of ``import_claims path`` run from ``checkout``."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "project.settings"}
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out", PYTHON, "manage.py",
             "import_claims", str(path), "--no-progress"],
            capture_output=True, text=True, cwd=checkout, env=env,
        )
    found, imported = COLLECTED.search(result.stderr), IMPORTED.search(result.stdout)
    if result.returncode != 0 or found is None or imported is None:
        raise SystemExit(f"import_claims under valgrind failed in {checkout}:\n{result.stderr[-3000:]}")
    return int(found.group(1)), int(imported.group(1))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, type=Path, help="SQLite file to export from")
    parser.add_argument("--claims", type=int, default=4000, help="claims in the counted import")
    parser.add_argument("--baseline", help="a revision to count as well (git worktree)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/claimbase_bench_instr",
                        help="the template database (sqlite:///PATH for SQLite)")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install -y valgrind")
    _, head, part = prepare_files(args.source, args.claims)
    empty = DATA_DIR / "empty.jsonl"
    empty.write_bytes(b"")
    make_template(args.database_url, head)

    checkouts = {"this checkout": PROJECT_DIR}
    scratch = Path(tempfile.mkdtemp(prefix="claimbase-baseline-"))
    try:
        if args.baseline:
            worktree = scratch / "checkout"
            subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.baseline], check=True,
                           cwd=PROJECT_DIR, capture_output=True)
            (worktree / ".venv").symlink_to(PROJECT_DIR / ".venv")
            checkouts[args.baseline] = worktree
        jobs = []
        for label, checkout in checkouts.items():
            for kind, path in (("import", part), ("start-up", empty)):
                jobs.append((label, kind, checkout, copy_of(args.database_url, f"{len(jobs)}"), path))
        with ThreadPoolExecutor(max_workers=2) as pool:
            counted = list(pool.map(lambda job: count(job[2], job[3], job[4]), jobs))
        for job in jobs:
            drop(job[3])
    finally:
        if args.baseline:
            subprocess.run(["git", "worktree", "remove", "--force", str(scratch / "checkout")], cwd=PROJECT_DIR,
                           capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
        drop(args.database_url)
    totals = {(job[0], job[1]): result for job, result in zip(jobs, counted)}
    own = {}
    for label in checkouts:
        instructions, imported = totals[(label, "import")]
        if imported != args.claims:
            raise SystemExit(f"{label}: {imported} claims imported, {args.claims} expected")
        own[label] = instructions - totals[(label, "start-up")][0]
    mine = own["this checkout"]
    rows = [[label, f"{totals[(label, 'import')][0] / 1e9:.3f}", f"{totals[(label, 'start-up')][0] / 1e9:.3f}",
             f"{own[label] / 1e9:.3f}", f"{own[label] / args.claims / 1e3:,.0f}", f"{own[label] / mine:.2f}x"]
            for label in checkouts]
    engine = "SQLite" if args.database_url.startswith("sqlite") else "PostgreSQL"
    summary = (
        f"import_claims of {args.claims:,} claims of {args.source.name} (after its first tenth) into a copy of a "
        f"{engine} database holding the first tenth; each count is one process under callgrind; the import's own "
        "work is the import's count less the count of the command with an empty file. Only the import's process "
        "is counted, not the database server's."
    )
    report = table(["code", "import, billion instructions", "start-up", "import's own work", "thousand a claim",
                    "vs this checkout"], rows)
    publish(f"Import in instructions ({engine})", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
