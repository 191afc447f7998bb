"""Balances and statuses derived from allocations, recomputed after every change.

One ``Settled`` per kind of document money is allocated to (invoices, bills, declared
in their kind modules) says where its money comes from: each kind whose rows pay into
it adds its ``Source`` (``pays_into``: payment allocations, vendor-credit allocations)
and each that takes money back out adds its own (``refunds_from``: refunds).
``refresh(kind, documents)`` recomputes what each document has received (rows of
its sources that count), refunded, its status and ``paid_at``, then whatever depends
on them (``after``: the customers' outstanding balances, for invoices).

Call it inside the write transaction, after the allocations changed. It takes
instances already locked in this transaction (updated in place, so a response can be
rendered without reading them again) or ids (locked here), and costs a fixed number of
queries however many documents it touches. ``lock`` takes row locks (PostgreSQL) in id
order, so concurrent allocations to one document cannot overspend it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Sum
from django.utils import timezone

from thred_django.sandbox.tables import Business


@dataclass(frozen=True)
class Source:
    """Rows whose ``amount_cents`` count towards a document (``key``: the document fk);
    ``owner``: the fk to the object they belong to (a payment), so an update of that
    object can leave its own rows out."""

    model: type[Model]
    key: str
    active: dict[str, Any]  # the filter of the rows that count
    owner: str = ""


@dataclass(eq=False)
class Settled:
    name: str  # invoice, bill
    model: type[Model]
    role: str  # its counterparty: customer, vendor
    received: str  # the column holding what the document has received
    status: Callable[[Any], str]
    refunded: str = ""  # the column holding what was refunded of it (invoices)
    after: Callable[[list[Any]], None] | None = None  # runs after a refresh
    sources: list[Source] = field(default_factory=list)
    refunds: list[Source] = field(default_factory=list)

    def pays_into(self, source: Source) -> None:
        """Rows of ``source`` count towards what these documents have received."""
        if source not in self.sources:  # a module imported again adds nothing twice
            self.sources.append(source)

    def refunds_from(self, source: Source) -> None:
        """Rows of ``source`` are refunds of these documents (``refunded``)."""
        if source not in self.refunds:
            self.refunds.append(source)


def lock(kind: Settled, business: Business, ids: Iterable[Any]) -> dict[str, Any]:
    """The business's documents with these ids, row-locked in id order, by str(id)."""
    wanted = sorted({str(i) for i in ids})
    rows = kind.model._default_manager.select_for_update().filter(business=business, id__in=wanted)
    return {str(row.pk): row for row in rows.order_by("id")}


def totals(source: Source, keys: Iterable[Any], exclude: dict[str, Any] | None = None) -> dict:
    """``{document id: sum of amount_cents}`` of the source's counting rows."""
    rows = source.model._default_manager.filter(
        **{f"{source.key}__in": list(keys)}, **source.active
    )
    if exclude:
        rows = rows.exclude(**exclude)
    grouped = rows.values_list(source.key).annotate(total=Sum("amount_cents")).order_by()
    return {row[0]: int(row[1] or 0) for row in grouped}


def summed(sources: Iterable[Source], keys: list[Any]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for source in sources:
        for key, total in totals(source, keys).items():
            out[key] = out.get(key, 0) + total
    return out


def _locked(model: type[Model], given: Iterable[Any]) -> list[Any]:
    """Instances as given, plus the ids given, loaded with row locks (in id order)."""
    items = list(given)
    instances = [item for item in items if isinstance(item, model)]
    known = {str(obj.pk) for obj in instances}
    ids = sorted({str(item) for item in items if not isinstance(item, model)} - known)
    if ids:
        more = model._default_manager.select_for_update().filter(id__in=ids).order_by("id")
        instances += list(more)
    return instances


def refresh(kind: Settled, documents: Iterable[Any]) -> None:
    """Recompute documents given as locked instances (updated in place) or ids."""
    instances = _locked(kind.model, documents)
    if not instances:
        return
    keys = [doc.pk for doc in instances]
    received = summed(kind.sources, keys)
    refunded = summed(kind.refunds, keys) if kind.refunded else {}
    now = timezone.now()
    for doc in instances:
        setattr(doc, kind.received, received.get(doc.pk, 0))
        if kind.refunded:
            setattr(doc, kind.refunded, refunded.get(doc.pk, 0))
        doc.status = kind.status(doc)
        doc.paid_at = (doc.paid_at or now) if doc.status == "PAID" else None
        doc.updated_at = now
    fields = [kind.received, "status", "paid_at", "updated_at"]
    kind.model._default_manager.bulk_update(
        instances, [*fields, kind.refunded] if kind.refunded else fields
    )
    if kind.after is not None:
        kind.after(instances)


def refresh_existing(kind: Settled, ids: Iterable[Any]) -> Callable[[], None]:
    """A call recomputing those of the documents that still exist then (``tamper``)."""
    wanted = set(ids)

    def run() -> None:
        found = kind.model._default_manager.filter(id__in=wanted)
        refresh(kind, list(found.values_list("id", flat=True)))

    return run


def outstanding(kind: Settled, document: Any) -> int:
    return max(0, document.total_cents - getattr(document, kind.received))
