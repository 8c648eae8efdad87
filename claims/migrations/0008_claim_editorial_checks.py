"""The editorial checks' warnings, stored on each claim (see ``claims/editorial.py``).

On SQLite, adding a column with a default rebuilds ``claims_claim``, which the full-text
triggers of 0003 name: they are dropped first and created again after (as 0003 asks).
"""

import importlib

from django.db import migrations, models

SEARCH = importlib.import_module("claims.migrations.0003_search")


def _on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


DROP_TRIGGERS = _on_sqlite([statement for statement in SEARCH.SQLITE_BACKWARD if "DROP TRIGGER" in statement])
CREATE_TRIGGERS = _on_sqlite(SEARCH.SQLITE_TRIGGERS)


def store_checks(apps, schema_editor):
    """Run the editorial checks over the claims already there."""
    from claims.checks import run_checks
    from claims.editorial import chunks, read_facts

    Claim = apps.get_model("claims", "Claim")
    Evidence = apps.get_model("claims", "Evidence")
    Source = apps.get_model("sources", "Source")
    ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    for batch in chunks(ids):
        facts = read_facts(batch, claim_model=Claim, evidence_model=Evidence, source_model=Source)
        updates = []
        for pk, claim_facts in facts.items():
            warnings = run_checks(claim_facts)
            if warnings:
                updates.append(Claim(pk=pk, check_warnings=warnings, has_checks=True))
        Claim.objects.bulk_update(updates, ["check_warnings", "has_checks"])


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0007_redundant_indexes_dropped"),
        ("sources", "0003_span_source_index_dropped"),
    ]

    operations = [
        migrations.RunPython(DROP_TRIGGERS, CREATE_TRIGGERS),
        migrations.AddField(
            model_name="claim",
            name="check_warnings",
            field=models.JSONField(default=list, editable=False),
        ),
        migrations.AddField(
            model_name="claim",
            name="has_checks",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("has_checks", True)), fields=["has_checks"], name="claim_has_checks"
            ),
        ),
        migrations.RunPython(CREATE_TRIGGERS, DROP_TRIGGERS),
        migrations.RunPython(store_checks, migrations.RunPython.noop, elidable=True),
    ]
