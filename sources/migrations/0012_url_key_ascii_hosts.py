from django.db import migrations


def ascii_hosts(apps, schema_editor):
    """The keys of URLs whose host is written in Unicode, again: a key now holds such a host
    as its ASCII (``sources.models.url_key``), so that both spellings of it are one page."""
    from sources.models import url_key

    Source = apps.get_model("sources", "Source")
    rows = Source.objects.exclude(url=None).exclude(url="").order_by("pk").values_list("pk", "url", "url_key")
    changed = [Source(pk=pk, url_key=url_key(url)) for pk, url, key in rows.iterator(chunk_size=1000)
               if not key.isascii() and url_key(url) != key]
    Source.objects.bulk_update(changed, ["url_key"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0011_source_url_key"),
    ]

    operations = [
        migrations.RunPython(ascii_hosts, migrations.RunPython.noop),
    ]
