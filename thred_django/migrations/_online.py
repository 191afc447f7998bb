"""Migration operations that keep a large outbox taking the host's writes (their marks):
on PostgreSQL, indexes are built and dropped CONCURRENTLY (the migration must say
``atomic = False``)."""

from django.db import migrations, models


def _online(schema_editor) -> dict:
    """``concurrently=True`` on PostgreSQL, whose schema editor takes it; nothing elsewhere."""
    return {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}


class AddIndexOnline(migrations.AddIndex):
    """``AddIndex``; on PostgreSQL ``CREATE INDEX CONCURRENTLY`` (no lock on writes)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, **_online(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, **_online(schema_editor))


class DropFieldIndexes(migrations.operations.base.Operation):
    """Drop the indexes ``db_index=True`` gave a field (those on its column alone that
    the model's state does not name, PostgreSQL's LIKE copy among them), found by
    introspection, as their names were made up by Django. Database only: it goes in a
    ``SeparateDatabaseAndState`` with the ``AlterField(db_index=False)`` (which alone
    would also drop and re-add the field's foreign key, checking every row under a lock
    on writes). Backwards, one plain index on the column, named after it."""

    reversible = True

    def __init__(self, model_name: str, name: str) -> None:
        self.model_name = model_name
        self.name = name

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        column = model._meta.get_field(self.name).column
        kept = {index.name for index in model._meta.indexes}
        with schema_editor.connection.cursor() as cursor:
            found = schema_editor.connection.introspection.get_constraints(
                cursor, model._meta.db_table
            )
        for name, info in found.items():
            plain = info["index"] and not info["unique"] and not info["primary_key"]
            if plain and info["columns"] == [column] and name not in kept:
                index = models.Index(fields=[self.name], name=name)
                schema_editor.remove_index(model, index, **_online(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            column = model._meta.get_field(self.name).column
            index = models.Index(fields=[self.name], name=f"{model._meta.db_table}_{column}")
            schema_editor.add_index(model, index, **_online(schema_editor))

    def describe(self):
        return f"Drop the indexes of {self.model_name}.{self.name}'s db_index"

    @property
    def migration_name_fragment(self):
        return f"drop_{self.model_name.lower()}_{self.name.lower()}_indexes"

    def deconstruct(self):
        return self.__class__.__name__, [self.model_name, self.name], {}
