"""The outbox upsert behind every mark (``INSERT … ON CONFLICT (content_type,
object_id, resource) DO UPDATE``), called by ``marking.mark_many``: the statement of
``engine.sql`` on SQLite and PostgreSQL, ``bulk_create(update_conflicts=True)`` on any
other database."""

from __future__ import annotations

from typing import Any

from thred_django.engine import sql
from thred_django.models import SyncRecord

# One record per (host row, resource): a row may feed several Thred resources.
UNIQUE_FIELDS = ("content_type", "object_id", "resource")
# What a re-mark keeps: the record's identity and when it was first marked. Every other
# column a mark sets (``marking.mark_values``: state, action, rank, revision, attempts,
# due time, tenant…) is overwritten, so a column added to the mark is re-marked too.
KEPT = frozenset({*UNIQUE_FIELDS, "external_id", "created_at"})


def remark_fields(values: dict[str, Any]) -> list[str]:
    """The field names a re-mark overwrites, from the columns (attnames) a mark sets."""
    names = (SyncRecord._meta.get_field(attname).name for attname in values)
    return [name for name in names if name not in KEPT]


def upsert(marks: list[dict[str, Any]], using: str) -> None:
    """Insert records with the ``mark_values`` of ``marks``, or re-mark the rows they
    already have (every column a mark sets but those in ``KEPT``).

    A single statement per batch needs no atomic block of its own: inside the host's
    transaction it joins it, in autocommit it commits alone. ``marks`` name each record
    once (PostgreSQL refuses an upsert that touches a row twice).
    """
    if not marks:
        return
    if sql.supported(using):
        sql.upsert(marks, using, UNIQUE_FIELDS, remark_fields(marks[0]))
    else:
        upsert_orm(marks, using)


def upsert_orm(marks: list[dict[str, Any]], using: str) -> None:
    """``upsert`` through ``bulk_create``: the same rows, at a higher cost per mark."""
    SyncRecord.objects.using(using).bulk_create(
        [SyncRecord(**values) for values in marks],
        update_conflicts=True,
        unique_fields=list(UNIQUE_FIELDS),
        update_fields=remark_fields(marks[0]),
    )
