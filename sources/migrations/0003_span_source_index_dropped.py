"""Indexes that composite indexes or unique constraints make redundant, dropped: every insert
maintained them for nothing. The state changes to ``db_index=False``; see
``project.schema.single_column_indexes_dropped``."""

import django.db.models.deletion
from django.db import migrations, models

from project.schema import single_column_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0002_source_url_unique_message"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                single_column_indexes_dropped(
                    "sources",
                    [("span", "source")],
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="span",
                    name="source",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="spans",
                        to="sources.source",
                    ),
                ),
            ],
        ),
    ]
