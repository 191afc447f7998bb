"""Repairing drift (``--fix``): through the engine's own marking, never by sending data
from here — the next push (queue or eager, per ``SYNC_MODE``) carries the repair.

Each ``repair_*`` returns ``(outcome, note)``: ``("repaired", what was done)`` or
``("cannot", why, and what a person can do)``.

* missing in Thred → the record's Thred identity is cleared (thred id, acknowledged
  payload and hash, sent hash, idempotency key) and the object marked: the engine then
  *creates* it again under the same external id. A missing business clears every record
  of that business (its objects went with it) and marks all its rows;
* changed in Thred → a forced resync (``actions.resync``) where the resource's lifecycle
  has an update; where it has none, it cannot be repaired from here;
* edited in the host without a mark, or never marked → ``marking.mark`` /
  ``marking.mark_objects``;
* deleted in the host without a mark → ``actions.retry``: the engine finds no host row
  and sends the delete (void, cancel, archive) or records it as orphaned;
* unknown to the host → deactivated in Thred where the lifecycle can (void, cancel,
  archive: the calls a host delete makes), otherwise left for a person.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from thred_django import lifecycle
from thred_django.client import ThredClient
from thred_django.engine import actions, operations
from thred_django.engine.marking import mark, mark_objects, mark_queryset
from thred_django.engine.reconcile.host_side import tenant_filter
from thred_django.exceptions import ThredError
from thred_django.mappings import Mapping, registry
from thred_django.models import SyncRecord
from thred_django.resources import Resource, State

Outcome = tuple[str, str]

_FORGET = {
    "thred_id": "",
    "payload_hash": "",
    "acked_payload": None,
    "sent_hash": "",
    "idempotency_key": "",
    "force": False,
}


def _busy() -> Outcome:
    return "cannot", "a worker is pushing it right now; reconcile again once it is done"


def repair_missing(record: SyncRecord, mapping: Mapping | None, obj: Any) -> Outcome:
    if mapping is None or obj is None:
        return "cannot", "the host row is gone too: there is nothing to create again"
    if record.resource == Resource.BUSINESS:
        return _recreate_business(record, mapping, obj)
    with transaction.atomic():
        reset = (
            SyncRecord.objects.filter(pk=record.pk).exclude(state=State.IN_FLIGHT).update(**_FORGET)
        )
        if not reset:
            return _busy()
        mark(obj)
        referring = _mark_referring(record)
    note = "marked to be created again under the same external id"
    if referring:
        note += f"; {referring} record(s) that refer to it marked to follow its new id"
    return "repaired", note


def _mark_referring(record: SyncRecord) -> int:
    """Mark the records whose acknowledged payload names ``record``'s old Thred id (a
    payout listing a payment …): once it is created again, they must carry its new id."""
    if not record.thred_id:
        return 0
    referring = (
        SyncRecord.objects.filter(tenant_id=record.tenant_id, state=State.SYNCED)
        .exclude(pk=record.pk)
        .annotate(acked_text=Cast("acked_payload", output_field=TextField()))
        .filter(acked_text__contains=record.thred_id)
        .values_list("content_type_id", "resource", "object_id")
    )
    by_type: dict[tuple[int, str], list[str]] = {}
    for content_type_id, resource, object_id in referring.iterator(chunk_size=500):
        by_type.setdefault((content_type_id, resource), []).append(object_id)
    marked = 0
    for (content_type_id, resource), pks in by_type.items():
        mapping = registry.of_content_type(content_type_id, resource)
        if mapping is not None:
            marked += mark_queryset(mapping.get_queryset().filter(pk__in=pks))
    return marked


def _recreate_business(record: SyncRecord, mapping: Mapping, tenant: models.Model) -> Outcome:
    with transaction.atomic():
        records = SyncRecord.objects.filter(tenant_id=record.tenant_id)
        if records.filter(state=State.IN_FLIGHT).exists():
            return _busy()
        records.exclude(thred_id="").update(**_FORGET)
        mark(tenant)
        rows = 0
        for other in registry.mappings():
            if other.resource != Resource.BUSINESS:
                rows += mark_queryset(
                    other.get_queryset().filter(**tenant_filter(other, tenant.pk))
                )
    return "repaired", f"the business and its {rows} row(s) marked to be created again"


def repair_different(record: SyncRecord, mapping: Mapping | None, obj: Any) -> Outcome:
    if not lifecycle.of(record.resource).updatable:
        return (
            "cannot",
            f"Thred has no update for a {record.resource}: change it back in Thred by hand",
        )
    if not actions.resync(SyncRecord.objects.filter(pk=record.pk)):
        return _busy()
    return "repaired", "queued a forced update with the host's data"


def repair_relinked(record: SyncRecord, mapping: Mapping | None, obj: Any) -> Outcome:
    """Thred holds the external id under another id: learn it by creating again (Thred
    answers a known external id with the object it holds)."""
    return repair_missing(record, mapping, obj)


def repair_edited(record: SyncRecord, mapping: Mapping | None, obj: Any) -> Outcome:
    if obj is None:
        return "cannot", "the host row is gone"
    mark(obj)
    return "repaired", "marked: the engine sends the host's current data"


def repair_unmarked(objs: list[models.Model]) -> Outcome:
    mark_objects(objs)
    return "repaired", "marked for sync"


def repair_host_deleted(record: SyncRecord) -> Outcome:
    if not actions.retry(SyncRecord.objects.filter(pk=record.pk)):
        return _busy()
    return "repaired", "queued: the engine finds no host row and sends the delete"


def repair_unknown(client: ThredClient, resource: str, business_id: str, thred_id: str) -> Outcome:
    if not lifecycle.of(resource).deactivate:
        return (
            "cannot",
            f"no host row, and Thred has no delete, void or archive for a {resource}: "
            "remove it in Thred by hand if it is not wanted",
        )
    try:
        operations.deactivate(client, resource, business_id, thred_id)
    except ThredError as exc:
        return "cannot", f"Thred refused to retire it: {exc}"
    return "repaired", "no host row: retired in Thred (voided, cancelled or archived)"
