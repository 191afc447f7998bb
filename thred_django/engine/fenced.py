"""Fenced UPDATEs of outbox rows, their SQL built once per shape.

Pushing a record writes its row once or twice (the lease before the call when needed,
the outcome after), always ``UPDATE … WHERE id = %s AND lease_token = %s``. Compiling
``QuerySet.update()`` costs more than running such an UPDATE, so the statement of each
shape (the columns set; whether the revision must still be the claimed one) is built
once per database and reused with new values, prepared by each field as the ORM would.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from django.db import connections, router, transaction

from thred_django.models import SyncRecord

_META = SyncRecord._meta
# Concrete fields by name and by attname ("blocked_by" and "blocked_by_id").
_FIELDS = {key: f for f in _META.concrete_fields for key in (f.name, f.attname)}


@functools.lru_cache(maxsize=64)
def _statement(using: str, columns: tuple[str, ...], same_revision: bool) -> str:
    ops = connections[using].ops
    q = ops.quote_name
    sets = ", ".join(f"{q(column)} = %s" for column in columns)
    where = f"{q('id')} = %s AND {q('lease_token')} = %s"
    if same_revision:
        where += f" AND {q('revision')} = {q('claimed_revision')}"
    # Only quoted identifiers of our own model go into the text; values are parameters.
    return f"UPDATE {q(_META.db_table)} SET {sets} WHERE {where}"  # noqa: S608


def update(
    record_id: int, token: uuid.UUID, changes: dict[str, Any], *, same_revision: bool
) -> int:
    """``SyncRecord.objects.filter(id=…, lease_token=token[, revision=F("claimed_revision")])
    .update(**changes)``; returns the number of rows written (0 or 1)."""
    using = router.db_for_write(SyncRecord)
    connection = connections[using]
    columns, params = [], []
    for name, value in changes.items():
        field = _FIELDS[name]
        if isinstance(value, SyncRecord):  # a foreign key given as an instance
            value = value.pk
        columns.append(field.column)
        params.append(field.get_db_prep_save(value, connection))
    params += [record_id, _FIELDS["lease_token"].get_db_prep_value(token, connection)]
    sql = _statement(using, tuple(columns), same_revision)
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
