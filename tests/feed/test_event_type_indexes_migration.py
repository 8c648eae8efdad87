"""Migration feed 0009 builds the types' indexes without locking the events against writes
on PostgreSQL (every change writes an event: a million events had held writers for 4 s),
and goes back and forth on both engines."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("feed", "0008_webhook_sent_numbering")]
AFTER = [("feed", "0009_event_type_indexes")]


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "feed_event"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_types_indexes_are_built_without_a_lock_against_writers_and_dropped_again():
    sql = io.StringIO()
    call_command("sqlmigrate", "feed", "0009_event_type_indexes", stdout=sql)
    statements = [line for line in sql.getvalue().splitlines() if line.startswith("CREATE INDEX")]
    assert len(statements) == 2
    if connection.vendor == "postgresql":
        assert all(line.startswith("CREATE INDEX CONCURRENTLY") for line in statements), statements
        assert "BEGIN" not in sql.getvalue()  # CONCURRENTLY runs outside a transaction
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        assert not {"event_type_seq", "event_type_public_seq"} & _indexes()
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        assert {"event_type_seq", "event_type_public_seq"} <= _indexes()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
