"""Events keep only the indexes the stream is read by: the primary key and (agency, id). Each
move writes one row per receiving agency, and the indexes on kind (two, with its LIKE one),
case_id_ref and agency alone, which no query uses, were paid on every row.

The agency index goes with a plain DROP INDEX: Django's AlterField would also drop and re-add
the foreign key, which re-checks every row of what is the largest table."""

from django.db import migrations, models

AGENCY_INDEX = "events_event_agency_id_69d37c44"


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("events", "0002_staged_event"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="event", name="agency",
                    field=models.ForeignKey(db_index=False, on_delete=models.deletion.CASCADE, related_name="+",
                                            to="agencies.agency", verbose_name="接收单位"),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS %s" % AGENCY_INDEX,
                                  'CREATE INDEX %s ON "events_event" ("agency_id")' % AGENCY_INDEX),
            ],
        ),
        migrations.AlterField(model_name="event", name="case_id_ref",
                              field=models.BigIntegerField(blank=True, null=True, verbose_name="案件")),
        migrations.AlterField(model_name="event", name="kind",
                              field=models.CharField(max_length=40, verbose_name="事件类型")),
    ]
