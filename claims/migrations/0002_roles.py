"""Create the roles: Analysts and Reviewers, with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ANALYST_PERMISSIONS = [
    ("sources", "source", ["add", "change", "view"]),
    ("sources", "span", ["add", "change", "delete", "view"]),
    ("claims", "entity", ["add", "change", "view"]),
    ("claims", "claim", ["add", "change", "delete", "view"]),
    ("claims", "evidence", ["add", "change", "delete", "view"]),
    ("claims", "review", ["view"]),
]
REVIEWER_EXTRA = [("claims", "claim", ["review"])]


def _permissions(apps, spec):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, model, actions in spec:
        for action in actions:
            codename = "review_claim" if action == "review" else f"{action}_{model}"
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return found


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    analysts, _ = Group.objects.get_or_create(name="Analysts")
    analysts.permissions.set(_permissions(apps, ANALYST_PERMISSIONS))
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    reviewers.permissions.set(_permissions(apps, ANALYST_PERMISSIONS + REVIEWER_EXTRA))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Analysts", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
