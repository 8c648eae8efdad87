"""Analysts may delete sources: the services still refuse any source that has spans (409),
so only a source nothing cites can go."""

from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="sources", codename="delete_source")
    for group in Group.objects.filter(name__in=["Analysts", "Reviewers"]):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="sources", codename="delete_source")
    for group in Group.objects.filter(name__in=["Analysts", "Reviewers"]):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_claim_author_text")]

    operations = [migrations.RunPython(grant, revoke)]
