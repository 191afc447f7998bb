"""Marking outbox records again by record, not by host object: the existing records of
a host delete, the dependents of marked objects, parents waiting for their children.
Called by ``marking`` only (its one function, ``mark_many``, and the push's
``remark_waiting_parents``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils import timezone

from thred_django import lifecycle
from thred_django.engine import sql
from thred_django.models import SyncDependency, SyncRecord
from thred_django.resources import Action, State, claim_rank


def remark_existing(marks: list[dict[str, Any]], using: str) -> None:
    """Re-mark the records these marks name, inserting none (a delete of an object Thred
    never heard of needs no record)."""
    by_type: dict[tuple[int, str, str], list[str]] = {}
    for values in marks:
        key = (values["content_type_id"], values["resource"], values["action"])
        by_type.setdefault(key, []).append(values["object_id"])
    now = marks[0]["updated_at"]
    for (ct, resource, action), pks in by_type.items():
        SyncRecord.objects.using(using).filter(
            content_type_id=ct, object_id__in=pks, resource=resource
        ).update(
            state=State.PENDING,
            action=action,
            rank=claim_rank(resource, action),
            revision=uuid.uuid4(),
            attempts=0,
            next_attempt_at=now,
            updated_at=now,
        )


def remark_dependents(marks: list[dict[str, Any]], using: str, now: Any) -> None:
    """Records whose payloads read a marked object's Thred id are marked again (their
    payload is rebuilt; the hash avoids a call when nothing changed).

    A read first (one statement per content type): most marks have no
    dependents, and an UPDATE would open a write transaction of its own in autocommit.
    """
    by_type: dict[int, list[str]] = {}
    for values in marks:
        by_type.setdefault(values["content_type_id"], []).append(values["object_id"])
    children: list[int] = []
    for ct, pks in by_type.items():
        for start in range(0, len(pks), 500):
            children.extend(_dependents(using, ct, pks[start : start + 500]))
    if not children:
        return
    for start in range(0, len(children), 500):
        SyncRecord.objects.using(using).filter(
            id__in=children[start : start + 500], action=Action.UPSERT
        ).exclude(state=State.PENDING).update(
            state=State.PENDING,
            revision=uuid.uuid4(),
            attempts=0,
            next_attempt_at=now,
            updated_at=now,
        )


def _dependents(using: str, content_type_id: int, object_ids: list[str]) -> list[int]:
    if sql.supported(using):
        return sql.dependents(using, content_type_id, object_ids)
    return list(
        SyncDependency.objects.using(using)
        .filter(parent_type_id=content_type_id, parent_id__in=object_ids)
        .values_list("child_id", flat=True)
    )


def remark_waiting_parents(child: SyncRecord) -> int:
    """``child`` was just voided / cancelled in Thred: the records its payload read whose
    deactivation Thred refused until their children were cancelled (an invoice that
    still had this payment) are marked again."""
    edges = models.Q()
    for ct, pk in SyncDependency.objects.filter(child=child).values_list(
        "parent_type_id", "parent_id"
    ):
        edges |= models.Q(content_type_id=ct, object_id=pk)
    if not edges:
        return 0
    now = timezone.now()
    return (
        SyncRecord.objects.filter(edges)
        .filter(state=State.DRIFTED, last_error_code__in=lifecycle.WAITS_FOR_CHILDREN)
        .update(state=State.PENDING, revision=uuid.uuid4(), next_attempt_at=now, updated_at=now)
    )
