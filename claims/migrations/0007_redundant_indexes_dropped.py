"""Indexes that composite indexes or unique constraints make redundant, dropped: every insert
maintained them for nothing. The state changes to ``db_index=False``; see
``project.schema.single_column_indexes_dropped``."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from project.schema import single_column_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_search_deferral"),
        ("sources", "0003_span_source_index_dropped"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                single_column_indexes_dropped(
                    "claims",
                    [
                        ("claim", "author"),
                        ("claim", "created_at"),
                        ("evidence", "claim"),
                        ("evidence", "span"),
                        ("historicalclaim", "author"),
                        ("historicalclaim", "created_at"),
                        ("historicalclaim", "reviewer"),
                        ("historicalclaim", "supersedes"),
                        ("review", "claim"),
                    ],
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="claim",
                    name="author",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="authored_claims",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="claim",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="evidence",
                    name="claim",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence",
                        to="claims.claim",
                    ),
                ),
                migrations.AlterField(
                    model_name="evidence",
                    name="span",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evidence",
                        to="sources.span",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalclaim",
                    name="author",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalclaim",
                    name="created_at",
                    field=models.DateTimeField(blank=True, editable=False),
                ),
                migrations.AlterField(
                    model_name="historicalclaim",
                    name="reviewer",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalclaim",
                    name="supersedes",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="The claim this one corrects; it is retracted when this one is published.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="claims.claim",
                    ),
                ),
                migrations.AlterField(
                    model_name="review",
                    name="claim",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviews",
                        to="claims.claim",
                    ),
                ),
            ],
        ),
    ]
