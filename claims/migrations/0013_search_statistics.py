"""PostgreSQL: finer planner statistics for the search documents.

A full-text query on the claim list either reads its matches and sorts them, or walks the
creation-time index (``claims.search``); which costs less depends on how many claims the
query matches, and the planner's estimate is what tells it before any match is read. At
the default statistics target, ANALYZE keeps the frequencies of about 1,000 lexemes (at a
million claims, those in 0.6% of the documents or more) and guesses every other word at
about 3,000 matches, so a word in 6,000 claims and one in 300 look alike. At 1,000, it
keeps 10,000 lexemes, down to one document in 2,000, and the estimates of the bench's
words come within a few percent of their counts. ANALYZE then samples 300,000 rows
instead of 30,000 (about a second at a million claims).
"""

from django.db import migrations

TARGET = 1000


def finer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE claims_claim_search ALTER COLUMN document SET STATISTICS {TARGET}")


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE claims_claim_search ALTER COLUMN document SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("claims", "0012_pg_trgm_dropped")]

    operations = [migrations.RunPython(finer, default)]
