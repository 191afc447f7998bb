"""Reference and balance checks shared by the document writes.

A counterparty kind is a ``Party`` (declared in its kind module); documents money is
allocated to are a ``ledger.Settled``.

Each check either returns what it resolved or raises one 400 ``validation_error``
naming every offending field (``customer_id``, ``allocations[1].invoice_id``, …).
``check_allocations`` locks the target documents (PostgreSQL row locks, in id order)
and computes what is still open from the allocations of *other* payments, so it is
right for creates and for updates that replace a payment's own allocations; call it
inside the write transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from thred_django.sandbox import ledger, readings, rows
from thred_django.sandbox.errors import field_error, validation_failed
from thred_django.sandbox.tables import Business


@dataclass(frozen=True)
class Party:
    """A counterparty kind (customer, vendor): its model, and the column values an
    archived one has."""

    name: str
    model: type[Model]
    archived: dict[str, Any]

    def is_archived(self, party: Any) -> bool:
        return all(getattr(party, key) == value for key, value in self.archived.items())


def resolve(
    party_kind: Party, business: Business, cleaned: dict[str, Any], *, new_document: bool = False
) -> Any:
    """The customer or vendor named by ``<role>_id`` or ``<role>_external_id``."""
    role = party_kind.name
    if cleaned.get(f"{role}_id"):
        field, lookup = f"{role}_id", {"id": cleaned[f"{role}_id"]}
    else:
        field, lookup = f"{role}_external_id", {"external_id": cleaned[f"{role}_external_id"]}
    found = rows.find(party_kind.model, business=business, **lookup)
    party = found[0] if found else None
    if party is None:
        label = role.capitalize()
        raise field_error(
            field, f"{label} {next(iter(lookup.values()))} does not exist in this business."
        )
    refused = readings.ARCHIVED_COUNTERPARTY_REFUSES_NEW_DOCUMENTS
    if new_document and refused and party_kind.is_archived(party):
        raise field_error(field, f"The {role} is archived; unarchive it first.")
    return party


def check_external_id_free(
    model: type[Model], business: Business, external_id: str, own_id: Any
) -> None:
    """400 on ``external_id`` when another object of the business already uses it."""
    taken = model._default_manager.filter(business=business, external_id=external_id)
    if taken.exclude(id=own_id).exists():
        raise field_error("external_id", f"external_id {external_id!r} is already used.")


def check_allocations(
    kind: ledger.Settled,
    business: Business,
    party: Any,
    allocations: Sequence[dict[str, Any]],
    *,
    amount_key: str = "amount_cents",
    exclude: dict[str, Any] | None = None,
    locked: dict[str, Any] | None = None,
) -> list[tuple[Any, int]]:
    """The ``kind``'s documents (invoices, bills) exist, belong to ``party``, are not
    voided and are open enough for their allocations; ``(document, amount)`` pairs.

    ``exclude`` leaves out one payment's own allocations (``{"payment_id": id}``);
    ``locked`` are the documents the caller already locked (``ledger.lock``).
    """
    document, role = kind.name, kind.role
    id_key = f"{document}_id"
    if locked is None:
        locked = ledger.lock(kind, business, (a[id_key] for a in allocations))
    taken: dict[str, int] = {}
    parts = [
        (source, exclude if exclude and set(exclude) == {f"{source.owner}_id"} else None)
        for source in kind.sources
    ]
    for sums in ledger.totals_of(parts, list(locked)):  # every source in one statement
        for key, total in sums.items():
            taken[str(key)] = taken.get(str(key), 0) + total
    errors: dict[str, list[str]] = {}
    resolved: list[tuple[Any, int]] = []
    for index, allocation in enumerate(allocations):
        found = locked.get(allocation[id_key])
        key = f"allocations[{index}]"
        if found is None:
            message = (
                f"{document.capitalize()} {allocation[id_key]} does not exist in this business."
            )
            errors.setdefault(f"{key}.{id_key}", []).append(message)
            continue
        if getattr(found, f"{role}_id") != party.id:
            errors.setdefault(f"{key}.{id_key}", []).append(
                f"The {document} belongs to another {role}."
            )
        elif getattr(found, "voided_at", None) is not None:
            errors.setdefault(f"{key}.{id_key}", []).append(f"The {document} is voided.")
        open_cents = max(0, found.total_cents - taken.get(str(found.id), 0))
        if allocation[amount_key] > open_cents:
            errors.setdefault(f"{key}.{amount_key}", []).append(
                f"Exceeds the {document}'s outstanding amount ({open_cents})."
            )
        resolved.append((found, allocation[amount_key]))
    if errors:
        raise validation_failed(errors)
    return resolved
