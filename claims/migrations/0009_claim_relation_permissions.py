"""Analysts and Reviewers may record, view and remove relations between claims (the services
decide which ones: see ``claims.relation_services``)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["add_claimrelation", "view_claimrelation", "delete_claimrelation"]


def _permissions(apps):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    app_config = apps.get_app_config("claims")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return list(Permission.objects.filter(content_type__app_label="claims", codename__in=CODENAMES))


def grant(apps, schema_editor):
    permissions = _permissions(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Analysts", "Reviewers"]):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    permissions = _permissions(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Analysts", "Reviewers"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("claims", "0008_claim_relation")]

    operations = [migrations.RunPython(grant, revoke)]
