"""Migration 0008 stores the editorial checks of the claims already in a database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("claims", "0007_redundant_indexes_dropped"), ("sources", "0003_span_source_index_dropped")]
AFTER = [("claims", "0008_claim_editorial_checks")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_stores_the_warnings_of_existing_claims():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("auth", "User")
    Source = old.get_model("sources", "Source")
    Span = old.get_model("sources", "Span")
    Claim = old.get_model("claims", "Claim")
    Evidence = old.get_model("claims", "Evidence")
    try:
        author = User.objects.create(username="migration-author")
        text = "Russia voted six times for sanctions."
        source = Source.objects.create(title="Old", text=text, text_sha256="0" * 64, text_length=len(text))
        span = Span.objects.create(source=source, start=0, end=22, quote=text[:22], prefix="", suffix=text[22:])
        flagged = Claim.objects.create(text="Russia voted seven times.", author=author, verdict="supported")
        clean = Claim.objects.create(text="Russia voted six times.", author=author, verdict="supported")
        for claim in (flagged, clean):
            Evidence.objects.create(claim=claim, span=span, stance="supports")
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("claims", "Claim")
        stored = new.objects.get(pk=flagged.pk)
        assert stored.has_checks
        assert [warning["code"] for warning in stored.check_warnings] == ["number_not_in_evidence"]
        assert not new.objects.get(pk=clean.pk).has_checks
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
