"""A business's claims by (tenant_id, state, next_attempt_at), in place of the two indexes
on tenant_id (a plain one and a LIKE one nothing used).

The new index is built before the old ones go, and on PostgreSQL CONCURRENTLY: a large
outbox keeps taking the host's saves (their marks) while it builds. Hence a migration
outside a transaction."""

from django.db import migrations, models


class AddIndexOnline(migrations.AddIndex):
    """``AddIndex``; on PostgreSQL ``CREATE INDEX CONCURRENTLY`` (no lock on writes)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not self._online(app_label, schema_editor, to_state, "add_index"):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not self._online(app_label, schema_editor, from_state, "remove_index"):
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def _online(self, app_label, schema_editor, state, method):
        """On PostgreSQL, ``schema_editor.<method>`` concurrently; False elsewhere."""
        if schema_editor.connection.vendor != "postgresql":
            return False
        model = state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            getattr(schema_editor, method)(model, self.index, concurrently=True)
        return True


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
