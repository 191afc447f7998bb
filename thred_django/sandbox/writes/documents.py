"""Invoices and bills: create (idempotent on external_id), PUT; invoice void.

A document needs an existing, active counterparty (``<role>_id`` or
``<role>_external_id``). PUT keeps omitted fields and, when ``line_items`` is sent,
replaces all lines: the new total may not be negative nor fall below what the document
has received (or, for invoices, refunded). A voided invoice cannot be updated; void is
refused while payments are allocated to the invoice or it has refunds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import ledger, queries, readings
from thred_django.sandbox import models as m
from thred_django.sandbox import render as r
from thred_django.sandbox.errors import conflict, field_error
from thred_django.sandbox.references import check_external_id_free, resolve
from thred_django.sandbox.schemas import totals
from thred_django.sandbox.views.base import SandboxAPIView, echo
from thred_django.sandbox.writes import common


@dataclass(frozen=True)
class Document:
    resource: str
    model: type[m.Invoice] | type[m.Bill]
    role: str  # customer, vendor
    total: Callable[[dict[str, Any]], int]
    columns: tuple[str, ...]  # body fields kept as columns on create
    put_columns: tuple[str, ...]  # … and on PUT
    moves: Callable[[Any, dict[str, Any]], bool]  # does a PUT name another counterparty?
    currency: Callable[[m.Business, dict[str, Any]], str]
    query: Callable[[], Any]
    render: Callable[[Any], dict[str, Any]]

    @property
    def settled(self) -> ledger.Settled:
        return ledger.SETTLED[self.resource]


def create(d: Document, v: SandboxAPIView) -> Response:
    business = v.business

    def build(data: dict[str, Any], cleaned: dict[str, Any]) -> Any:
        party = resolve(d.role, business, cleaned, new_document=True)
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
        doc.save(force_insert=True)
        if d.role == "customer":
            ledger.refresh_customers([party.id], [party])
        return doc

    return common.create(v, d.resource, d.query, build, d.render)


def update(d: Document, v: SandboxAPIView, object_id: str) -> Response:
    if d.resource == "invoice":
        v.require_body()  # documented as required (the bill PUT's is optional)
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
        party = resolve(d.role, v.business, cleaned, new_document=True)
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
    if d.role == "customer":
        ledger.refresh_customers({old_party, doc.customer_id})


def void(v: SandboxAPIView, object_id: str) -> Response:
    invoice = v.get_owned(m.Invoice.objects, object_id, "invoice")
    v.log.external_id = invoice.external_id or ""
    with transaction.atomic():
        invoice = m.Invoice.objects.select_for_update().get(id=invoice.id)
        if invoice.voided_at is not None:
            raise conflict(readings.ERROR_INVOICE_ALREADY_VOIDED, "The invoice is already voided.")
        if invoice.received_cents and readings.VOID_REFUSED_WITH_PAYMENTS:
            raise conflict(
                readings.ERROR_INVOICE_HAS_PAYMENTS,
                "The invoice has payments allocated; cancel them before voiding.",
            )
        if invoice.refunded_cents and readings.VOID_REFUSED_WITH_PAYMENTS:
            raise conflict(
                readings.ERROR_INVOICE_HAS_REFUNDS,
                "The invoice has refunds; its revenue is already (partly) reversed.",
            )
        invoice.voided_at = timezone.now()
        invoice.status = ledger.invoice_status(invoice)
        invoice.paid_at = None
        invoice.updated_at = invoice.voided_at
        invoice.save()
        ledger.refresh_customers([invoice.customer_id])
    return Response(r.invoice(queries.invoices().get(id=invoice.id)))


INVOICE = Document(
    resource="invoice",
    model=m.Invoice,
    role="customer",
    total=totals.invoice,
    columns=("invoice_number", "sent_at", "due_at", "voided_at"),
    put_columns=("invoice_number", "sent_at", "due_at"),  # voiding is its own call
    moves=lambda doc, cleaned: (
        cleaned.get("customer_id", str(doc.customer_id)) != str(doc.customer_id)
    ),
    currency=lambda business, cleaned: business.base_currency,
    query=queries.invoices,
    render=r.invoice,
)

BILL = Document(
    resource="bill",
    model=m.Bill,
    role="vendor",
    total=totals.bill,
    columns=("bill_number", "due_at"),
    put_columns=("bill_number", "currency", "due_at"),
    moves=lambda doc, cleaned: bool(cleaned.get("vendor_id") or cleaned.get("vendor_external_id")),
    currency=lambda business, cleaned: cleaned.get("currency") or business.base_currency,
    query=queries.bills,
    render=r.bill,
)
