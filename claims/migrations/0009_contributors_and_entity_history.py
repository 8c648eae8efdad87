"""Who contributed to each claim (the four-eyes rule binds them), recorded from now on by
the services; for existing claims, derived from what the history already says: the author,
whoever edited its content, whoever added, changed or removed its evidence. Entities get a
field history."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


CONTENT_REASONS = ("Content edited", "Evidence added", "Evidence edited", "Evidence removed")


def contributors_from_history(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    ClaimContributor = apps.get_model("claims", "ClaimContributor")
    pairs = set(Claim.objects.values_list("id", "author_id"))
    edits = apps.get_model("claims", "HistoricalClaim").objects.filter(history_change_reason__in=CONTENT_REASONS, history_user__isnull=False)
    pairs.update(edits.values_list("id", "history_user_id").distinct())
    evidence = apps.get_model("claims", "HistoricalEvidence").objects.filter(history_user__isnull=False, claim__isnull=False)
    pairs.update(evidence.values_list("claim_id", "history_user_id").distinct())
    existing = set(Claim.objects.values_list("id", flat=True))
    rows = [ClaimContributor(claim_id=claim_id, user_id=user_id) for claim_id, user_id in sorted(pairs) if claim_id in existing]
    ClaimContributor.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0008_claim_uid'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalEntity',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(max_length=300)),
                ('slug', models.SlugField(max_length=300)),
                ('kind', models.CharField(choices=[('country', 'Country'), ('person', 'Person'), ('organization', 'Organization'), ('event', 'Event'), ('other', 'Other')], default='other', max_length=20)),
                ('wikidata_id', models.CharField(blank=True, max_length=20, validators=[django.core.validators.RegexValidator('^Q[1-9][0-9]*$', 'A Wikidata id looks like Q159.')])),
                ('aliases', models.JSONField(blank=True, default=list)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical entity',
                'verbose_name_plural': 'historical entities',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ClaimContributor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_contributed_at', models.DateTimeField(auto_now_add=True)),
                ('claim', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='contributions', to='claims.claim')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['claim_id', 'first_contributed_at', 'id'],
                'constraints': [models.UniqueConstraint(fields=('claim', 'user'), name='claim_contributor_once')],
            },
        ),
        migrations.RunPython(contributors_from_history, migrations.RunPython.noop, elidable=True),
    ]
