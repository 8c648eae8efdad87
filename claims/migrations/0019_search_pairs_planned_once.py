"""PostgreSQL: ``claims_search_pairs_of`` in PL/pgSQL (``claims.search_index.POSTGRESQL_PAIRS_OF``).

As a SQL function with a subquery it was not inlined, and PostgreSQL 15 then parses and
plans the SQL function it calls, ``claims_search_pairs``, again at every call: two thirds of
the cost of writing a claim's pairs. The import of 90,000 claims spent most of its time in
the server there. The pairs it gives are the same; no row is rewritten.

Backwards, the SQL definition of migration 0018 is restored.
"""

from django.db import migrations

from claims import search_index

# claims_search_pairs_of as migration 0018 made it.
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


def planned_once(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(search_index.POSTGRESQL_PAIRS_OF, params=None)


def planned_every_call(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PAIRS_OF_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("claims", "0018_search_word_pairs")]

    operations = [migrations.RunPython(planned_once, planned_every_call)]
