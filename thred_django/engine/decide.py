"""What to do with one record: a pure decision from the record, its lifecycle and the
host's data. No query, no call: ``push`` carries the decision out and records it.

Each function answers a ``Step``: the call to make (``op``), the state the record ends in
when the call succeeds (or at once, for ``op == "none"``), the code and message it
carries, the fields that differ from what Thred holds (drifted), and what Thred holds
afterwards (``held``: the new acknowledged payload; None keeps the old one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thred_django import lifecycle
from thred_django.engine.payload import digest
from thred_django.lifecycle import Lifecycle
from thred_django.models import SyncRecord
from thred_django.resources import State

NONE = "none"
CREATE = "create"
UPDATE = "update"
DEACTIVATE = "deactivate"
REACTIVATE = "reactivate"


@dataclass(frozen=True)
class Step:
    op: str
    state: str = State.SYNCED
    code: str = ""
    message: str = ""
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    held: dict[str, Any] | None = None
    hint: str = ""

    @property
    def details(self) -> dict[str, Any] | None:
        if self.state != State.DRIFTED:
            return None
        return {"fields": self.fields, "hint": self.hint}


def drifted(life: Lifecycle, code: str, fields: dict[str, Any], op: str = NONE, **kw: Any) -> Step:
    names = ", ".join(fields) or "its status"
    messages = {
        lifecycle.UPDATE_NOT_SUPPORTED: f"Changed here ({names}), but Thred has no update for "
        f"a {life.resource}: the change was not sent.",
        lifecycle.UPDATE_PARTIAL: f"Thred cannot change {names} of a {life.resource} once "
        "created: the rest was updated, those changes were not sent.",
        lifecycle.DEACTIVATE_NOT_SUPPORTED: f"Inactive here, but Thred has no void, cancel or "
        f"archive for a {life.resource}: it stays active in Thred.",
        lifecycle.REACTIVATE_NOT_SUPPORTED: f"Active here again, but Thred cannot bring back a "
        f"{life.resource} once {life.deactivate or 'removed'}ed: it stays so in Thred.",
    }
    return Step(
        op,
        State.DRIFTED,
        code,
        messages[code],
        fields,
        hint=life.hint(code),
        **kw,
    )


def refused(life: Lifecycle, code: str, reason: object) -> Step:
    """Thred refused the void / cancel / archive in the state it holds the object in."""
    return Step(
        NONE,
        State.DRIFTED,
        code,
        f"Inactive or deleted here, but Thred refused to {life.deactivate} it: {reason}",
        {},
        hint=(
            f"Thred keeps this {life.resource} as it is. Follow Thred's reason: "
            f"{reason} Then save the object again."
        ),
    )


def for_delete(record: SyncRecord, life: Lifecycle) -> Step:
    """The host object is gone (``record.thred_id`` learnt first when a create may have
    landed)."""
    if not record.thred_id:
        return Step(NONE, State.SKIPPED, "deleted", "Deleted before it reached Thred.")
    if record.inactive_in_thred:
        return Step(NONE, State.VOIDED, "deleted", f"Deleted here; already {_done(life)} in Thred.")
    if life.deactivate:
        return Step(DEACTIVATE, State.VOIDED)
    return Step(
        NONE,
        State.ORPHANED,
        "delete_not_supported",
        f"Deleted here, but Thred has no delete, void or archive for a {life.resource}: "
        "it stays in Thred. Remove it there by hand if needed.",
    )


def for_inactive(record: SyncRecord, life: Lifecycle, reason: str) -> Step:
    """The host object exists but is void / cancelled / archived, or filtered out."""
    if not record.thred_id:
        return Step(NONE, State.SKIPPED, "filtered", reason)
    if record.inactive_in_thred:
        return Step(NONE, State.VOIDED, "inactive", f"{reason} Already {_done(life)} in Thred.")
    if life.deactivate:
        return Step(DEACTIVATE, State.VOIDED, "inactive", reason)
    return drifted(life, lifecycle.DEACTIVATE_NOT_SUPPORTED, {})


def for_reactivate(record: SyncRecord, life: Lifecycle) -> Step | None:
    """An active host object whose Thred twin we deactivated: None when nothing stands in
    the way of the usual update path."""
    if not record.inactive_in_thred:
        return None
    if life.reactivate:
        return Step(REACTIVATE)
    return drifted(life, lifecycle.REACTIVATE_NOT_SUPPORTED, {})


def for_change(record: SyncRecord, life: Lifecycle, payload: dict[str, Any]) -> Step:
    """An active object already in Thred: update, nothing, or drifted."""
    thred = record.acked_payload
    unchanged = digest(payload) == record.payload_hash and not record.force
    if unchanged:
        return Step(NONE)
    if not life.updatable:
        fields = life.differences(thred, payload)
        if thred is None and not fields:
            return Step(NONE)
        if not fields:
            return Step(NONE, held=payload)
        return drifted(life, lifecycle.UPDATE_NOT_SUPPORTED, fields)
    fields = life.differences(thred, payload) if thred is not None else {}
    held = life.held_after_update(thred, payload)
    same_rest = thred is not None and digest(life.update_body(thred)) == digest(
        life.update_body(payload)
    )
    op = NONE if same_rest and not record.force else UPDATE
    if fields:
        return drifted(life, lifecycle.UPDATE_PARTIAL, fields, op, held=held)
    return Step(op, held=held)


def after_repeat(
    life: Lifecycle, held: dict[str, Any], payload: dict[str, Any], earlier_same: bool
) -> Step:
    """A create answered with an object Thred already held (an earlier create whose
    answer was lost): ``held`` is that object as Thred returned it."""
    comparable = {k: v for k, v in held.items() if k in payload}
    if life.updatable:
        fields = {k: v for k, v in life.differences(comparable, payload).items() if k in held}
        step = Step(UPDATE, held=life.held_after_update(comparable, payload))
        if fields:
            return drifted(life, lifecycle.UPDATE_PARTIAL, fields, UPDATE, held=step.held)
        return step
    if earlier_same:
        return Step(NONE, held=payload)
    fields = {k: v for k, v in life.differences(comparable, payload).items() if k in held}
    if not fields:
        return Step(NONE, held=payload)
    # What Thred returned is what it holds (as far as the payload's fields go).
    return drifted(life, lifecycle.UPDATE_NOT_SUPPORTED, fields, held=comparable)


def _done(life: Lifecycle) -> str:
    return {"void": "voided", "cancel": "cancelled", "archive": "archived"}.get(
        life.deactivate, "inactive"
    )
