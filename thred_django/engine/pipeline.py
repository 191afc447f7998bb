"""One pipeline for a record's push and its dry run: host object → payload → step →
request → refusal.

``push.Pusher`` and ``actions.preview`` both run these functions, in this order, and
differ only in what they do with the answers (make the call and record its outcome, or
show it) and in how a parent's Thred id is found (the ``ctx`` of ``build``: pushed
first, or read as it is). So the dry run shows exactly the payload, the operation and
the refusal a push would arrive at.

1. ``inactive_reason``: is the host object left out or inactive? Then ``host_step``
   (also for a deleted object): void / cancel / archive, skip, orphaned or drifted.
2. ``build``: the payload (``payload.build``: the mapping's, normalised, with the
   external id).
3. ``first_step``: create, reactivate, update, nothing or drifted (``decide``).
4. ``request``: the validation action and the body of the call the step makes.
5. ``refusal``: Thred's documented rules that body breaks (nothing is sent then).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from thred_django.client.validation import validate_payload
from thred_django.engine import decide
from thred_django.engine.decide import Step
from thred_django.engine.payload import build as build
from thred_django.lifecycle import Lifecycle
from thred_django.models import SyncRecord
from thred_django.resources import Resource

FILTERED = "Left out by the mapping filter."
INACTIVE = "Inactive here (void, cancelled or archived)."
DELETED = "The host object is deleted."


def inactive_reason(mapping: Any, obj: models.Model) -> str:
    """Why the host object must not be sent as active ("": it must). The mapping's own
    exceptions pass through."""
    if not mapping.should_sync(obj):
        return FILTERED
    if not mapping.is_active(obj):
        return INACTIVE
    return ""


def host_step(record: SyncRecord, life: Lifecycle, reason: str) -> Step:
    """The step of a record whose host object is gone (``reason`` "") or inactive."""
    if reason:
        return decide.for_inactive(record, life, reason)
    return decide.for_delete(record, life)


def first_step(record: SyncRecord, life: Lifecycle, payload: dict[str, Any]) -> Step:
    """What a present, active object needs first: create (not in Thred yet), reactivate
    (we deactivated it in Thred: an update follows, ``decide.for_change``), or the
    change step (update, nothing, drifted)."""
    if not record.thred_id:
        return Step(decide.CREATE)
    step = decide.for_reactivate(record, life)
    if step is not None:
        return step
    return decide.for_change(record, life, payload)


def request(step: Step, life: Lifecycle, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(validation action, body) of the call ``step`` makes with ``payload``: a create
    sends the payload, an update its updatable fields at the values Thred will hold
    (``step.held``: fixed fields stay at Thred's); ("", {}) for a step without a body."""
    if step.op == decide.CREATE:
        return "create", payload
    if step.op == decide.UPDATE:
        return "update", life.update_body(step.held if step.held is not None else payload)
    return "", {}


def refusal(
    resource: str, action: str, body: dict[str, Any], business: dict[str, Any]
) -> dict[str, list[str]]:
    """The fields of ``body`` that break Thred's documented rules for ``action``, with
    why (empty: none). Money is checked in the business's currency and country
    (``business``: what Thred holds of the record's business; a business's create is
    checked against its own body)."""
    if not action:
        return {}
    base = body if resource == Resource.BUSINESS and action == "create" else business
    return validate_payload(
        resource,
        action,
        body,
        base_currency=base.get("base_currency"),
        country=base.get("country"),
    )
