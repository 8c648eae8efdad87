"""pg_trgm was installed for a near-duplicate detection that the similar-claims lookup does
without (claims/similar.py reranks full-text candidates in Python): nothing uses it."""

from django.db import migrations


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP EXTENSION IF EXISTS pg_trgm")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("claims", "0011_merge_relations")]

    operations = [migrations.RunPython(drop, create, elidable=True)]
