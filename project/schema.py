"""Schema operations that Django's migrations do not express the way we need them."""

from __future__ import annotations

from django.db import migrations


def single_column_indexes_dropped(app_label: str, fields: list[tuple[str, str]]) -> migrations.RunPython:
    """Drop the index Django made for each ``(model, field)`` (a foreign key's, or
    ``db_index=True``), and make it again on the way back.

    For ``SeparateDatabaseAndState``, with the ``AlterField(db_index=False)`` as state: that
    operation alone makes SQLite rebuild the whole table, which for the claims would also
    drop the full-text triggers of ``claims.0003_search``; dropping an index is all it takes.
    """

    def targets(apps, schema_editor):
        for model_name, field_name in fields:
            model = apps.get_model(app_label, model_name)
            column = model._meta.get_field(field_name).column
            table = model._meta.db_table
            yield table, column, schema_editor._create_index_name(table, [column], suffix="")

    def forward(apps, schema_editor):
        for _, _, name in targets(apps, schema_editor):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def backward(apps, schema_editor):
        quote = schema_editor.quote_name
        for table, column, name in targets(apps, schema_editor):
            schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")

    return migrations.RunPython(forward, backward)
