# A delivery queued, then not sent: the webhook no longer wants its event. (Choices only: no SQL.)

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('feed', '0001_changes_feed_and_webhooks'),
    ]

    operations = [
        migrations.AlterField(
            model_name='delivery',
            name='status',
            field=models.CharField(choices=[('pending', 'Pending'), ('delivered', 'Delivered'), ('skipped', 'Skipped')], default='pending', max_length=10),
        ),
    ]
