"""Four indexes fewer, each of them paid by every write to its table; on the sync records,
by every claim and outcome (they change the state, so they are not HOT updates):

* ``content_type_id``'s own index: the first column of
  ``thred_syncrecord_unique_object_resource`` already serves it;
* ``thred_id``'s LIKE copy (``varchar_pattern_ops``, PostgreSQL): no query reads it;
  the plain index stays, by name (``thred_sr_thred_id``);
* ``blocked_by_id``'s index over every row: now only the rows that have one
  (``thred_sr_blocked_by``, partial), which is all that ``blocked_by = …`` reads;
* the dependency edges' ``parent_type_id`` index: the first column of
  ``thred_syncdep_unique``.

The new indexes are built before the old ones go, and on PostgreSQL both are done
CONCURRENTLY (as in 0008): a large outbox keeps taking the host's saves. Hence a
migration outside a transaction. The old indexes are dropped by name, found by
introspection: an ``AlterField(db_index=False)`` alone would also drop and re-add the
foreign keys, checking every row under a lock on writes."""

import django.db.models.deletion
from django.db import migrations, models

from thred_django.migrations._online import AddIndexOnline, DropFieldIndexes


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("thred_django", "0008_tenant_due_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="syncrecord",
            index=models.Index(fields=["thred_id"], name="thred_sr_thred_id"),
        ),
        AddIndexOnline(
            model_name="syncrecord",
            index=models.Index(
                condition=models.Q(("blocked_by__isnull", False)),
                fields=["blocked_by"],
                name="thred_sr_blocked_by",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                DropFieldIndexes("syncrecord", "thred_id"),
                DropFieldIndexes("syncrecord", "blocked_by"),
                DropFieldIndexes("syncrecord", "content_type"),
                DropFieldIndexes("syncdependency", "parent_type"),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="syncrecord",
                    name="thred_id",
                    field=models.CharField(blank=True, default="", max_length=64),
                ),
                migrations.AlterField(
                    model_name="syncrecord",
                    name="blocked_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="blocking",
                        to="thred_django.syncrecord",
                    ),
                ),
                migrations.AlterField(
                    model_name="syncrecord",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                migrations.AlterField(
                    model_name="syncdependency",
                    name="parent_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
        ),
    ]
