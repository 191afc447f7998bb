"""The outbox row a mark writes: its columns for one mapped object and action.

``marking`` upserts these values; ``push.record_for`` creates a parent's record from
them when it has none yet.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from thred_django.conf import thred_settings
from thred_django.mappings import Mapping
from thred_django.models import SyncRecord
from thred_django.resources import Action, State, claim_rank

logger = logging.getLogger("thred_django.engine")


def sync_enabled() -> bool:
    return thred_settings.SYNC_MODE != "disabled"


def tenant_of(mapping: Mapping, obj: models.Model) -> tuple[str, str]:
    """(tenant id, "") — or ("", why) when the mapping's ``business`` path or
    ``get_tenant_id`` raises: a mark must never break the host's save. The record is
    then written without a tenant and fails at its push with the reason."""
    try:
        return mapping.get_tenant_id(obj), ""
    except Exception as exc:
        why = (
            f"{type(mapping).__name__} could not find the business of "
            f"{mapping.model._meta.label} {obj.pk}: {type(exc).__name__}: {exc}. Fix the "
            "mapping's business path (a forward relation such as 'shop' or "
            "'order__shop'), or set THRED['BUSINESS'] when the site is one business."
        )
        logger.error(
            why,
            exc_info=True,
            extra={"thred_model": mapping.model._meta.label, "thred_object_id": str(obj.pk)},
        )
        return "", why


def mark_values(
    mapping: Mapping, obj: models.Model, action: str, now: Any, tenant_id: str | None = None
) -> dict[str, Any]:
    """The columns a mark sets, by attname; every other column keeps its default."""
    return {
        "content_type_id": ContentType.objects.get_for_model(mapping.model).pk,
        "object_id": str(obj.pk),
        "resource": mapping.resource,
        "rank": _rank(mapping, obj, action),
        "tenant_id": tenant_of(mapping, obj)[0] if tenant_id is None else tenant_id,
        "external_id": mapping.get_external_id(obj),
        "state": State.PENDING,
        "action": action,
        "revision": uuid.uuid4(),
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def _rank(mapping: Mapping, obj: models.Model, action: str) -> int:
    """Claim order. An object the host made inactive (``is_active`` False: a void
    invoice and the payment on its row) is voided / cancelled children first, like a
    delete: Thred refuses to void an invoice that still has payments."""
    if action == Action.UPSERT:
        try:
            inactive = not mapping.is_active(obj)
        except Exception:  # the push reports it on the record
            inactive = False
        if inactive:
            return claim_rank(mapping.resource, Action.DELETE)
    return claim_rank(mapping.resource, action)


def new_record(mapping: Mapping, obj: models.Model, action: str, now: Any) -> SyncRecord:
    return SyncRecord(**mark_values(mapping, obj, action, now))
