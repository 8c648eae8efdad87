"""PostgreSQL: let a bulk writer index a batch of new claims at once.

The search triggers of ``0003_search`` rebuild a claim's document for every inserted claim
and evidence row: right for one claim saved through the API, ten times the cost of one
``INSERT ... SELECT`` over a batch for an import. With this migration the two trigger
functions skip inserts while the transaction-local setting ``claimbase.search_deferred`` is
``on`` (``SET LOCAL``: it ends with the transaction, and no other connection sees it);
whoever sets it indexes its new claims itself (``claims.transfer.rows.SearchIndexDeferral``).
Updates and deletes are always indexed by the triggers. SQLite needs nothing here: the
importer drops and recreates its insert triggers inside its own transaction.
"""

import importlib

from django.db import migrations

search = importlib.import_module("claims.migrations.0003_search")

DEFERRED = "coalesce(current_setting('claimbase.search_deferred', true), '') = 'on'"

FORWARD = [
    f"""CREATE OR REPLACE FUNCTION claims_claim_search_on_claim() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM claims_claim_search WHERE claim_id = OLD.id;
            RETURN OLD;
        END IF;
        IF TG_OP = 'INSERT' AND {DEFERRED} THEN
            RETURN NEW;
        END IF;
        PERFORM claims_claim_search_refresh(NEW.id);
        RETURN NEW;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION claims_claim_search_on_evidence() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' AND {DEFERRED} THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM claims_claim_search_refresh(OLD.claim_id);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM claims_claim_search_refresh(NEW.claim_id);
        END IF;
        RETURN NULL;
    END $$""",
]

# The functions as 0003 created them.
BACKWARD = [
    statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    for statement in search.POSTGRESQL_FORWARD
    if statement.startswith("CREATE FUNCTION claims_claim_search_on_")
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_analysts_delete_unused_sources")]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
    ]
