"""PostgreSQL: the search rows written before ``0014`` get their claim's status and creation
time, then the two columns become NOT NULL. Online, whatever the size of the database:

- the rows are filled ``BATCH`` claim ids at a time, each batch its own short transaction
  (row locks only), so that searches and claim writes go on meanwhile. A row the trigger
  of ``0014`` already filled is left alone: a claim changed while a batch runs keeps its
  newest values, whichever statement comes first (the batch skips a row the trigger has
  filled; the trigger's later update overwrites the batch's);
- NOT NULL is proven by a CHECK constraint added NOT VALID and validated without blocking
  writes; ``SET NOT NULL`` then uses it instead of scanning the table under an exclusive
  lock, and the constraint is dropped.

In one transaction, the same work held an exclusive lock on the search table for 83 s at a
million claims (every search and every claim write waiting); this way it takes 81 s, and
no statement holds more than a batch's rows (bench/RESULTS.md).
"""

from django.db import migrations

BATCH = 20_000
CONSTRAINT = "claims_claim_search_state_filled"


def fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        low = -1
        while True:
            # The batch's last id, by the primary key: ids may be far apart.
            cursor.execute(
                "SELECT max(claim_id) FROM (SELECT claim_id FROM claims_claim_search WHERE claim_id > %s "
                "ORDER BY claim_id LIMIT %s) AS batch",
                [low, BATCH],
            )
            high = cursor.fetchone()[0]
            if high is None:
                break
            cursor.execute(
                "UPDATE claims_claim_search s SET status = c.status, created_at = c.created_at "
                "FROM claims_claim c WHERE c.id = s.claim_id AND s.claim_id > %s AND s.claim_id <= %s "
                "AND s.status IS NULL",
                [low, high],
            )
            low = high
        # A row written meanwhile without them (by the previous release's importer) is filled
        # by a last sweep; one whose claim is gone (the delete trigger removes them; none
        # should be left) cannot be, and is dropped rather than let the constraint fail.
        cursor.execute(
            "UPDATE claims_claim_search s SET status = c.status, created_at = c.created_at "
            "FROM claims_claim c WHERE c.id = s.claim_id AND (s.status IS NULL OR s.created_at IS NULL)"
        )
        cursor.execute(
            "DELETE FROM claims_claim_search s WHERE (s.status IS NULL OR s.created_at IS NULL) "
            "AND NOT EXISTS (SELECT 1 FROM claims_claim c WHERE c.id = s.claim_id)"
        )
        cursor.execute(
            f"ALTER TABLE claims_claim_search ADD CONSTRAINT {CONSTRAINT} "
            "CHECK (status IS NOT NULL AND created_at IS NOT NULL) NOT VALID"
        )
        cursor.execute(f"ALTER TABLE claims_claim_search VALIDATE CONSTRAINT {CONSTRAINT}")
        cursor.execute(
            "ALTER TABLE claims_claim_search ALTER COLUMN status SET NOT NULL, ALTER COLUMN created_at SET NOT NULL"
        )
        cursor.execute(f"ALTER TABLE claims_claim_search DROP CONSTRAINT {CONSTRAINT}")


def nullable(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE claims_claim_search ALTER COLUMN status DROP NOT NULL, ALTER COLUMN created_at DROP NOT NULL"
        )


class Migration(migrations.Migration):
    # Each batch commits on its own (the connection is in autocommit outside a transaction).
    atomic = False

    dependencies = [("claims", "0014_search_status_and_date")]

    operations = [migrations.RunPython(fill, nullable, atomic=False)]
