"""The request row becomes its own outbox entry (``delivery_pending``, ``announced``) and the
outbox table goes: it cost every request one more insert, one more update and a join in each
delivery claim.

Both columns are added with the value every existing delivered request has (not pending,
announced), which PostgreSQL stores without rewriting the table (``announced`` then takes the
new rows' default); the requests whose outbox row was still undelivered get theirs from it.
Reversed, the outbox is rebuilt from the requests."""

from django.db import migrations, models

# Plain SQL that the embedded SQLite runs as well as PostgreSQL.
FROM_OUTBOX = """
UPDATE alerts_request SET delivery_pending = TRUE,
    announced = (SELECT o.announced FROM alerts_outbox o WHERE o.request_id = alerts_request.id)
WHERE id IN (SELECT request_id FROM alerts_outbox WHERE delivered_at IS NULL)
"""

TO_OUTBOX = """
INSERT INTO alerts_outbox (request_id, created_at, delivered_at, attempts, announced)
SELECT id, created_at, CASE WHEN delivery_pending THEN NULL ELSE COALESCE(delivered_at, updated_at) END, 0, announced
FROM alerts_request ORDER BY id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0004_outbox_announced"),
    ]

    operations = [
        migrations.AddField(model_name="request", name="delivery_pending",
                            field=models.BooleanField(default=False, verbose_name="待投递")),
        migrations.AddField(model_name="request", name="announced", field=models.BooleanField(default=True)),
        migrations.AlterField(model_name="request", name="announced", field=models.BooleanField(default=False)),
        migrations.RunSQL(FROM_OUTBOX, TO_OUTBOX),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(condition=models.Q(("delivery_pending", True)), fields=["id"],
                               name="alerts_req_undelivered_idx"),
        ),
        migrations.DeleteModel(name="Outbox"),
    ]
