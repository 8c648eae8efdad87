"""Each delivery's own opaque id (X-Claimbase-Delivery), one for every row: added empty, each
existing row given its own (a default in AddField would give them all the same), then
required."""

import uuid

from django.db import migrations, models

BATCH = 1000


def give_each_its_own(apps, schema_editor):
    Delivery = apps.get_model("feed", "Delivery")
    pending = Delivery.objects.using(schema_editor.connection.alias).filter(uid__isnull=True)
    while batch := list(pending.only("pk")[:BATCH]):
        for delivery in batch:
            delivery.uid = uuid.uuid4()
        Delivery.objects.using(schema_editor.connection.alias).bulk_update(batch, ["uid"])


class Migration(migrations.Migration):

    dependencies = [
        ("feed", "0004_alter_webhook_last_seq"),
    ]

    operations = [
        migrations.AddField(model_name="delivery", name="uid", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(give_each_its_own, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="delivery", name="uid", field=models.UUIDField(default=uuid.uuid4, editable=False)
        ),
    ]
