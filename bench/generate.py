"""Write the synthetic corpus into a fresh database, fast.

    python bench/generate.py --claims 100000 --sqlite bench/data/claims-100k.sqlite3
    python bench/generate.py --claims 1000000 \
        --database-url postgres://postgres@127.0.0.1:5432/claimbase_bench_1m

The database is created from scratch (an existing file or database of that name is
replaced), migrated with ``manage.py migrate``, given the users of ``bench/corpus.py``
(password ``$BENCH_PASSWORD``, default ``claimbase-bench``), then filled with bulk SQL:
``executemany`` in large transactions on SQLite, ``COPY`` on PostgreSQL. Whatever the
full-text search triggers of migration 0003 are switched off during the load and the index
is built once at the end, with the migration's own statements, before the triggers return. Finally ``ANALYZE`` gives the
planner statistics, as autovacuum would on PostgreSQL and ``PRAGMA optimize`` on SQLite.

The rows bypass the services on purpose (a million claims through ``claim_create`` would
take hours) and the field history: they are what a long-lived database holds, not a
record of how it got there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path[:0] = [str(PROJECT_DIR), str(BENCH_DIR)]

from corpus import BATCH_TABLES, TABLE_COLUMNS, USERS, Corpus  # noqa: E402

DEFAULT_PASSWORD = "claimbase-bench"


def database_url(args) -> str:
    if args.database_url:
        return args.database_url
    return f"sqlite:///{Path(args.sqlite).resolve()}"


def recreate(url: str) -> None:
    """Remove the SQLite file, or drop and create the PostgreSQL database."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    with psycopg.connect(
        host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
        password=config["PASSWORD"] or None, dbname="postgres", autocommit=True,
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()


def fresh_database(url: str, password: str = DEFAULT_PASSWORD) -> None:
    """``recreate``, ``migrate`` and ``create_users``, in a process of its own (this one may
    have set Django up for another database), with the project's virtualenv."""
    import subprocess

    recreate(url)
    code = (
        "import sys; sys.path[:0] = [%r, %r]; import generate; generate.django_setup(%r);"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "generate.create_users(%r)"
    ) % (str(BENCH_DIR), str(PROJECT_DIR), url, password)
    subprocess.run([str(PROJECT_DIR / ".venv" / "bin" / "python"), "-c", code], check=True, cwd=PROJECT_DIR)


def create_users(password: str) -> None:
    from django.contrib.auth.models import Group, User

    for expected_id, (username, group, superuser) in enumerate(USERS, start=1):
        if superuser:
            user = User.objects.create_superuser(username=username, password=password)
        else:
            user = User.objects.create_user(username=username, password=password, is_staff=True)
        if group:
            user.groups.add(Group.objects.get(name=group))
        assert user.pk == expected_id, "a fresh database numbers users from 1"


class SqliteWriter:
    def __init__(self, connection) -> None:
        self.raw = connection.connection
        # A fresh file that nobody else reads yet: no journal, no fsync, and the foreign keys
        # are checked once at the end (PRAGMA foreign_key_check) rather than row by row.
        self.raw.commit()
        self.raw.execute("PRAGMA foreign_keys=OFF")
        self.raw.execute("PRAGMA journal_mode=OFF")
        self.raw.execute("PRAGMA synchronous=OFF")
        self.raw.execute("PRAGMA cache_size=-1000000")
        self.raw.execute("PRAGMA temp_store=MEMORY")

    def insert(self, table: str, rows) -> None:
        columns = TABLE_COLUMNS[table]
        quoted = ", ".join(f'"{column}"' for column in columns)
        marks = ", ".join("?" * len(columns))
        if not self.raw.in_transaction:
            # Django keeps the driver in autocommit: without BEGIN every row is a transaction.
            self.raw.execute("BEGIN")
        self.raw.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows)

    def commit(self) -> None:
        if self.raw.in_transaction:
            self.raw.execute("COMMIT")

    def finish(self, tables) -> None:
        self.commit()
        broken = self.raw.execute("PRAGMA foreign_key_check").fetchmany(5)
        if broken:
            raise SystemExit(f"foreign keys broken: {broken}")
        self.raw.execute("ANALYZE")
        self.raw.execute("PRAGMA journal_mode=WAL")
        self.raw.execute("PRAGMA foreign_keys=ON")


