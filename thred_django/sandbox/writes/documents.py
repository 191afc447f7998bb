"""Invoices and bills: create (idempotent on external_id) and PUT, each configured by
a ``Document`` in its kind module.

A document needs an existing, active counterparty (``<role>_id`` or
``<role>_external_id``). PUT keeps omitted fields and, when ``line_items`` is sent,
replaces all lines: the new total may not be negative nor fall below what the document
has received (or, for invoices, refunded). A voided invoice cannot be updated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import ledger, readings, rows
from thred_django.sandbox.errors import conflict, field_error
from thred_django.sandbox.references import Party, check_external_id_free, resolve
from thred_django.sandbox.rows import insert
from thred_django.sandbox.tables import Business
from thred_django.sandbox.views.base import SandboxAPIView, echo
from thred_django.sandbox.writes import common


@dataclass(frozen=True)
class Document:
    resource: str
    settled: ledger.Settled  # its model and balances
    party: Party  # its counterparty: customer, vendor
    total: Callable[[Mapping[str, Any]], int]
    columns: tuple[str, ...]  # body fields kept as columns on create
    put_columns: tuple[str, ...]  # … and on PUT
    moves: Callable[[Any, dict[str, Any]], bool]  # does a PUT name another counterparty?
    currency: Callable[[Business, dict[str, Any]], str]
    query: Callable[[], Any]
    render: Callable[[Any], dict[str, Any]]
    body_required: bool = False  # the update's body (the invoice PUT's is documented)
    # Recomputes the counterparties' balances: (their ids, instances to update in place).
    parties_changed: Callable[[Iterable[Any], Iterable[Any]], None] | None = None
    # Renders a new document as built (``common.create``): its own columns and its
    # counterparty (its balance refreshed in place); it has no allocations yet.
    render_new: Callable[[Any], dict[str, Any]] | None = None
    # Stores a new document and refreshes its counterparty's balance (instead of
    # ``insert`` then ``parties_changed``), in one statement where ``rows.together``.
    store_new: Callable[[Any, Any], None] | None = None

    @property
    def model(self) -> type[Any]:
        return self.settled.model

    @property
    def role(self) -> str:
        return self.party.name


def create(d: Document, v: SandboxAPIView) -> Response:
    business = v.business

    def build(data: dict[str, Any], cleaned: dict[str, Any]) -> Any:
        party = resolve(d.party, business, cleaned, new_document=True)
        doc = d.model(
            business=business,
            external_id=cleaned["external_id"],
            currency=d.currency(business, cleaned),
            total_cents=d.total(cleaned),
            data=echo(data, cleaned),
            **{d.role: party},
            **{key: cleaned.get(key, "" if key.endswith("number") else None) for key in d.columns},
        )
        doc.status = d.settled.status(doc)
        doc.paid_at = timezone.now() if doc.status == "PAID" else None
        if d.store_new is not None:
            d.store_new(doc, party)
        else:
            insert([doc])
            if d.parties_changed is not None:
                d.parties_changed([party.id], [party])
        return doc

    # The build reads its counterparty and inserts: one write, no transaction needed,
    # without counterparty balances to refresh (bills) or when the insert refreshes
    # them in the same statement (invoices, PostgreSQL).
    one_write = d.parties_changed is None or (d.store_new is not None and rows.together(d.model))
    return common.create(
        v, d.resource, d.query, build, d.render, built=d.render_new, one_write=one_write
    )


def update(d: Document, v: SandboxAPIView, object_id: str) -> Response:
    if d.body_required:
        v.require_body()
    doc = v.get_owned(d.model._default_manager, object_id, d.resource)
    v.log.external_id = doc.external_id or ""
    data = v.payload()
    cleaned = v.clean(d.resource, "update", data)
    with transaction.atomic():
        _put(d, v, d.model._default_manager.select_for_update().get(id=doc.id), data, cleaned)
    return Response(d.render(d.query().get(id=doc.id)))


def _put(d: Document, v: SandboxAPIView, doc: Any, data: dict, cleaned: dict) -> None:
    if getattr(doc, "voided_at", None) is not None:
        raise conflict(readings.ERROR_INVOICE_VOIDED, "A voided invoice cannot be updated.")
    old_party = getattr(doc, f"{d.role}_id")
    if d.moves(doc, cleaned):
        party = resolve(d.party, v.business, cleaned, new_document=True)
        if party.id != old_party and getattr(doc, d.settled.received):
            raise field_error(
                f"{d.role}_id", f"The {d.resource} has payments; its {d.role} is fixed."
            )
        setattr(doc, d.role, party)
    if "external_id" in cleaned and cleaned["external_id"] != doc.external_id:
        check_external_id_free(d.model, v.business, cleaned["external_id"], doc.id)
        doc.external_id = cleaned["external_id"]
    merged = {**doc.data, **echo(data, cleaned)}
    total = d.total(merged)
    if total < readings.DOCUMENT_TOTAL_MIN_CENTS:
        raise field_error("line_items", f"The document total may not be negative ({total}).")
    floor = max(getattr(doc, d.settled.received), getattr(doc, "refunded_cents", 0))
    if total < floor:
        raise field_error(
            "line_items",
            f"The new total {total} is below what the {d.resource} has received or "
            f"refunded ({floor}).",
        )
    doc.data = merged
    doc.total_cents = total
    for key in d.put_columns:
        if key in cleaned:
            setattr(doc, key, cleaned[key])
    doc.updated_at = timezone.now()
    doc.save()
    ledger.refresh(d.settled, [doc])
    if d.parties_changed is not None:
        d.parties_changed({old_party, getattr(doc, f"{d.role}_id")}, ())
