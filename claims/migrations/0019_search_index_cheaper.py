"""PostgreSQL: the same search documents and pairs for less of the server's work
(``claims.search_index``); no row is rewritten.

- ``claims_search_pairs_of`` in PL/pgSQL (``POSTGRESQL_PAIRS_OF``). As a SQL function with
  a subquery it was not inlined, and PostgreSQL 15 then parses and plans the SQL function
  it calls, ``claims_search_pairs``, again at every call: two thirds of the cost of writing
  a claim's pairs.
- The refresh (``POSTGRESQL_REFRESH_FUNCTION``) builds a claim's content once: as a
  subquery pulled up into its two uses, it was built twice.

Backwards, the definitions of migration 0018 are restored.
"""

from django.db import migrations

from claims import search_index

# As migration 0018 made them.
PAIRS_OF_SQL = f"""CREATE OR REPLACE FUNCTION claims_search_pairs_of(words tsvector, size integer) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT CASE
            WHEN size <= 20000 THEN array_to_tsvector(pairs)
            WHEN (SELECT coalesce(sum(octet_length(pair) + 8), 0) FROM (SELECT DISTINCT unnest(pairs) AS pair) AS each_pair)
                > 1000000
            THEN array_to_tsvector(ARRAY['{search_index.UNPAIRED}'])
            ELSE array_to_tsvector(pairs) END
        FROM claims_search_pairs(words) AS pairs
    $$"""
REFRESH_CONTENT_TWICE = """CREATE OR REPLACE FUNCTION claims_claim_search_refresh(target bigint) RETURNS void
    LANGUAGE sql AS $$
        WITH documents AS MATERIALIZED (
            SELECT c.id, c.status, c.created_at, to_tsvector('english'::regconfig, content) AS words,
                octet_length(content) AS size
            FROM claims_claim c, LATERAL (SELECT left(c.text || ' ' || coalesce(
            (SELECT string_agg(s.quote, ' ' ORDER BY e.id) FROM claims_evidence e
             JOIN sources_span s ON s.id = e.span_id WHERE e.claim_id = c.id), ''), 100000) AS content) AS claim_content
            WHERE c.id = target
        ), written AS (
            INSERT INTO claims_claim_search (claim_id, document, status, created_at)
            SELECT id, words, status, created_at FROM documents
            ON CONFLICT (claim_id) DO UPDATE SET
                document = EXCLUDED.document, status = EXCLUDED.status, created_at = EXCLUDED.created_at
        )
        INSERT INTO claims_claim_pairs (claim_id, pairs)
        SELECT id, claims_search_pairs_of(words, size) FROM documents
        ON CONFLICT (claim_id) DO UPDATE SET pairs = EXCLUDED.pairs;
    $$"""


def cheaper(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in (search_index.POSTGRESQL_PAIRS_OF, search_index.POSTGRESQL_REFRESH_FUNCTION):
            schema_editor.execute(statement, params=None)


def as_before(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in (PAIRS_OF_SQL, REFRESH_CONTENT_TWICE):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("claims", "0018_search_word_pairs")]

    operations = [migrations.RunPython(cheaper, as_before)]