class PostgresWriter:
    def __init__(self, connection) -> None:
        self.raw = connection.connection
        self.raw.autocommit = False

    def insert(self, table: str, rows) -> None:
        columns = TABLE_COLUMNS[table]
        quoted = ", ".join(f'"{column}"' for column in columns)
        with self.raw.cursor() as cursor:
            with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)

    def commit(self) -> None:
        self.raw.commit()

    def finish(self, tables) -> None:
        with self.raw.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )
        self.raw.commit()
        self.raw.autocommit = True
        with self.raw.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def search_triggers_off(connection) -> None:
    """The search index's triggers rebuild a claim's document on every claim and evidence
    insert; for a bulk load, switch them off and build the index once at the end."""
    from claims import search_index

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            search_index.drop_sqlite_triggers(cursor)
        else:
            cursor.execute("ALTER TABLE claims_claim DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE claims_evidence DISABLE TRIGGER USER")


def search_index_rebuild(connection) -> None:
    """Fill the search table with the index's own statement, then put the triggers back."""
    from claims import search_index

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(search_index.sqlite_fill())
            search_index.create_sqlite_triggers(cursor)
        else:
            cursor.execute(search_index.postgresql_fill("TRUE"))
            cursor.execute("ALTER TABLE claims_claim ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE claims_evidence ENABLE TRIGGER USER")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--sqlite", help="path of the SQLite file to create")
    target.add_argument("--database-url", help="postgres://... of the database to create")
    args = parser.parse_args(argv)

    url = database_url(args)
    started = time.perf_counter()
    recreate(url)
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    create_users(os.environ.get("BENCH_PASSWORD", DEFAULT_PASSWORD))
    setup_seconds = time.perf_counter() - started

    connection.ensure_connection()
    search_triggers_off(connection)
    writer = SqliteWriter(connection) if connection.vendor == "sqlite" else PostgresWriter(connection)
    corpus = Corpus(claims=args.claims, seed=args.seed)
    counts: dict[str, int] = {}
    load_started = time.perf_counter()
    sources = list(corpus.source_rows())
    writer.insert("sources_source", sources)
    writer.insert("claims_entity", corpus.entity_rows())
    counts["sources_source"] = len(sources)
    counts["claims_entity"] = len(corpus.entity_rows())
    writer.commit()
    done = 0
    for batch in corpus.claim_batches():
        # Parents first: foreign keys are checked row by row on SQLite.
        for key in ("claim", "span", "evidence", "claim_entity", "review"):
            table = BATCH_TABLES[key]
            writer.insert(table, batch[key])
            counts[table] = counts.get(table, 0) + len(batch[key])
        writer.commit()
        done += len(batch["claim"])
        elapsed = time.perf_counter() - load_started
        print(f"\r{done:>9,} claims  {done / elapsed:>8,.0f}/s", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    load_seconds = time.perf_counter() - load_started
    finish_started = time.perf_counter()
    writer.commit()
    search_index_rebuild(connection)
    writer.commit()
    writer.finish(list(TABLE_COLUMNS))
    finish_seconds = time.perf_counter() - finish_started
    print(f"database: {url}")
    for table, count in counts.items():
        print(f"  {table:<24} {count:>10,}")
    print(
        f"setup {setup_seconds:.1f}s, load {load_seconds:.1f}s "
        f"({args.claims / load_seconds:,.0f} claims/s), "
        f"search index and analyze {finish_seconds:.1f}s, "
        f"total {time.perf_counter() - started:.1f}s"
    )
    if url.startswith("sqlite:///"):
        size = Path(url.removeprefix("sqlite:///")).stat().st_size
        print(f"file size {size / 1e6:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
