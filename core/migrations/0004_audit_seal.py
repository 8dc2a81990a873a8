"""The audit log's seals (its hash chain), append-only like the entries: on PostgreSQL a trigger
refuses UPDATE and DELETE of a seal from any client, as 0002 does for the entries."""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION core_auditseal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditseal is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditseal_no_update BEFORE UPDATE OR DELETE ON core_auditseal
    FOR EACH ROW EXECUTE FUNCTION core_auditseal_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS core_auditseal_no_update ON core_auditseal;
DROP FUNCTION IF EXISTS core_auditseal_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_idempotency_key_user_served_by_unique'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditSeal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_id', models.BigIntegerField(unique=True, verbose_name='首条编号')),
                ('last_id', models.BigIntegerField(verbose_name='末条编号')),
                ('count', models.PositiveIntegerField(verbose_name='条数')),
                ('entry_ids', models.JSONField(default=list, verbose_name='条目编号')),
                ('entry_hashes', models.JSONField(default=list, verbose_name='条目摘要')),
                ('digest', models.CharField(max_length=64, verbose_name='摘要')),
                ('cutoff', models.DateTimeField(verbose_name='截止时间')),
                ('sealed_at', models.DateTimeField(auto_now_add=True, verbose_name='封存时间')),
                ('previous', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='next', to='core.auditseal', verbose_name='上一封存')),
            ],
            options={
                'verbose_name': '审计日志封存',
                'verbose_name_plural': '审计日志封存',
                'ordering': ['id'],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
