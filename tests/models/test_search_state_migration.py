"""Migrations 0014 and 0015 give the search rows already written their claim's status and
creation time, online (PostgreSQL; SQLite's index has no such copy)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.support import search_rows_out_of_step

BEFORE = [("claims", "0013_search_statistics")]
AFTER = [("claims", "0015_search_status_and_date_filled")]

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search rows")


def _not_null_columns() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'claims_claim_search'::regclass "
            "AND attname IN ('status', 'created_at') AND attnotnull"
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migrations_fill_the_rows_written_before_them(monkeypatch):
    fill = __import__("claims.migrations.0015_search_status_and_date_filled", fromlist=["BATCH"])
    monkeypatch.setattr(fill, "BATCH", 2)  # several batches, and a last one cut short
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User, Claim = old.get_model("auth", "User"), old.get_model("claims", "Claim")
    try:
        author = User.objects.create(username="migration-author")
        reviewer = User.objects.create(username="migration-reviewer")
        for number, status in enumerate(["draft", "in_review", "published", "rejected", "draft"]):
            claim = Claim.objects.create(text=f"Claim number {number}.", author=author, status=status,
                                         reviewer=reviewer if status in ("published", "rejected") else None,
                                         confidence="high" if status == "published" else "")
            Claim.objects.filter(pk=claim.pk).update(created_at=dt.datetime(2020, 1, 1 + number, tzinfo=dt.UTC))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM claims_claim_search WHERE claim_id IN (SELECT id FROM claims_claim)")
            assert cursor.fetchone()[0] == 5
            # A row whose claim is gone cannot be filled: it is dropped.
            cursor.execute("INSERT INTO claims_claim_search (claim_id, document) VALUES (987654321, '')")
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        assert search_rows_out_of_step() == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM claims_claim_search WHERE claim_id = 987654321")
            assert cursor.fetchone()[0] == 0
        assert _not_null_columns() == {"status", "created_at"}
        # Back, and forward again: the columns go, then come back filled.
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        assert search_rows_out_of_step() == []
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
