"""Bulk writing for the import: plain multi-row INSERTs, and the search index per batch."""

from __future__ import annotations

import datetime as dt
import importlib

from django.db import connection, models


class SearchIndexBatch:
    """On SQLite, index a batch of new claims in one statement instead of by trigger.

    The full-text triggers of migration ``0003_search`` index one row per statement, and
    FTS5 pays a flush for each: about ten times the cost of one ``INSERT ... SELECT`` over the
    batch. Inside the batch's transaction (which holds SQLite's write lock, and whose schema
    changes no other connection sees before commit) the two insert triggers are dropped, the
    batch's documents are written with the migration's own statement, and the triggers are
    created again from the migration. On PostgreSQL the triggers run as usual.
    """

    TRIGGERS = ("claims_claim_fts_insert", "claims_evidence_fts_insert")

    def __init__(self, claim_ids: list[int]) -> None:
        self.claim_ids = claim_ids
        self.active = connection.vendor == "sqlite" and bool(claim_ids)

    def __enter__(self):
        if self.active:
            self.migration = importlib.import_module("claims.migrations.0003_search")
            with connection.cursor() as cursor:
                for name in self.TRIGGERS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if not self.active or kind is not None:
            return  # on error the transaction rolls back, triggers included
        fill = self.migration.SQLITE_FORWARD[-1]  # "INSERT INTO claims_claim_fts ... FROM claims_claim c"
        with connection.cursor() as cursor:
            cursor.execute(fill + " WHERE c.id BETWEEN %s AND %s", [self.claim_ids[0], self.claim_ids[-1]])
            for statement in self.migration.SQLITE_TRIGGERS:
                if any(f"TRIGGER {name} " in statement for name in self.TRIGGERS):
                    cursor.execute(statement)


def _sqlite_datetime(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, ``str``), without
    its per-value settings lookups: a batch has a hundred thousand of them."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value)


class RowWriter:
    """Plain multi-row INSERTs with ids reserved up front, for the import's volume: the ORM's
    per-object work costs more than the database's. Values must already be valid (the
    ``Resolver`` checked them); the database's constraints still hold them."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.adapt_datetime = _sqlite_datetime if self.vendor == "sqlite" else connection.ops.adapt_datetimefield_value
        self.adapt_date = connection.ops.adapt_datefield_value

    def allocate(self, model, count: int) -> list[int]:
        if not count:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(table), count],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so the ids past
            # the largest ever used (AUTOINCREMENT keeps it in sqlite_sequence) are ours.
            cursor.execute(
                f"SELECT max(coalesce((SELECT max(id) FROM {connection.ops.quote_name(table)}), 0), "
                "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))

    def insert(self, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        # Dates and datetimes as the backend stores them; the same value (the batch's "now")
        # is adapted once.
        fields = {field.attname: field for field in model._meta.concrete_fields}
        adapters = []
        for index, column in enumerate(columns):
            field = fields[column]
            if isinstance(field, models.DateTimeField):
                adapters.append((index, self.adapt_datetime))
            elif isinstance(field, models.DateField):
                adapters.append((index, self.adapt_date))
        if adapters:
            memo: dict = {}
            converted = []
            for row in rows:
                row = list(row)
                for index, adapt in adapters:
                    value = row[index]
                    if value is not None:
                        key = (index, value)
                        if key not in memo:
                            memo[key] = adapt(value)
                        row[index] = memo[key]
                converted.append(row)
            rows = converted
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def insert_dicts(self, model, rows: list[dict]) -> None:
        """Rows given by attribute name; every concrete column but an auto id is written."""
        if not rows:
            return
        columns = tuple(field.attname for field in model._meta.concrete_fields if field.attname in rows[0])
        missing = {field.attname for field in model._meta.concrete_fields} - set(columns) - {model._meta.pk.attname}
        if missing:
            raise ValueError(f"{model.__name__}: no values for {', '.join(sorted(missing))}")
        self.insert(model, columns, [tuple(row[name] for name in columns) for row in rows])
