"""A business's claims by (tenant_id, state, next_attempt_at), in place of the two indexes
on tenant_id (a plain one and a LIKE one nothing used).

The new index is built before the old ones go, and on PostgreSQL CONCURRENTLY: a large
outbox keeps taking the host's saves (their marks) while it builds. Hence a migration
outside a transaction."""

from django.db import migrations, models


class AddIndexOnline(migrations.AddIndex):
    """``AddIndex``; on PostgreSQL ``CREATE INDEX CONCURRENTLY`` (no lock on writes)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


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
