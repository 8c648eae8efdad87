"""Bulk writing for the import: rows by COPY (PostgreSQL) or batched INSERTs (SQLite), their
foreign keys checked set-wise; look-ups by key pairs and by uid; the search index per batch;
the writer thread; the page cache; and the garbage collector's pace."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import gc
import io
import json
import operator
import re
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections, models
from psycopg.adapt import Dumper
from psycopg.copy import Copy, FileWriter
from psycopg.pq import Format

from .. import search_index


class SearchIndexDeferral:
    """Inside a bulk writer's transaction, new claims are indexed for search a batch at a
    time (``index``) instead of row by row by the triggers (``claims.search_index``).

    Those triggers rebuild a claim's document for every inserted claim and evidence row; FTS5
    also pays a flush per statement. One ``INSERT ... SELECT`` over a batch costs about a
    tenth of that. Updates and deletes stay with the triggers.

    - SQLite: the two insert triggers are dropped on entry and created again on exit, from
      their one definition in ``claims.search_index``. The transaction holds SQLite's write
      lock, and no other connection sees its schema changes before commit; on an error the
      rollback restores them.
    - PostgreSQL: ``SET LOCAL claimbase.search_deferred = on``, which the trigger functions
      honour for inserts; it ends with the transaction.
    """

    def __init__(self, connection=None) -> None:
        # A connection object, not the thread-local proxy: ``index`` may run in a writer thread.
        self.connection = connection or connections[DEFAULT_DB_ALIAS]
        self.vendor = self.connection.vendor

    def __enter__(self):
        if not self.connection.in_atomic_block:
            raise RuntimeError("SearchIndexDeferral needs a transaction (transaction.atomic).")
        with self.connection.cursor() as cursor:
            if self.vendor == "sqlite":
                search_index.drop_sqlite_triggers(cursor, search_index.SQLITE_INSERT_TRIGGERS)
            elif self.vendor == "postgresql":
                cursor.execute("SET LOCAL claimbase.search_deferred = 'on'")
        return self

    def index(self, claim_ids: list[int]) -> None:
        """Index claims inserted while deferred (with their evidence already written)."""
        if not claim_ids:
            return
        with self.connection.cursor() as cursor:
            if self.vendor == "sqlite":
                # The ids a RowWriter allocates on SQLite are one range, and no other writer
                # can insert in it.
                cursor.execute(search_index.sqlite_fill("c.id BETWEEN %s AND %s"), [min(claim_ids), max(claim_ids)])
            elif self.vendor == "postgresql":
                cursor.execute(search_index.postgresql_fill("c.id = ANY(%s)"), [list(claim_ids)])

    def __exit__(self, kind, error, traceback) -> None:
        if kind is not None:
            return  # the transaction rolls back, and with it what __enter__ changed
        with self.connection.cursor() as cursor:
            if self.vendor == "sqlite":
                search_index.create_sqlite_triggers(cursor, search_index.SQLITE_INSERT_TRIGGERS)
            elif self.vendor == "postgresql":
                cursor.execute("SET LOCAL claimbase.search_deferred = 'off'")


def _sqlite_datetime(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, ``str``), without
    its per-value settings lookups: a batch has a hundred thousand of them."""
    if value.tzinfo is dt.UTC:
        return value.isoformat(" ")[:-6]  # without "+00:00"
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value)


TRIGGER_ON_INSERT = 1 << 2  # pg_trigger.tgtype's bit for INSERT


COLUMN_SIZE = re.compile(r"\(.*\)$")  # varchar(20): varchar


class JsonTextBinaryDumper(Dumper):
    """jsonb in COPY's binary format: the rows carry JSON text, already serialised, where the
    driver's own dumper would serialise it again; any other value is serialised here."""

    oid = psycopg.adapters.types["jsonb"].oid
    format = Format.BINARY

    def dump(self, obj) -> bytes:
        text = obj if isinstance(obj, str) else json.dumps(obj)
        return b"\x01" + text.encode()  # the format's version, then the text


@dataclasses.dataclass
class Prepared:
    """Rows made ready to write (``RowWriter.prepare``)."""

    model: type[models.Model]
    columns: tuple[str, ...]
    rows: list[tuple]
    statement: str
    data: object  # PostgreSQL: the rows in COPY's format (``statement`` says which); SQLite: the rows adapted


