"""The table of the default cache (``project.cache.DatabaseCache``): what
``createcachetable`` would make, made by ``migrate`` so that no second command is needed.
Created whatever ``CACHE_URL`` selects now, so that switching back to the embedded
default needs nothing either."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

from project.cache import CACHE_TABLE


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations = [migrations.RunPython(create_table, drop_table)]
