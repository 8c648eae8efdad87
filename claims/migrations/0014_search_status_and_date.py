"""PostgreSQL: each search document carries its claim's status and creation time.

A search with few matches (``claims.fast_list``) picks its page among them by status and
creation time. Read from ``claims_claim``, that is a primary-key look-up of every match: at a
million claims, 5,733 look-ups for a word like "Gazprom", half of the query's time with the
default shared buffers. With the two columns beside the document, the bitmap scan that finds
the matches already reads them.

This migration adds the columns (nullable: instant, whatever the size of the table), makes
the document refresh fill them (``claims.search_index``, the one definition of the SQL) and
adds the trigger that copies them whenever either changes on ``claims_claim``. From its
commit on, every new or changed claim is copied; ``0015`` fills the rows written before,
batch by batch, while the site keeps serving. SQLite needs nothing: its FTS5 index yields
matches newest first.

The functions are created from their current definitions in ``claims.search_index``: a
later change to them comes with a migration of its own, and must still create here
against the columns this migration adds (every test run migrates a fresh database).
"""

from django.db import migrations

from claims import search_index

FORWARD = [
    "ALTER TABLE claims_claim_search ADD COLUMN status varchar(20), ADD COLUMN created_at timestamptz",
    *search_index.POSTGRESQL_FUNCTIONS,
    search_index.POSTGRESQL_STATE_TRIGGER,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS claims_claim_search_state ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_claim_search_on_state()",
    # The refresh as it was before the columns.
    """CREATE OR REPLACE FUNCTION claims_claim_search_refresh(target bigint) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO claims_claim_search (claim_id, document)
        SELECT c.id, to_tsvector('english'::regconfig, left(c.text || ' ' || coalesce(
            (SELECT string_agg(s.quote, ' ' ORDER BY e.id) FROM claims_evidence e
             JOIN sources_span s ON s.id = e.span_id WHERE e.claim_id = c.id), ''), 100000))
        FROM claims_claim c WHERE c.id = target
        ON CONFLICT (claim_id) DO UPDATE SET document = EXCLUDED.document;
    $$""",
    "ALTER TABLE claims_claim_search DROP COLUMN status, DROP COLUMN created_at",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("claims", "0013_search_statistics")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD))]
