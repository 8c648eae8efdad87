from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0003_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["author", "text"], name="claim_author_text"),
        ),
    ]
