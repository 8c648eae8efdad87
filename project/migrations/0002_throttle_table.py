"""The throttles' counters (``project.cache.THROTTLE_TABLE``): one row per caller, counted
by one statement a request (``DatabaseCache.count_hit``). Created whatever ``CACHE_URL``
selects now, like the cache's own table."""

from django.db import migrations

from project.cache import THROTTLE_TABLE, throttle_table_sql


def create_table(apps, schema_editor):
    schema_editor.execute(throttle_table_sql(schema_editor.quote_name))


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(THROTTLE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("project", "0001_cache_table")]
    operations = [migrations.RunPython(create_table, drop_table)]
