"""Every foreign key and sorted column is served by an index that leads with it, and by one
only: redundant single-column indexes cost every insert (migrations claims 0007, sources 0003)."""

from __future__ import annotations

import pytest
from django.db import connection

from claims.models import Claim, Evidence, Review
from sources.models import Source, Span

pytestmark = pytest.mark.django_db

LEADING = [
    (Claim, "author_id"),
    (Claim, "created_at"),
    (Evidence, "claim_id"),
    (Evidence, "span_id"),
    (Review, "claim_id"),
    (Span, "source_id"),
    (Source, "created_at"),
]


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name: info["columns"] for name, info in constraints.items() if info["index"] or info["unique"]}


@pytest.mark.parametrize(("model", "column"), LEADING, ids=[f"{m.__name__}.{c}" for m, c in LEADING])
def test_a_composite_index_leads_with_the_column_and_no_single_column_index_duplicates_it(model, column):
    indexes = _indexes(model._meta.db_table)
    leading = [name for name, columns in indexes.items() if columns and columns[0] == column]
    assert any(len(indexes[name]) > 1 for name in leading), (column, indexes)
    assert not [name for name in leading if indexes[name] == [column]], (column, indexes)


def test_the_history_keeps_its_lookup_indexes_only():
    indexes = _indexes(Claim.history.model._meta.db_table)
    single = {columns[0] for columns in indexes.values() if len(columns) == 1}
    assert {"id", "history_date"} <= single
    assert not single & {"author_id", "reviewer_id", "supersedes_id", "created_at"}
