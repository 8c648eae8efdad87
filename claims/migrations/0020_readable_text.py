"""Validators only, no change in the database: one line is a function (an inverted pattern
was published by the OpenAPI schema as the pattern to match), and a title, a name or a
claim's text must say something readable (``project.validation.readable``)."""

import project.validation
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0019_search_index_cheaper'),
    ]

    operations = [
        migrations.AlterField(
            model_name='claim',
            name='text',
            field=models.CharField(max_length=500, validators=[project.validation.readable]),
        ),
        migrations.AlterField(
            model_name='entity',
            name='name',
            field=models.CharField(max_length=300, validators=[project.validation.one_line, project.validation.readable]),
        ),
        migrations.AlterField(
            model_name='historicalclaim',
            name='text',
            field=models.CharField(max_length=500, validators=[project.validation.readable]),
        ),
        migrations.AlterField(
            model_name='historicalentity',
            name='name',
            field=models.CharField(max_length=300, validators=[project.validation.one_line, project.validation.readable]),
        ),
    ]
