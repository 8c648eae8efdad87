"""Validators only, no change in the database: one line is a function (an inverted pattern
was published by the OpenAPI schema as the pattern to match), and a title, a name or a
claim's text must say something readable (``project.validation.readable``)."""

import project.validation
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0009_one_line_metadata'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalsource',
            name='authors',
            field=models.CharField(blank=True, max_length=500, validators=[project.validation.one_line]),
        ),
        migrations.AlterField(
            model_name='historicalsource',
            name='publisher',
            field=models.CharField(blank=True, max_length=300, validators=[project.validation.one_line]),
        ),
        migrations.AlterField(
            model_name='historicalsource',
            name='title',
            field=models.CharField(max_length=500, validators=[project.validation.one_line, project.validation.readable]),
        ),
        migrations.AlterField(
            model_name='source',
            name='authors',
            field=models.CharField(blank=True, max_length=500, validators=[project.validation.one_line]),
        ),
        migrations.AlterField(
            model_name='source',
            name='publisher',
            field=models.CharField(blank=True, max_length=300, validators=[project.validation.one_line]),
        ),
        migrations.AlterField(
            model_name='source',
            name='title',
            field=models.CharField(max_length=500, validators=[project.validation.one_line, project.validation.readable]),
        ),
    ]
