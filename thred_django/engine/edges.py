"""Dependency edges: which objects' Thred ids each record's payload read.

Learnt from ``ctx.thred_id()`` while payloads are built, written in bulk with the
success log (``outcome.SuccessLog``), read by ``marking`` to re-mark the records whose
payloads read an object that was marked.
"""

from __future__ import annotations

from django.db import router

from thred_django.engine import sql
from thred_django.models import SyncDependency


def write_edges(read: dict[int, set[tuple[int, str]]]) -> None:
    """Make the stored edges of these records exactly ``read`` (a SELECT, and writes
    only for what changed)."""
    stored: dict[int, set[tuple[int, str]]] = {child: set() for child in read}
    stale: list[int] = []
    using = router.db_for_read(SyncDependency)
    if sql.supported(using):
        rows = sql.edges_of(using, list(read))
    else:
        rows = list(
            SyncDependency.objects.filter(child_id__in=list(read)).values_list(
                "pk", "child_id", "parent_type_id", "parent_id"
            )
        )
    for pk, child, ct, parent in rows:
        if (ct, parent) in read[child]:
            stored[child].add((ct, parent))
        else:
            stale.append(pk)
    new = [
        SyncDependency(child_id=child, parent_type_id=ct, parent_id=parent)
        for child, keys in read.items()
        for ct, parent in keys - stored[child]
    ]
    if stale:
        SyncDependency.objects.filter(pk__in=stale).delete()
    if new:
        sql.insert(router.db_for_write(SyncDependency), new, ignore_conflicts=True)
