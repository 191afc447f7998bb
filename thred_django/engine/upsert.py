"""The outbox upsert behind every mark: ``INSERT … ON CONFLICT DO UPDATE``, its SQL
built once per database and row count (``marking.mark_many`` calls it)."""

from __future__ import annotations

import functools
from typing import Any

from django.db import connections, models
from django.db.models.constants import OnConflict

from thred_django.models import SyncRecord

# Fields a re-mark overwrites (the rank follows the action: deletes go children first);
# identity (external_id, thred_id) is kept. The tenant is
# refreshed so an object saved without its tenant can be fixed by setting it and saving.
_REMARK_FIELDS = [
    "state",
    "action",
    "rank",
    "revision",
    "attempts",
    "next_attempt_at",
    "updated_at",
    "tenant_id",
]


# One record per (host row, resource): a row may feed several Thred resources.
_UNIQUE_FIELDS = ["content_type", "object_id", "resource"]
_UNSET = object()


def _insert_fields() -> list[models.Field]:
    return [f for f in SyncRecord._meta.concrete_fields if not f.primary_key]


@functools.lru_cache(maxsize=32)
def _prepared_defaults(using: str) -> tuple[list[Any], dict[str, int]]:
    """Every inserted column's default, prepared for database ``using`` once, and each
    column's position by attname. The columns with a per-row default (a callable, or
    auto_now) are all in ``mark_values``."""
    connection = connections[using]
    fields = _insert_fields()
    blank = SyncRecord()
    prepared = [f.get_db_prep_save(getattr(blank, f.attname), connection) for f in fields]
    return prepared, {f.attname: i for i, f in enumerate(fields)}


@functools.lru_cache(maxsize=32)
def _upsert_sql(using: str, vendor: str, rows: int) -> str:
    """``INSERT … ON CONFLICT (content_type, object_id) DO UPDATE`` for ``rows`` records.

    The statement ``bulk_create(update_conflicts=True)`` sends, assembled from the
    backend's own operations once per database and row count. ``rows=0`` is the form
    Django's bulk_create uses on PostgreSQL for many rows: one typed array per column
    (``SELECT * FROM UNNEST(…)``), a short statement whatever the row count.
    """
    connection = connections[using]
    ops = connection.ops
    fields = _insert_fields()
    placeholders: Any = [["%s"] * len(fields)] * rows
    if not rows:
        from django.db.backends.postgresql.compiler import InsertUnnest

        types = [f.db_type(connection) or "" for f in fields]
        placeholders = InsertUnnest([f"(%s)::{t.split('(')[0]}[]" for t in types])
    column = {f.name: str(f.column) for f in fields}
    conflict = ops.on_conflict_suffix_sql(
        fields,
        OnConflict.UPDATE,
        [column[name] for name in _REMARK_FIELDS],
        [column[name] for name in _UNIQUE_FIELDS],
    )
    insert = ops.insert_statement(on_conflict=OnConflict.UPDATE)
    table = ops.quote_name(SyncRecord._meta.db_table)
    columns = ", ".join(ops.quote_name(column[f.name]) for f in fields)
    values = ops.bulk_insert_sql(fields, placeholders)
    return f"{insert} {table} ({columns}) {values} {conflict}"


def upsert(marks: list[dict[str, Any]], using: str) -> None:
    """Insert records with the ``mark_values`` of ``marks``, or re-mark the rows they
    already have (``_REMARK_FIELDS``).

    Same statement and values as ``bulk_create(update_conflicts=True)``, at a fraction of
    its cost: bulk_create builds a model instance per row and prepares every field of it
    (about as dear as running the insert), and a save pays that on each mark. Here the
    SQL is cached, the defaults are prepared once per database, and a value equal to the
    previous row's reuses its prepared form, so a batch prepares little more than each
    row's ids. A single statement needs no atomic block of its own: inside the host's
    transaction it joins it, in autocommit it commits alone.
    """
    if not marks:
        return
    connection = connections[using]
    fields = _insert_fields()
    defaults, position = _prepared_defaults(using)
    previous: dict[str, tuple[Any, Any]] = {}
    rows = []
    for values in marks:
        row = list(defaults)
        for attname, value in values.items():
            raw, prepared = previous.get(attname, (_UNSET, None))
            if raw is _UNSET or type(raw) is not type(value) or raw != value:
                i = position[attname]
                prepared = fields[i].get_db_prep_save(value, connection)
                previous[attname] = (value, prepared)
            row[position[attname]] = prepared
        rows.append(row)
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql" and len(rows) > 1:
            columns = [list(column) for column in zip(*rows, strict=True)]
            cursor.execute(_upsert_sql(using, vendor, 0), columns)
            return
        size = max(1, min(len(rows), connection.ops.bulk_batch_size(fields, marks)))
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            sql = _upsert_sql(using, vendor, len(batch))
            cursor.execute(sql, [value for row in batch for value in row])
