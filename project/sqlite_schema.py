"""Migrations that rebuild a table on SQLite, where triggers would stop them.

SQLite alters a column by copying the table and renaming the copy; a trigger of another
table that names the table being renamed makes the rename fail, and the table's own
triggers go with the old copy. ``triggers_set_aside(table)`` gives the two operations to
put around such a change: the first drops every trigger that names the table (keeping
their SQL), the second creates them again as they were. Nothing on other databases.
"""

from __future__ import annotations

from django.db import migrations


def triggers_set_aside(*tables: str) -> tuple[migrations.RunPython, migrations.RunPython]:
    kept: list[tuple[str, str]] = []

    def set_aside(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            triggers = [(name, sql) for name, sql in cursor.fetchall() if any(table in sql for table in tables)]
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        kept[:] = triggers

    def restore(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            for _, sql in kept:
                cursor.execute(sql)
        kept.clear()

    return (
        migrations.RunPython(set_aside, restore, elidable=False),
        migrations.RunPython(restore, set_aside, elidable=False),
    )
