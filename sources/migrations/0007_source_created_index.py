"""The source list's default order (newest first) walks an index instead of sorting every source."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0006_merge_line_endings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='source',
            index=models.Index(fields=['-created_at', '-id'], name='source_created'),
        ),
    ]
