"""PostgreSQL: each search document also holds the pairs of adjacent words it contains, so
that a phrase is found from the GIN index (``claims.search_index``, ``claims.search``).

At a million claims, ``"oil exports"`` had PostgreSQL read the 11,164 documents holding both
words, on 10,514 pages, to find the 126 where they are adjacent: 70 ms with the default
shared buffers. With the pair ``'oil export'`` in the index, it reads those 126.

This migration replaces the document's definition (``claims_search_document``, called by the
refresh that every trigger and the importer use), then writes the documents again, ``BATCH``
claims at a time, each batch its own short transaction, so that searches and claim writes go
on meanwhile: a claim written during the migration gets the new document from its trigger,
and a batch writes the same document again. Until the new release serves, the previous one
searches these documents as before: a pair is a lexeme no query of its can name.

Backwards, the pairs are taken out again, batch by batch, and the refresh of ``0014`` is
restored.
"""

from django.db import migrations

from claims import search_index

BATCH = 20_000

# The refresh as migration 0014 made it: words only.
REFRESH_WITHOUT_PAIRS = """CREATE OR REPLACE FUNCTION claims_claim_search_refresh(target bigint) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO claims_claim_search (claim_id, document, status, created_at)
        SELECT c.id, to_tsvector('english'::regconfig, left(c.text || ' ' || coalesce(
            (SELECT string_agg(s.quote, ' ' ORDER BY e.id) FROM claims_evidence e
             JOIN sources_span s ON s.id = e.span_id WHERE e.claim_id = c.id), ''), 100000)),
            c.status, c.created_at
        FROM claims_claim c WHERE c.id = target
        ON CONFLICT (claim_id) DO UPDATE SET
            document = EXCLUDED.document, status = EXCLUDED.status, created_at = EXCLUDED.created_at;
    $$"""


def _batches(cursor, table: str, column: str):
    """``(low, high]`` ranges of ``column`` covering ``table``, ``BATCH`` rows each."""
    low = -1
    while True:
        cursor.execute(
            f"SELECT max({column}) FROM (SELECT {column} FROM {table} WHERE {column} > %s "
            f"ORDER BY {column} LIMIT %s) AS batch",
            [low, BATCH],
        )
        high = cursor.fetchone()[0]
        if high is None:
            return
        yield low, high
        low = high


def with_pairs(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in search_index.POSTGRESQL_FUNCTIONS:
            cursor.execute(statement)
        for low, high in _batches(cursor, "claims_claim", "id"):
            cursor.execute(search_index.postgresql_fill("c.id > %s AND c.id <= %s"), [low, high])


def without_pairs(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(REFRESH_WITHOUT_PAIRS)
        for low, high in _batches(cursor, "claims_claim_search", "claim_id"):
            # Every lexeme with a space is a pair (or the mark of a document without them).
            cursor.execute(
                "UPDATE claims_claim_search SET document = ts_delete(document, "
                "ARRAY(SELECT lexeme FROM unnest(document) WHERE strpos(lexeme, ' ') > 0)) "
                "WHERE claim_id > %s AND claim_id <= %s",
                [low, high],
            )
        cursor.execute("DROP FUNCTION IF EXISTS claims_search_document(text)")
        cursor.execute("DROP FUNCTION IF EXISTS claims_search_pairs(tsvector)")


class Migration(migrations.Migration):
    # Each batch commits on its own (the connection is in autocommit outside a transaction).
    atomic = False

    dependencies = [("claims", "0017_notes_have_a_length")]

    operations = [migrations.RunPython(with_pairs, without_pairs)]
