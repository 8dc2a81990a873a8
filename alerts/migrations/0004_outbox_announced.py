from django.db import migrations, models


class Migration(migrations.Migration):
    """Outbox.announced. Every row that exists now has had its request.created event (before
    this field request_create emitted it itself), so the column is added as true for them, which
    PostgreSQL does without rewriting or updating the table; new rows then default to false."""

    dependencies = [
        ("alerts", "0003_request_indexes_that_queries_use"),
    ]

    operations = [
        migrations.AddField(model_name="outbox", name="announced", field=models.BooleanField(default=True)),
        migrations.AlterField(model_name="outbox", name="announced", field=models.BooleanField(default=False)),
    ]
