"""Sources and spans get a ``uid``: their identity across databases in export and import.
Existing rows get a fresh one each, before the column becomes unique and required."""

import uuid

from django.db import migrations, models

from project.sqlite_schema import triggers_set_aside

BATCH = 1000
SET_ASIDE, RESTORE = triggers_set_aside("sources_span", "sources_source")


def assign_uids(apps, schema_editor):
    for name in ("Source", "Span"):
        model = apps.get_model("sources", name)
        pending = model.objects.filter(uid__isnull=True).order_by("pk")
        while batch := list(pending.only("pk")[:BATCH]):
            for row in batch:
                row.uid = uuid.uuid4()
            model.objects.bulk_update(batch, ["uid"])


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0003_span_source_index_dropped"),
    ]

    operations = [
        migrations.AddField(model_name="source", name="uid", field=models.UUIDField(null=True, editable=False)),
        migrations.AddField(model_name="span", name="uid", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(assign_uids, migrations.RunPython.noop, elidable=True),
        SET_ASIDE,
        migrations.AlterField(
            model_name="source", name="uid", field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
        ),
        migrations.AlterField(
            model_name="span", name="uid", field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
        ),
        RESTORE,
    ]
