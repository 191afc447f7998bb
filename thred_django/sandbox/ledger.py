"""Balances and statuses derived from allocations, recomputed after every change.

One description per kind of document money is allocated to (``Settled``: invoices,
bills) says where its money comes from; ``refresh(kind, documents)`` recomputes what
it has received (allocations of payments in an allocating status, plus vendor-credit
allocations for bills), refunds (invoices), status and ``paid_at``, then the
customers' outstanding balances (invoices). ``refresh_refund`` recomputes a refund's
paid-back amount and its status pending → processing → paid.

Call them inside the write transaction, after the allocations changed. They take
instances already locked in this transaction (updated in place, so a response can be
rendered without reading them again) or ids (locked here), and cost a fixed number of
queries however many documents they touch. ``lock`` takes row locks (PostgreSQL) in id
order, so concurrent allocations to one document cannot overspend it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Model, Sum
from django.utils import timezone

from thred_django.sandbox import models as m
from thred_django.sandbox import readings


def invoice_status(invoice: m.Invoice) -> str:
    if invoice.voided_at is not None:
        return "VOID"
    if invoice.received_cents >= invoice.total_cents:
        return "PAID"
    return "PARTIALLY_PAID" if invoice.received_cents > 0 else "SENT"


def bill_status(bill: m.Bill) -> str:
    if bill.paid_cents >= bill.total_cents:
        return "PAID"
    return "PARTIALLY_PAID" if bill.paid_cents > 0 else "OPEN"


@dataclass(frozen=True)
class Source:
    """Rows whose ``amount_cents`` count towards a document (``key``: the document fk)."""

    model: type[Model]
    key: str
    active: dict[str, Any]  # the filter of the rows that count


@dataclass(frozen=True)
class Settled:
    model: type[Model]
    received: str  # the column holding what the document has received
    sources: tuple[Source, ...]
    status: Callable[[Any], str]
    refunds: Source | None = None  # invoices: refunds reduce what may be refunded again


INVOICE = Settled(
    m.Invoice,
    "received_cents",
    (
        Source(
            m.PaymentAllocation,
            "invoice_id",
            {"payment__status__in": readings.ALLOCATING_PAYMENT_STATUSES},
        ),
    ),
    invoice_status,
    refunds=Source(m.Refund, "invoice_id", {}),
)
BILL = Settled(
    m.Bill,
    "paid_cents",
    (
        Source(
            m.BillPaymentAllocation,
            "bill_id",
            {"bill_payment__status__in": readings.ALLOCATING_BILL_PAYMENT_STATUSES},
        ),
        Source(m.VendorCreditAllocation, "bill_id", {}),
    ),
    bill_status,
)
SETTLED = {"invoice": INVOICE, "bill": BILL}


def lock(kind: Settled, business: m.Business, ids: Iterable[Any]) -> dict[str, Any]:
    """The business's documents with these ids, row-locked in id order, by str(id)."""
    wanted = sorted({str(i) for i in ids})
    rows = kind.model._default_manager.select_for_update().filter(business=business, id__in=wanted)
    return {str(row.pk): row for row in rows.order_by("id")}


def lock_invoices(business: m.Business, ids: Iterable[Any]) -> dict[str, Any]:
    return lock(INVOICE, business, ids)


def totals(source: Source, keys: Iterable[Any], exclude: dict[str, Any] | None = None) -> dict:
    """``{document id: sum of amount_cents}`` of the source's counting rows."""
    rows = source.model._default_manager.filter(
        **{f"{source.key}__in": list(keys)}, **source.active
    )
    if exclude:
        rows = rows.exclude(**exclude)
    grouped = rows.values_list(source.key).annotate(total=Sum("amount_cents")).order_by()
    return {row[0]: int(row[1] or 0) for row in grouped}


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
    received: dict[Any, int] = {}
    for source in kind.sources:
        for key, total in totals(source, keys).items():
            received[key] = received.get(key, 0) + total
    refunded = totals(kind.refunds, keys) if kind.refunds else {}
    now = timezone.now()
    for doc in instances:
        setattr(doc, kind.received, received.get(doc.pk, 0))
        if kind.refunds:
            doc.refunded_cents = refunded.get(doc.pk, 0)
        doc.status = kind.status(doc)
        doc.paid_at = (doc.paid_at or now) if doc.status == "PAID" else None
        doc.updated_at = now
    fields = [kind.received, "status", "paid_at", "updated_at"]
    kind.model._default_manager.bulk_update(
        instances, [*fields, "refunded_cents"] if kind.refunds else fields
    )
    if kind is INVOICE:
        loaded = [i.customer for i in instances if m.Invoice.customer.is_cached(i)]
        refresh_customers({invoice.customer_id for invoice in instances}, loaded)


def refresh_invoices(invoices: Iterable[Any]) -> None:
    refresh(INVOICE, invoices)


def refresh_bills(bills: Iterable[Any]) -> None:
    refresh(BILL, bills)


def refresh_customers(customer_ids: Iterable[Any], loaded: Iterable[m.Customer] = ()) -> None:
    """Recompute outstanding balances; instances in ``loaded`` are updated in place."""
    ids = set(customer_ids)
    if not ids:
        return
    rows = (
        m.Invoice.objects.filter(customer_id__in=ids)
        .exclude(status="VOID")
        .values_list("customer_id")
        .annotate(total=Sum(F("total_cents") - F("received_cents")))
        .order_by()
    )
    outstanding = {row[0]: int(row[1] or 0) for row in rows}
    for customer_id in ids:
        m.Customer.objects.filter(id=customer_id).update(
            outstanding_cents=outstanding.get(customer_id, 0)
        )
    for customer in loaded:
        customer.outstanding_cents = outstanding.get(customer.id, 0)


def refund_status(paid: int, amount: int) -> str:
    if paid <= 0:
        return "pending"
    return "paid" if paid >= amount else "processing"


def refresh_refund(refund: m.Refund) -> None:
    paid = m.RefundPayment.objects.filter(refund=refund).aggregate(total=Sum("amount_cents"))
    refund.paid_cents = int(paid["total"] or 0)
    refund.status = refund_status(refund.paid_cents, refund.amount_cents)
    refund.updated_at = timezone.now()
    refund.save(update_fields=["paid_cents", "status", "updated_at"])


def invoice_refundable_cents(invoice: m.Invoice) -> int:
    """What a new refund of ``invoice`` may take (the total minus earlier refunds)."""
    if invoice.voided_at is not None:
        return 0
    return max(0, invoice.total_cents - invoice.refunded_cents)


def outstanding(kind: Settled, document: Any) -> int:
    return max(0, document.total_cents - getattr(document, kind.received))


def invoice_outstanding_cents(invoice: m.Invoice) -> int:
    return outstanding(INVOICE, invoice)


def bill_outstanding_cents(bill: m.Bill) -> int:
    return outstanding(BILL, bill)
