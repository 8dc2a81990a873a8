from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0002_routing_key_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="session_epoch",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="会话代次"),
        ),
    ]
