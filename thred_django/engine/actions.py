"""Operator actions on outbox records: retry, resync, skip, and the dry run.

Admin, the DRF API and commands call these. None of them calls Thred: retry and resync
make records due now and request a push (queue or eager, per SYNC_MODE); the dry run
builds and validates the payload that would be sent, without sending it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from thred_django import lifecycle
from thred_django.engine import claim, decide, pipeline
from thred_django.engine.dispatch import request_push
from thred_django.engine.payload import PayloadError
from thred_django.mappings import registry
from thred_django.models import SyncRecord
from thred_django.resources import Action, Resource, State


def held(records: QuerySet[SyncRecord]) -> QuerySet[SyncRecord]:
    """Records a worker holds now (a live lease: in flight, or marked again since it
    was claimed): actions leave them be. A record whose lease lapsed (its worker is
    gone) may be retried or skipped."""
    return records.filter(lease_until__gte=timezone.now())


def _free(records: QuerySet[SyncRecord]) -> QuerySet[SyncRecord]:
    now = timezone.now()
    return records.exclude(lease_until__gte=now).exclude(
        state=State.IN_FLIGHT, lease_until__isnull=True
    )


def _requeue(records: QuerySet[SyncRecord], **extra: Any) -> int:
    now = timezone.now()
    with transaction.atomic():
        count = _free(records).update(
            **{
                **claim.taken_over(now),
                "state": State.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "revision": uuid.uuid4(),
                "blocked_by": None,
                "lease_token": None,
                "lease_until": None,
                "retrying_since": None,
                "updated_at": now,
                **extra,
            }
        )
        if count:
            request_push(records.db)
    return count


def retry(records: QuerySet[SyncRecord]) -> int:
    """Make records due now (attempts reset). Returns how many were queued."""
    return _requeue(records)


def resync(records: QuerySet[SyncRecord]) -> int:
    """Like retry, but push even when the payload hash is unchanged."""
    return _requeue(records, force=True)


def skip(records: QuerySet[SyncRecord]) -> int:
    """Stop trying: the records are left out until their host object changes."""
    now = timezone.now()
    return _free(records).update(
        **{
            **claim.taken_over(now),
            "state": State.SKIPPED,
            "lease_token": None,
            "lease_until": None,
            "last_error_code": "skipped_by_user",
            "last_error_message": "Skipped by a user.",
            "updated_at": now,
        }
    )


# Where a parent is not in Thred yet, the dry run shows this id (Preview.waiting_for
# names the parents).
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"


class _PreviewContext:
    """Resolves parents from what is already known; never pushes anything."""

    def __init__(self, record: SyncRecord) -> None:
        self.record = record
        self.missing: list[str] = []

    def thred_id(self, obj: models.Model, resource: str | None = None) -> str:
        from django.contrib.contenttypes.models import ContentType

        mapping = registry.get(type(obj), resource)
        ct = ContentType.objects.get_for_model(type(obj))
        parent = SyncRecord.objects.filter(
            content_type=ct,
            object_id=str(obj.pk),
            resource=mapping.resource if mapping else resource or "",
        ).first()
        if parent and parent.thred_id:
            return parent.thred_id
        label = f"{parent.resource} {parent.external_id}" if parent else f"{obj!r} (not marked)"
        self.missing.append(label)
        # A well-formed stand-in, so validation judges the rest of the payload only.
        return PLACEHOLDER_ID

    @property
    def business(self) -> dict[str, Any]:
        rec = SyncRecord.objects.filter(
            resource=Resource.BUSINESS, tenant_id=self.record.tenant_id
        ).first()
        return dict(rec.acked_payload or {}) if rec else {}


@dataclass
class Preview:
    """What a push would send now."""

    # create, update, no change, drifted, reactivate, void / cancel / archive, delete,
    # skip, orphaned, voided, none
    operation: str
    payload: dict[str, Any] | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    waiting_for: list[str] = field(default_factory=list)
    message: str = ""
    # The request body of the call (create: the payload; update: its updatable fields).
    body: dict[str, Any] | None = None


def preview(record: SyncRecord) -> Preview:
    """Build, decide and validate what a push of ``record`` would send, without
    calling Thred: the same steps as the push (``pipeline``), parents' Thred ids read
    as they are (``PLACEHOLDER_ID`` for those not in Thred yet)."""
    mapping = registry.of_content_type(record.content_type_id, record.resource)
    if mapping is None:
        return Preview(
            "none", message=f"This model is no longer mapped to a Thred {record.resource}."
        )
    life = lifecycle.of(record.resource)
    ctx = _PreviewContext(record)
    try:
        obj = None
        if record.action != Action.DELETE:
            obj = mapping.get_queryset().filter(pk=record.object_id).first()
        reason = pipeline.inactive_reason(mapping, obj) if obj is not None else ""
        if obj is None or reason:
            step = pipeline.host_step(record, life, reason)
            return _preview_step(record, step, reason or pipeline.DELETED)
        payload = pipeline.build(mapping, obj, ctx, record.external_id)
    except PayloadError as exc:
        return Preview("none", errors={"payload": [str(exc)]})
    except Exception as exc:  # the mapping's own code raised
        return Preview("none", errors={"mapping": [f"{type(exc).__name__}: {exc}"]})
    step = pipeline.first_step(record, life, payload)
    action, body = pipeline.request(step, life, payload)
    errors = pipeline.refusal(record.resource, action, body, ctx.business)
    operation = {decide.NONE: "no change", decide.REACTIVATE: "reactivate"}.get(step.op, step.op)
    if step.state == State.DRIFTED:
        operation = "update" if step.op == decide.UPDATE else "drifted"
    return Preview(operation, payload, errors, ctx.missing, step.message, body if action else None)


def _preview_step(record: SyncRecord, step: decide.Step, reason: str) -> Preview:
    """The preview of a record whose host object is gone or inactive."""
    if step.op == decide.DEACTIVATE:
        verb = lifecycle.of(record.resource).deactivate
        return Preview(verb, message=f"{reason} Thred's {record.resource} will be {verb}ed.")
    if step.state == State.SKIPPED:
        return Preview("skip" if record.action != Action.DELETE else "delete", message=reason)
    return Preview(step.state if step.state != State.SYNCED else "none", message=step.message)
