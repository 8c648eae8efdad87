"""Public events get numbers of their own (``public_seq``), which anonymous callers see and
page by; the events already numbered get theirs in ``seq`` order."""

from django.db import migrations, models

BATCH = 1000


def number_public_events(apps, schema_editor):
    Event = apps.get_model("feed", "Event")
    events = Event.objects.using(schema_editor.connection.alias)
    table = schema_editor.quote_name(Event._meta.db_table)
    number, last_seq = 0, 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            batch = list(
                events.filter(public=True, seq__gt=last_seq).order_by("seq").values_list("id", "seq")[:BATCH]
            )
            if not batch:
                return
            rows = [(number + position, pk) for position, (pk, _) in enumerate(batch, start=1)]
            cursor.executemany(f"UPDATE {table} SET public_seq = %s WHERE id = %s", rows)
            number += len(batch)
            last_seq = batch[-1][1]


class Migration(migrations.Migration):

    dependencies = [
        ("feed", "0002_delivery_skipped"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="event",
            name="event_public_seq",
        ),
        migrations.AddField(
            model_name="event",
            name="public_seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.RunPython(number_public_events, migrations.RunPython.noop, elidable=True),
    ]
