"""Tampering with the sandbox's state on purpose, so tests can produce drift: an object
deleted or changed "in Thred" by someone other than this app.

``tamper(partner_id, business, resource, external_id, action, changes)``:

* ``delete`` removes the object the way a person deleting it in Thred would: the row
  goes, with what depends on it in the database (an invoice's payment allocations and
  refunds, …), and so do the stored ``Idempotency-Key`` responses that named it. The
  external id is then free again: a create with it makes a new object (201). Thred's
  documentation has no delete for most resources and says nothing about what a deleted
  object's external id or idempotency keys become; this is the sandbox's reading.
* ``alter`` sets fields: a column of the object of that name (``total_amount_cents``,
  ``status``, …) and/or the stored request field it echoes (``line_items``, ``memo``…);
  an invoice's or bill's total follows its new lines.

Either way the balances the object fed (its invoices', bills' and refund's received,
paid and status: its kind's ``feeds``) are recomputed, as Thred's own ledger would.

Scoped to the calling partner: another partner's business is "not found".
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from thred_django.sandbox.kinds import KINDS
from thred_django.sandbox.summary import find_business
from thred_django.sandbox.tables import IdempotencyRecord

MODELS: dict[str, type[models.Model]] = {name: kind.model for name, kind in KINDS.items()}
ACTIONS = ("delete", "alter")
_FIXED = {"id", "business", "partner_id", "external_id", "data", "created_at"}


def _nothing() -> None:
    return None


class TamperError(ValueError):
    """Bad tamper request: says which field to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _find(partner_id: str, business: str, resource: str, external_id: str) -> Any:
    if resource not in MODELS:
        raise TamperError("resource", f"Must be one of: {', '.join(MODELS)}.")
    owner = find_business(business, partner_id=partner_id)  # LookupError: not found
    if resource == "business":
        return owner
    obj = MODELS[resource]._default_manager.filter(business=owner, external_id=external_id).first()
    if obj is None:
        raise LookupError(f"no {resource} with external_id {external_id!r} in this business")
    return obj


def tamper(
    partner_id: str,
    business: str,
    resource: str,
    external_id: str,
    action: str,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Apply ``action`` to one object; returns what was done."""
    if action not in ACTIONS:
        raise TamperError("action", f"Must be one of: {', '.join(ACTIONS)}.")
    with transaction.atomic():
        obj = _find(partner_id, business, resource, external_id)
        feeds = KINDS[resource].feeds
        refresh = feeds(obj) if feeds is not None else _nothing
        if action == "delete":
            owner = obj if resource == "business" else obj.business
            IdempotencyRecord.objects.filter(business=owner, body__contains=str(obj.pk)).delete()
            _, by_model = obj.delete()
            refresh()
            return {"action": "delete", "id": str(obj.pk), "deleted": by_model}
        if not isinstance(changes, dict) or not changes:
            raise TamperError("changes", "Give the fields to change, e.g. {'memo': 'x'}.")
        changed = _alter(resource, obj, changes)
        refresh()
        return {"action": "alter", "id": str(obj.pk), "changed": changed}


def _alter(resource: str, obj: Any, changes: dict[str, Any]) -> list[str]:
    columns = {
        f.name: f for f in obj._meta.concrete_fields if f.name not in _FIXED and not f.is_relation
    }
    data = dict(obj.data)
    for key, value in changes.items():
        if key in _FIXED:
            raise TamperError("changes", f"{key} cannot be tampered with.")
        if key in columns:
            setattr(obj, key, columns[key].to_python(value))
        if key in data or key not in columns:
            data[key] = value
    obj.data = data
    total = KINDS[resource].total
    if "line_items" in changes and total is not None:
        obj.total_cents = total(data)
    obj.updated_at = timezone.now()
    obj.save()
    return sorted(changes)
