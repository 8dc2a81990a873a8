from django.db import migrations, models


def existing_rows_were_announced(apps, schema_editor):
    # Before this field, request_create emitted request.created itself: every request that
    # exists now has had its event.
    apps.get_model("alerts", "Outbox").objects.update(announced=True)


class Migration(migrations.Migration):

    dependencies = [
        ("alerts", "0003_request_indexes_that_queries_use"),
    ]

    operations = [
        migrations.AddField(
            model_name="outbox",
            name="announced",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(existing_rows_were_announced, migrations.RunPython.noop),
    ]