class RowWriter:
    """Rows in bulk (COPY on PostgreSQL, batched INSERTs on SQLite) with ids reserved up
    front, for the import's volume: the ORM's per-object work costs more than the
    database's. Values must already be valid (the ``Resolver`` checked them); the database's
    constraints still hold them, foreign keys included (``checking_references``)."""

    def __init__(self, connection=None) -> None:
        # A connection object, not the thread-local proxy: inserts may run in a writer thread.
        self.connection = connection = connection or connections[DEFAULT_DB_ALIAS]
        self.vendor = connection.vendor
        self.adapt_datetime = _sqlite_datetime
        self.adapt_date = connection.ops.adapt_datefield_value
        # Whether ``write`` is the server's work alone, worth a thread of its own: PostgreSQL's
        # COPY of rows ``prepare`` formatted. SQLite binds the rows in Python as it writes.
        self.writes_in_server = self.vendor == "postgresql"
        self.may_skip_triggers: dict[frozenset, bool] = {}  # by the tables written
        self.copy_types: dict[tuple, list[int] | None] = {}  # by (model, columns)
        # Inside ``checking_references``: the values referred to, and the values inserted, by
        # (model, column); outside it, None.
        self.referred: dict[tuple, set] | None = None
        self.inserted: dict[tuple, set] = {}
        self.held: dict[tuple, set] = {}  # rows found and locked by an earlier window
        self.sequences: dict[str, int] = {}  # PostgreSQL: the oid of each table's id sequence

    @contextlib.contextmanager
    def checking_references(self, models_written):
        """The rows written inside (``insert``, ``write``) are checked for their foreign keys
        here, set-wise, instead of one at a time by the database.

        PostgreSQL checks each foreign key of each row with a query of its own, run by a
        trigger (at commit, Django's constraints being deferred): two million of them for a
        hundred thousand imported claims, a third of the server's work. Inside this window
        the rows are written with ``session_replication_role = replica``, which skips those
        triggers (as ``pg_restore --disable-triggers`` does), and on leaving it every value
        referred to is either a row written in the window or a row that exists, which is
        locked ``FOR KEY SHARE`` as the trigger would lock it, so that no one can delete it
        before the commit. A value that is neither raises ``IntegrityError``, as the
        constraint would. The window then ends, and the database checks again.

        Only where it is safe: PostgreSQL, a role allowed to set the parameter (a superuser,
        or ``GRANT SET ON PARAMETER session_replication_role``), and no trigger or rule on
        the ``models_written`` that fires on insert but the triggers known to do nothing
        during an import. Anywhere else the database's triggers check, as always.
        """
        if not self._may_skip_triggers(models_written):
            yield
            return
        self._set_replication_role("replica")
        self.referred, self.inserted = {}, {}
        try:
            yield
        except BaseException:
            self.referred = None
            # After a database error the transaction can only roll back, which ends the
            # setting; after any other, the database checks again from here.
            with contextlib.suppress(DatabaseError):
                self._set_replication_role("origin")
            raise
        referred, self.referred = self.referred, None
        self._set_replication_role("origin")
        self._hold_referred(referred)

    def _set_replication_role(self, role: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL session_replication_role = {role}")

    def _may_skip_triggers(self, models_written) -> bool:
        if self.vendor != "postgresql":
            return False
        tables = frozenset(model._meta.db_table for model in models_written)
        if tables not in self.may_skip_triggers:
            privilege = (
                "has_parameter_privilege('session_replication_role', 'SET')"
                if self.connection.pg_version >= 150000 else "false"
            )
            quote = self.connection.ops.quote_name
            with self.connection.cursor() as cursor:
                cursor.execute(f"SELECT current_setting('is_superuser') = 'on' OR {privilege}")
                allowed = cursor.fetchone()[0]
                triggers = set()
                if allowed:
                    # The lock an insert takes, taken now: no trigger or rule can be added to
                    # these tables until the transaction ends, so what is read here stays true.
                    cursor.execute(f"LOCK TABLE {', '.join(map(quote, sorted(tables)))} IN ROW EXCLUSIVE MODE")
                    # The replication role skips rules as it skips triggers: a rule on insert
                    # (pg_rewrite's ev_type '3') keeps the database's checks too.
                    cursor.execute(
                        "SELECT tgname FROM pg_trigger WHERE tgrelid = ANY(%s::text[]::regclass[]) "
                        "AND NOT tgisinternal AND tgenabled <> 'D' AND tgtype & %s <> 0 "
                        "UNION ALL SELECT 'rule ' || rulename FROM pg_rewrite "
                        "WHERE ev_class = ANY(%s::text[]::regclass[]) AND ev_type = '3' AND ev_enabled <> 'D'",
                        [sorted(tables), TRIGGER_ON_INSERT, sorted(tables)],
                    )
                    triggers = {name for (name,) in cursor.fetchall()}
            # Only the search index's triggers may be skipped: on insert they do nothing inside a
            # ``SearchIndexDeferral``, and the window opens only inside one (below).
            self.may_skip_triggers[tables] = allowed and triggers <= search_index.POSTGRESQL_DEFERRED_INSERT_TRIGGERS
        if not self.may_skip_triggers[tables]:
            return False
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT {search_index.POSTGRESQL_DEFERRED}")
            return cursor.fetchone()[0]  # the search triggers skipped do nothing only then

    def _note_references(self, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
        index = {column: position for position, column in enumerate(columns)}
        for field in model._meta.concrete_fields:
            if field.column not in index:
                continue
            position = index[field.column]
            if field.is_relation and field.db_constraint:
                target = (field.related_model, field.target_field.column)
                self.referred.setdefault(target, set()).update(
                    value for value in map(operator.itemgetter(position), rows) if value is not None
                )
            if field.primary_key:  # what the import's foreign keys refer to
                self.inserted.setdefault((model, field.column), set()).update(
                    map(operator.itemgetter(position), rows)
                )

    def _hold_referred(self, referred: dict[tuple, set]) -> None:
        """Lock the rows referred to that the window did not write, or raise IntegrityError
        naming the first values that do not exist."""
        quote = self.connection.ops.quote_name
        for (model, column), values in sorted(referred.items(), key=lambda item: item[0][0]._meta.db_table):
            held = self.held.setdefault((model, column), set())
            wanted = sorted(values - self.inserted.get((model, column), set()) - held)
            if not wanted:
                continue
            table = model._meta.db_table
            with self.connection.cursor() as cursor:
                # In one order, as every import asks: two imports sharing parents wait, not deadlock.
                cursor.execute(
                    f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} = ANY(%s) "
                    f"ORDER BY {quote(column)} FOR KEY SHARE",
                    [wanted],
                )
                found = {value for (value,) in cursor.fetchall()}
            missing = [value for value in wanted if value not in found]
            if missing:
                shown = ", ".join(map(str, missing[:5])) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
                raise IntegrityError(f"rows refer to {table}.{column} {shown}, which do not exist")
            held.update(found)

    def allocate(self, model, count: int) -> list[int]:
        if not count:
            return []
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # The sequence is looked up once: named in the statement, it was looked up for
                # every id (11 ms for 2,000 ids, against 1.7 ms by its oid).
                if table not in self.sequences:
                    cursor.execute(
                        "SELECT pg_get_serial_sequence(%s, 'id')::regclass::oid", [self.connection.ops.quote_name(table)]
                    )
                    self.sequences[table] = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s::oid::regclass) FROM generate_series(1, %s)", [self.sequences[table], count]
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so the ids past
            # the largest ever used (AUTOINCREMENT keeps it in sqlite_sequence) are ours.
            cursor.execute(
                f"SELECT max(coalesce((SELECT max(id) FROM {self.connection.ops.quote_name(table)}), 0), "
                "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))

    def insert(self, model, columns: tuple[str, ...], rows: list[tuple], *, adapted: bool = False) -> None:
        """Rows of ``model``, values in ``columns`` order; every column that cannot be null
        (but an auto id) must be given; a JSON column takes JSON text (or a value to
        serialise). ``adapted``: the dates already went through ``adapted``."""
        self.write(self.prepare(model, columns, rows, adapted=adapted))

    def prepare(self, model, columns: tuple[str, ...], rows: list[tuple], *, adapted: bool = False) -> Prepared:
        """``insert``'s first half, in Python alone: on PostgreSQL the rows formatted for COPY,
        so that ``write`` is the server's work (another thread may run it). It sends nothing
        to the server, so it may run while the writer thread uses the connection."""
        required = {field.column for field in model._meta.concrete_fields if not field.null}
        missing = required - set(columns) - {model._meta.pk.column}
        if rows and missing:
            raise ValueError(f"{model.__name__}: no values for {', '.join(sorted(missing))}")
        quote = self.connection.ops.quote_name
        table, names = quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
        if self.vendor != "postgresql":
            statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
            return Prepared(model, columns, rows, statement, rows if adapted else self.adapted(model, columns, rows))
        # COPY: a tenth of the cost of an INSERT per row, even pipelined. Formatted by the
        # driver's own code into memory, in COPY's binary format when every column's type is
        # one the driver knows: a fifth of the text format's cost in Python, and no text for
        # the server to parse.
        buffer = io.BytesIO()
        types = self._copy_types(model, columns)
        with self.connection.cursor() as cursor:
            raw = cursor.cursor
            raw.adapters.register_dumper(None, JsonTextBinaryDumper)
            with Copy(raw, binary=types is not None, writer=FileWriter(buffer)) as copy:
                if types is not None:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        options = " (FORMAT BINARY)" if types is not None else ""
        return Prepared(model, columns, rows, f"COPY {table} ({names}) FROM STDIN{options}", buffer.getvalue())

    def _copy_types(self, model, columns: tuple[str, ...]) -> list[int] | None:
        """The PostgreSQL type of each column (from the model), or None when one is not a type
        the driver knows by name."""
        key = (model, columns)
        if key not in self.copy_types:
            fields = {field.column: field for field in model._meta.concrete_fields}
            registry = psycopg.adapters.types
            infos = [registry.get(COLUMN_SIZE.sub("", fields[column].db_type(self.connection) or "")) for column in columns]
            self.copy_types[key] = None if None in infos else [info.oid for info in infos]
        return self.copy_types[key]

    def write(self, prepared: Prepared) -> None:
        """Write what ``prepare`` made."""
        if not prepared.rows:
            return
        if self.referred is not None:
            self._note_references(prepared.model, prepared.columns, prepared.rows)
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with self.connection.wrap_database_errors, cursor.cursor.copy(prepared.statement) as copy:
                    copy.write(prepared.data)
            else:
                cursor.executemany(prepared.statement, prepared.data)

    def stored(self, value: dt.datetime):
        """A datetime as this backend stores it, for rows inserted with ``adapted=True``."""
        return self.adapt_datetime(value) if self.vendor == "sqlite" else value

    def adapted(self, model, columns: tuple[str, ...], rows: list[tuple]) -> list:
        """Rows with their dates and datetimes as the backend stores them (on SQLite, text; on
        PostgreSQL, as they are: COPY adapts them)."""
        if self.vendor != "sqlite":
            return rows
        fields = {field.attname: field for field in model._meta.concrete_fields}
        adapters = []
        for index, column in enumerate(columns):
            field = fields[column]
            if isinstance(field, models.DateTimeField):
                adapters.append((index, self.adapt_datetime))
            elif isinstance(field, models.DateField):
                adapters.append((index, self.adapt_date))
        if not adapters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for index, adapt in adapters:
                if row[index] is not None:
                    row[index] = adapt(row[index])
            converted.append(row)
        return converted


# Pairs per lookup on SQLite: two parameters each, well under its limit.
LOOKUP_CHUNK = 500
IMPORT_CACHE_KIB = 64 * 1024


def rows_at(table: str, columns: str, key: tuple[tuple[str, str], tuple[str, str]], values: list[tuple]) -> list[tuple]:
    """Rows of ``table`` whose two ``key`` columns (name, PostgreSQL type) hold one of the
    ``values`` pairs, found through an index on those columns. The rows of any one pair come
    in id order (on SQLite the pairs are asked in chunks, each sorted by id); ``columns``
    name the table ``s`` and include ``s.id``."""
    (first, first_type), (second, second_type) = key
    found = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two array parameters, whatever the number of pairs.
            cursor.execute(
                f"SELECT {columns} FROM unnest(%s::{first_type}[], %s::{second_type}[]) AS wanted(a, b) "
                f"JOIN {table} s ON s.{first} = wanted.a AND s.{second} = wanted.b ORDER BY s.id",
                [[pair[0] for pair in values], [pair[1] for pair in values]],
            )
            return cursor.fetchall()
        for index in range(0, len(values), LOOKUP_CHUNK):
            chunk = values[index:index + LOOKUP_CHUNK]
            cursor.execute(
                f"SELECT {columns} FROM (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) AS wanted "
                f"JOIN {table} s ON s.{first} = wanted.column1 AND s.{second} = wanted.column2 ORDER BY s.id",
                [value for pair in chunk for value in pair],
            )
            found.extend(cursor.fetchall())
    return found


def ids_by_uid(model, uids) -> list[tuple]:
    """(uid, id) of the rows of ``model`` with one of ``uids`` (``uuid.UUID`` values).

    On PostgreSQL, one statement whose one parameter is the uids' hex digits joined by
    commas; the server splits them. A placeholder per uid, or an array the driver adapts
    element by element, costs more than the look-up itself: 13 ms for 2,000 uids as an
    array, 6.5 ms as one string. Elsewhere, lists of ``LOOKUP_CHUNK``."""
    uids = list(uids)  # in any order: sorting uuid.UUIDs costs a call of Python per comparison
    if not uids:
        return []
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT uid, id FROM {quote(model._meta.db_table)} WHERE uid = ANY(string_to_array(%s, ',')::uuid[])",
                [",".join([uid.hex for uid in uids])],
            )
            return cursor.fetchall()
    found = []
    for index in range(0, len(uids), LOOKUP_CHUNK):
        found.extend(model.objects.filter(uid__in=uids[index:index + LOOKUP_CHUNK]).values_list("uid", "id"))
    return found


