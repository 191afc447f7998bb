"""The record lifecycle, per resource: which operations Thred has, and what each host
change becomes. Each ``Lifecycle`` is derived from the resource's spec
(``thred_django.specs``: its operations, fixed and bound fields, idempotency); push,
preview, admin, status and the README's table read it here.

Per resource:

* ``update``: how Thred changes an object it holds: ``"put"`` (invoice, bill),
  ``"patch"`` (business, payment, bill payment), ``"upsert"`` (payouts: the create call
  again), or ``""`` (customers, vendors, refunds, refund payments, vendor credits: none).
* ``fixed``: fields an update cannot change (absent from the documented update body, or
  refused when changed). They are left out of the update, and a host value that differs
  from what Thred acknowledged makes the record ``drifted``.
* ``bound``: fields whose values must agree with the fixed ones (a bill payment's
  allocations add up to its amount): while a fixed field differs from what Thred holds,
  an update keeps them at Thred's values too, and the drift names them.
* ``deactivate``: what a host delete, ``Mapping.is_active() -> False`` or
  ``should_sync() -> False`` becomes once the object is in Thred: ``"void"`` (invoice),
  ``"cancel"`` (payment, bill payment), ``"archive"`` (customer), or ``""`` (none: a
  delete leaves it ``orphaned``, a status change makes it ``drifted``).
* ``reactivate``: what an object that is active again becomes: ``"unarchive"``
  (customer; vendors have an unarchive but no archive, so Thred never holds one of ours
  archived), or ``""`` (``drifted``, ``reactivate_not_supported``).
* ``repeat_returns_stored``: a create repeating an external_id answers with the stored
  object, unchanged (all but payouts, which upsert).
* ``idempotency_key``: the create also carries an ``Idempotency-Key``.
* ``lookup_filter``: the list filter that finds an object by external_id (customers,
  vendors, payouts), used to learn the Thred id of a create whose answer was lost when
  the host object is gone and the create cannot be repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thred_django import specs
from thred_django.specs import Spec

# Host changes, in the order of the README's table.
CHANGES = ("edit", "edit_fixed", "deactivate", "reactivate", "delete")

# Codes a drifted record carries in last_error_code.
UPDATE_NOT_SUPPORTED = "update_not_supported"
UPDATE_PARTIAL = "update_partial"
DEACTIVATE_NOT_SUPPORTED = "deactivate_not_supported"
REACTIVATE_NOT_SUPPORTED = "reactivate_not_supported"

# Deactivations Thred refuses until the object's children are cancelled (a void of an
# invoice that still has payments): the drifted record is marked again when one is.
WAITS_FOR_CHILDREN = ("invoice_has_payments",)

_VERBS = {"void": "voided", "cancel": "cancelled", "archive": "archived"}


@dataclass(frozen=True)
class Lifecycle:
    resource: str
    update: str = ""
    fixed: tuple[str, ...] = ()
    bound: tuple[str, ...] = ()
    deactivate: str = ""
    reactivate: str = ""
    repeat_returns_stored: bool = True
    idempotency_key: bool = False
    lookup_filter: str = ""

    @property
    def updatable(self) -> bool:
        return bool(self.update)

    def update_body(self, payload: dict[str, Any]) -> dict[str, Any]:
        """What an update sends: the payload without the fixed fields."""
        return {k: v for k, v in payload.items() if k not in self.fixed}

    def differences(
        self, thred: dict[str, Any] | None, host: dict[str, Any]
    ) -> dict[str, dict[str, Any]]:
        """Fields whose host value differs from what Thred holds and that Thred cannot
        take: every differing field without an update, the fixed ones with one.
        ``{name: {"host": …, "thred": …}}``; external_id is never compared."""
        held = thred or {}
        # A fixed field the acknowledged payload lacks is unknown, not different.
        names = [n for n in self.fixed if n in held] if self.updatable else sorted({*held, *host})
        if self.updatable and self._fixed_differ(thred, host):
            names += [n for n in self.bound if n in held]
        return {
            name: {"host": host.get(name), "thred": held.get(name)}
            for name in names
            if name != "external_id" and host.get(name) != held.get(name)
        }

    def held_after_update(self, thred: dict[str, Any] | None, host: dict[str, Any]) -> dict:
        """What Thred holds after an update with ``host``: the fixed fields keep their
        acknowledged values (where none is known, the host's value is assumed: the
        create carried it)."""
        held = dict(host)
        kept = (*self.fixed, *(self.bound if self._fixed_differ(thred, host) else ()))
        for name in kept:
            if thred and name in thred:
                held[name] = thred[name]
        return held

    def _fixed_differ(self, thred: dict[str, Any] | None, host: dict[str, Any]) -> bool:
        """A fixed field Thred holds has another value in the host."""
        return any(n in (thred or {}) and host.get(n) != (thred or {})[n] for n in self.fixed)

    def hint(self, code: str) -> str:
        """What the host can do about a record drifted with ``code``."""
        name = self.resource.replace("_", " ")
        if code == UPDATE_NOT_SUPPORTED:
            return (
                f"Thred has no update for a {name}: change these fields back to the values "
                f"Thred holds, or create a new {name} in the host (a new external_id)."
            )
        if code == UPDATE_PARTIAL:
            return (
                f"The other fields were updated. Thred cannot change these fields of a {name} "
                "once created: set them back, or "
                + (
                    f"{self.deactivate} it and create a new {name}."
                    if self.deactivate
                    else f"create a new {name} in the host (a new external_id)."
                )
            )
        if code == DEACTIVATE_NOT_SUPPORTED:
            return (
                f"Thred has no void, cancel or archive for a {name}: it stays active in "
                "Thred. Make it active again here, or change it in Thred by hand."
            )
        if code == REACTIVATE_NOT_SUPPORTED:
            return (
                f"Thred cannot bring back a {_VERBS.get(self.deactivate, 'removed')} {name}: "
                f"create a new {name} in the host (a new external_id) if it is live again."
            )
        return ""

    def becomes(self, change: str) -> str:
        """What a host change becomes, in words (the README's table)."""
        if change == "edit":
            return {
                "put": "update (PUT)",
                "patch": "update (PATCH)",
                "upsert": "upsert (the create call)",
            }.get(self.update, "`drifted` (`update_not_supported`)")
        if change == "edit_fixed":
            if not self.updatable:
                return "`drifted` (`update_not_supported`)"
            if not self.fixed:
                return "—"
            return f"`drifted` (`update_partial`: {', '.join(self.fixed)})"
        if change == "deactivate":
            return (
                f"{self.deactivate} → `voided`"
                if self.deactivate
                else "`drifted` (`deactivate_not_supported`)"
            )
        if change == "reactivate":
            if self.reactivate:
                return f"{self.reactivate} → `synced`"
            if not self.deactivate:
                return "back to `synced`"
            return "`drifted` (`reactivate_not_supported`)"
        if change == "delete":
            return f"{self.deactivate} → `voided`" if self.deactivate else "`orphaned`"
        raise ValueError(f"Unknown host change {change!r}; expected one of {CHANGES}.")


def _lifecycle(spec: Spec) -> Lifecycle:
    return Lifecycle(
        spec.name,
        update=spec.update,
        fixed=spec.fixed,
        bound=spec.bound,
        deactivate=spec.deactivate,
        reactivate=spec.reactivate,
        repeat_returns_stored=spec.repeat_create == "stored",
        idempotency_key=spec.idempotency_key,
        lookup_filter=spec.lookup_filter,
    )


LIFECYCLES: dict[str, Lifecycle] = {name: _lifecycle(spec) for name, spec in specs.ALL.items()}


def of(resource: str) -> Lifecycle:
    """The lifecycle of ``resource`` (a Resource value)."""
    return LIFECYCLES[specs.of(resource).name]


def readme_table() -> list[str]:
    """The README's "what each host change becomes" table, one line per row."""
    rows = [
        "| resource | edit | edit of a field Thred cannot change | inactive "
        "(`is_active` / `should_sync` False) | active again | host delete |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for resource, life in LIFECYCLES.items():
        cells = " | ".join(life.becomes(change) for change in CHANGES)
        rows.append(f"| `{resource}` | {cells} |")
    return rows
