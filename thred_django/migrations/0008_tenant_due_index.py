"""A business's claims by (tenant_id, state, next_attempt_at), in place of the two indexes
on tenant_id (a plain one and a LIKE one nothing used).

The new index is built before the old ones go, and on PostgreSQL CONCURRENTLY: a large
outbox keeps taking the host's saves (their marks) while it builds. Hence a migration
outside a transaction."""

from django.db import migrations, models

from thred_django.migrations._online import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("thred_django", "0007_resource_choices_from_specs"),
    ]

    operations = [
        AddIndexOnline(
            model_name="syncrecord",
            index=models.Index(
                fields=["tenant_id", "state", "next_attempt_at"], name="thred_sr_tenant_due"
            ),
        ),
        migrations.AlterField(
            model_name="syncrecord",
            name="tenant_id",
            field=models.CharField(max_length=64),
        ),
    ]