@contextlib.contextmanager
def page_cache():
    """SQLite: a larger page cache for the import's transaction (64 MB, against the default
    2 MB), so that index pages stay in memory instead of being spilled and read again."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


# Net allocations of container objects between two young collections during an import
# (Python's default: 700). See ``fewer_collections``.
IMPORT_GC_THRESHOLD = 50_000
_collector_lock = threading.Lock()
_collector_users = 0  # imports inside ``fewer_collections`` (the settings are the process's)
_collector_threshold: tuple[int, ...] = ()  # what the first of them found, restored by the last
_collector_froze = False  # whether the first froze the objects (none were frozen before it)


@contextlib.contextmanager
def fewer_collections():
    """The cyclic garbage collector paced for an import; memory is still freed as before.

    An import allocates millions of short-lived containers (parsed lines, checked claims,
    rows), hardly any of them in a reference cycle (about one cycle a claim). At Python's
    pace, a batch's lines live through two young collections, are promoted to the oldest
    generation, and make it large enough to be collected whole again and again; each of
    those collections walked every object of the process, Django's modules and classes
    included: 15% of the import's CPU time (0.9 s of 6.3 s for 20,000 claims).

    Inside, the objects that existed before the import are frozen (``gc.freeze``: left out
    of every collection, not freed while frozen; they were alive anyway), and the young
    generation is collected every ``IMPORT_GC_THRESHOLD`` net allocations instead of 700:
    the batches' objects are freed by their reference counts, as always, before a collection
    sees them (``gunicorn.conf.py`` paces the server's workers so, for the same reason).
    Cycles are still collected, later. On leaving, the settings are put back and
    the frozen objects returned to the collector (a process that had frozen objects itself,
    as a server may before it forks, keeps them frozen: nothing is frozen here then). The
    settings belong to the process: with several imports at once (threads), the first in
    changes them and the last out restores them."""
    global _collector_users, _collector_threshold, _collector_froze
    with _collector_lock:
        _collector_users += 1
        if _collector_users == 1:
            _collector_threshold = gc.get_threshold()
            _collector_froze = gc.get_freeze_count() == 0
            if _collector_froze:
                gc.freeze()
            gc.set_threshold(max(IMPORT_GC_THRESHOLD, _collector_threshold[0]), *_collector_threshold[1:])
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0:
                gc.set_threshold(*_collector_threshold)
                if _collector_froze:
                    gc.unfreeze()


WRITER_SWITCH_INTERVAL = 0.0005  # seconds; see WriterThread.__enter__


class WriterThread:
    """The server's share of each batch, sent from a second thread on the import's own
    connection (inside its transaction) while the main thread works in Python: the search
    index of a batch, and on PostgreSQL its rows, formatted beforehand (``RowWriter.prepare``).

    The database driver lets go of the GIL while the server works: its full-text indexing
    and its inserts overlap the parsing and checking in Python. (SQLite's row INSERTs stay in
    the main thread: they bind each row in Python, handing the GIL back and forth once a row,
    and a thread that needs it that often waits on the other.) The connection is never used
    by both threads at once: the main thread waits for the writer (``wait``) before any query
    of its own, including those the checks may need (``Resolver.barrier``).
    """

    def __init__(self, connection) -> None:
        self.connection = connection
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self.running: Future | None = None

    def __enter__(self) -> WriterThread:
        self.connection.inc_thread_sharing()
        # The writer needs the GIL for a moment between the pieces of COPY data it sends,
        # and the main thread would keep it for up to Python's switch interval (5 ms) each
        # time, the server idling meanwhile.
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(WRITER_SWITCH_INTERVAL)
        return self

    def submit(self, job: Callable[[], None]) -> None:
        self.wait()
        self.running = self.pool.submit(job)

    def wait(self) -> None:
        """Until the writer is idle; its error, if any, is raised here."""
        running, self.running = self.running, None
        if running is not None:
            running.result()

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if kind is None:
                self.wait()
            elif self.running is not None:
                # Failing already: let the writer finish before the transaction rolls back.
                concurrent.futures.wait([self.running])
                self.running = None
        finally:
            self.pool.shutdown()
            sys.setswitchinterval(self.switch_interval)
            self.connection.dec_thread_sharing()
