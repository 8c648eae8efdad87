"""Claims get a ``uid``: their identity across databases in export and import (two claims
with the same author and text are two claims). Existing rows get a fresh one each."""

import uuid

from django.db import migrations, models

from project.sqlite_schema import triggers_set_aside

BATCH = 1000
SET_ASIDE, RESTORE = triggers_set_aside("claims_claim")


def assign_uids(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    pending = Claim.objects.filter(uid__isnull=True).order_by("pk")
    while batch := list(pending.only("pk")[:BATCH]):
        for row in batch:
            row.uid = uuid.uuid4()
        Claim.objects.bulk_update(batch, ["uid"])


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0007_redundant_indexes_dropped"),
    ]

    operations = [
        migrations.AddField(model_name="claim", name="uid", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(assign_uids, migrations.RunPython.noop, elidable=True),
        SET_ASIDE,
        migrations.AlterField(
            model_name="claim", name="uid", field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
        ),
        RESTORE,
    ]
