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

from thred_django.client.validation import validate_payload
from thred_django.engine.marking import request_push
from thred_django.engine.payload import PayloadError, digest, normalize
from thred_django.mappings import registry
from thred_django.models import SyncRecord
from thred_django.resources import Action, Resource, State


def _requeue(records: QuerySet[SyncRecord], **extra: Any) -> int:
    now = timezone.now()
    with transaction.atomic():
        count = records.exclude(state=State.IN_FLIGHT).update(
            state=State.PENDING,
            attempts=0,
            next_attempt_at=now,
            revision=uuid.uuid4(),
            blocked_by=None,
            updated_at=now,
            **extra,
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
    return records.exclude(state=State.IN_FLIGHT).update(
        state=State.SKIPPED,
        last_error_code="skipped_by_user",
        last_error_message="Skipped by a user.",
        updated_at=timezone.now(),
    )


# Where a parent is not in Thred yet, the dry run shows this id (Preview.waiting_for
# names the parents).
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"


class _PreviewContext:
    """Resolves parents from what is already known; never pushes anything."""

    def __init__(self, record: SyncRecord) -> None:
        self.record = record
        self.missing: list[str] = []

    def thred_id(self, obj: models.Model) -> str:
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_model(type(obj))
        parent = SyncRecord.objects.filter(content_type=ct, object_id=str(obj.pk)).first()
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

    operation: str  # create, update, no change, delete, skip, none
    payload: dict[str, Any] | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    waiting_for: list[str] = field(default_factory=list)
    message: str = ""


def preview(record: SyncRecord) -> Preview:
    """Build and validate the payload for ``record`` without calling Thred."""
    model = record.content_type.model_class()
    mapping = registry.get(model) if model else None
    if mapping is None:
        return Preview("none", message="This model is no longer mapped to Thred.")
    obj = None
    if record.action != Action.DELETE:
        obj = mapping.get_queryset().filter(pk=record.object_id).first()
    if obj is None:
        return Preview("delete", message="The host object is deleted.")
    if not mapping.should_sync(obj):
        return Preview("skip", message="The mapping filter leaves this object out.")
    ctx = _PreviewContext(record)
    try:
        payload = normalize(
            mapping.build_payload(obj, ctx),
            tz=mapping.get_timezone(obj),
            currency=ctx.business.get("base_currency"),
        )
    except PayloadError as exc:
        return Preview("none", errors={"payload": [str(exc)]})
    except Exception as exc:
        return Preview("none", errors={"mapping": [f"{type(exc).__name__}: {exc}"]})
    payload["external_id"] = record.external_id
    base = payload if record.resource == Resource.BUSINESS else ctx.business
    errors = validate_payload(
        record.resource,
        "update" if record.thred_id else "create",
        payload,
        base_currency=base.get("base_currency"),
        country=base.get("country"),
    )
    if not record.thred_id:
        operation = "create"
    elif digest(payload) == record.payload_hash:
        operation = "no change"
    else:
        operation = "update"
    return Preview(operation, payload, errors, ctx.missing)
