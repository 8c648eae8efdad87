from django.db import migrations


def escapes_alike(apps, schema_editor):
    """The keys of URLs written with escapes, a space or letters past ASCII in their path or
    query, again: a key now writes them one way (``sources.models.url_key``), so that
    ``/d/ü.txt`` (as typed) and ``/d/%C3%BC.txt`` (as a fetch records it) are one page."""
    from sources.models import url_key

    Source = apps.get_model("sources", "Source")
    rows = Source.objects.exclude(url=None).exclude(url="").order_by("pk").values_list("pk", "url", "url_key")
    changed = [
        Source(pk=pk, url_key=url_key(url)) for pk, url, key in rows.iterator(chunk_size=1000)
        if ("%" in url or " " in url or not url.isascii()) and url_key(url) != key
    ]
    Source.objects.bulk_update(changed, ["url_key"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0013_original_charset"),
    ]

    operations = [
        migrations.RunPython(escapes_alike, migrations.RunPython.noop),
    ]
