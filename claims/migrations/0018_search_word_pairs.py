"""PostgreSQL: the pairs of adjacent words of each search document, in a table of their own
with a GIN index, so that a phrase is found from the index (``claims.search_index``,
``claims.search``).

At a million claims, ``"oil exports"`` had PostgreSQL read the 11,164 documents holding both
words, on 10,514 pages, to find the 126 where they are adjacent: about 50 ms with the
default shared buffers. With the pair ``'oil export'`` in an index, it reads those 126.

This migration creates the table and the functions (``claims_search_pairs_of``, which the
refresh that every trigger and the importer use now calls too), then writes the pairs of
the claims already there, ``BATCH`` claims at a time, each batch its own short transaction,
so that searches and claim writes go on meanwhile: a claim written during the migration gets
its pairs from its trigger, and a batch writes the same pairs again. Until the new release
serves, the previous one searches the documents as before; they are not rewritten.

Backwards, the table goes and the refresh and delete trigger of ``0014`` are restored.
"""

from django.db import migrations

from claims import search_index

BATCH = 20_000

# The refresh and the claims' trigger function as migration 0014 made them: no pairs.
WITHOUT_PAIRS = [
    """CREATE OR REPLACE FUNCTION claims_claim_search_refresh(target bigint) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO claims_claim_search (claim_id, document, status, created_at)
        SELECT c.id, to_tsvector('english'::regconfig, left(c.text || ' ' || coalesce(
            (SELECT string_agg(s.quote, ' ' ORDER BY e.id) FROM claims_evidence e
             JOIN sources_span s ON s.id = e.span_id WHERE e.claim_id = c.id), ''), 100000)),
            c.status, c.created_at
        FROM claims_claim c WHERE c.id = target
        ON CONFLICT (claim_id) DO UPDATE SET
            document = EXCLUDED.document, status = EXCLUDED.status, created_at = EXCLUDED.created_at;
    $$""",
    """CREATE OR REPLACE FUNCTION claims_claim_search_on_claim() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM claims_claim_search WHERE claim_id = OLD.id;
            RETURN OLD;
        END IF;
        IF TG_OP = 'INSERT' AND coalesce(current_setting('claimbase.search_deferred', true), '') = 'on' THEN
            RETURN NEW;
        END IF;
        PERFORM claims_claim_search_refresh(NEW.id);
        RETURN NEW;
    END $$""",
    "DROP TABLE IF EXISTS claims_claim_pairs",
    "DROP FUNCTION IF EXISTS claims_search_pairs_of(tsvector, integer)",
    "DROP FUNCTION IF EXISTS claims_search_pairs(tsvector)",
]


def with_pairs(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in search_index.POSTGRESQL_FUNCTIONS:
            cursor.execute(statement)
        low = -1
        while True:
            # The batch's last id, by the primary key: ids may be far apart.
            cursor.execute(
                "SELECT max(id) FROM (SELECT id FROM claims_claim WHERE id > %s ORDER BY id LIMIT %s) AS batch",
                [low, BATCH],
            )
            high = cursor.fetchone()[0]
            if high is None:
                break
            cursor.execute(search_index.postgresql_pairs_fill("c.id > %s AND c.id <= %s"), [low, high])
            low = high
        cursor.execute("ANALYZE claims_claim_pairs")


def without_pairs(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in WITHOUT_PAIRS:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    # Each batch commits on its own (the connection is in autocommit outside a transaction).
    atomic = False

    dependencies = [("claims", "0017_notes_have_a_length")]

    operations = [migrations.RunPython(with_pairs, without_pairs)]
