"""Balances and statuses derived from allocations, recomputed after every change.

Call these inside the write transaction, after the allocations changed:

* ``refresh_invoices`` — received (allocations of payments in
  ``ALLOCATING_PAYMENT_STATUSES``), refunded, status and paid_at of invoices, then the
  customers' outstanding balance (``refresh_customers``).
* ``refresh_bills`` — paid (bill-payment allocations in
  ``ALLOCATING_BILL_PAYMENT_STATUSES`` plus vendor-credit allocations) and status.
* ``refresh_refund`` — paid back and status pending → processing → paid.

The refreshers take instances already locked in this transaction (updated in place, so
a response can be rendered without reading them again) or ids (locked here), and cost
a fixed number of queries however many documents they touch. ``lock_invoices`` /
``lock_bills`` take row locks (PostgreSQL) in id order, so concurrent allocations to
one document cannot overspend it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone

from thred_django.sandbox import readings
from thred_django.sandbox.models import (
    Bill,
    BillPaymentAllocation,
    Business,
    Customer,
    Invoice,
    PaymentAllocation,
    Refund,
    RefundPayment,
    VendorCreditAllocation,
)


def _sum(queryset: Any, field: str) -> int:
    return int(queryset.aggregate(total=Sum(field))["total"] or 0)


def lock_invoices(business: Business, ids: Iterable[Any]) -> dict[str, Invoice]:
    wanted = sorted({str(i) for i in ids})
    rows = (
        Invoice.objects.select_for_update().filter(business=business, id__in=wanted).order_by("id")
    )
    return {str(invoice.id): invoice for invoice in rows}


def lock_bills(business: Business, ids: Iterable[Any]) -> dict[str, Bill]:
    wanted = sorted({str(i) for i in ids})
    rows = Bill.objects.select_for_update().filter(business=business, id__in=wanted).order_by("id")
    return {str(bill.id): bill for bill in rows}


def invoice_status(invoice: Invoice) -> str:
    if invoice.voided_at is not None:
        return "VOID"
    if invoice.received_cents >= invoice.total_cents:
        return "PAID"
    return "PARTIALLY_PAID" if invoice.received_cents > 0 else "SENT"


def _locked(model: Any, given: Iterable[Any]) -> list[Any]:
    """Instances as given, plus the ids given, loaded with row locks (in id order)."""
    items = list(given)
    instances = [item for item in items if isinstance(item, model)]
    known = {str(obj.id) for obj in instances}
    ids = sorted({str(item) for item in items if not isinstance(item, model)} - known)
    if ids:
        instances += list(model.objects.select_for_update().filter(id__in=ids).order_by("id"))
    return instances


def _totals(queryset: Any, key: str) -> dict[Any, int]:
    rows = queryset.values_list(key).annotate(total=Sum("amount_cents")).order_by()
    return {row[0]: int(row[1] or 0) for row in rows}


def refresh_invoices(invoices: Iterable[Any]) -> None:
    """Recompute invoices given as locked instances (updated in place) or ids."""
    instances = _locked(Invoice, invoices)
    if not instances:
        return
    keys = [invoice.id for invoice in instances]
    received = _totals(
        PaymentAllocation.objects.filter(
            invoice_id__in=keys, payment__status__in=readings.ALLOCATING_PAYMENT_STATUSES
        ),
        "invoice_id",
    )
    refunded = _totals(Refund.objects.filter(invoice_id__in=keys), "invoice_id")
    now = timezone.now()
    for invoice in instances:
        invoice.received_cents = received.get(invoice.id, 0)
        invoice.refunded_cents = refunded.get(invoice.id, 0)
        invoice.status = invoice_status(invoice)
        invoice.paid_at = (invoice.paid_at or now) if invoice.status == "PAID" else None
        invoice.updated_at = now
    fields = ["received_cents", "refunded_cents", "status", "paid_at", "updated_at"]
    Invoice.objects.bulk_update(instances, fields)
    loaded = [i.customer for i in instances if Invoice.customer.is_cached(i)]
    refresh_customers({invoice.customer_id for invoice in instances}, loaded)


def refresh_customers(customer_ids: Iterable[Any], loaded: Iterable[Customer] = ()) -> None:
    """Recompute outstanding balances; instances in ``loaded`` are updated in place."""
    ids = set(customer_ids)
    if not ids:
        return
    rows = (
        Invoice.objects.filter(customer_id__in=ids)
        .exclude(status="VOID")
        .values_list("customer_id")
        .annotate(total=Sum(F("total_cents") - F("received_cents")))
        .order_by()
    )
    outstanding = {row[0]: int(row[1] or 0) for row in rows}
    for customer_id in ids:
        Customer.objects.filter(id=customer_id).update(
            outstanding_cents=outstanding.get(customer_id, 0)
        )
    for customer in loaded:
        customer.outstanding_cents = outstanding.get(customer.id, 0)


def bill_status(bill: Bill) -> str:
    if bill.paid_cents >= bill.total_cents:
        return "PAID"
    return "PARTIALLY_PAID" if bill.paid_cents > 0 else "OPEN"


def refresh_bills(bills: Iterable[Any]) -> None:
    """Recompute bills given as locked instances (updated in place) or ids."""
    instances = _locked(Bill, bills)
    if not instances:
        return
    keys = [bill.id for bill in instances]
    paid = _totals(
        BillPaymentAllocation.objects.filter(
            bill_id__in=keys, bill_payment__status__in=readings.ALLOCATING_BILL_PAYMENT_STATUSES
        ),
        "bill_id",
    )
    credited = _totals(VendorCreditAllocation.objects.filter(bill_id__in=keys), "bill_id")
    now = timezone.now()
    for bill in instances:
        bill.paid_cents = paid.get(bill.id, 0) + credited.get(bill.id, 0)
        bill.status = bill_status(bill)
        bill.paid_at = (bill.paid_at or now) if bill.status == "PAID" else None
        bill.updated_at = now
    Bill.objects.bulk_update(instances, ["paid_cents", "status", "paid_at", "updated_at"])


def refund_status(paid: int, amount: int) -> str:
    if paid <= 0:
        return "pending"
    return "paid" if paid >= amount else "processing"


def refresh_refund(refund: Refund) -> None:
    refund.paid_cents = _sum(RefundPayment.objects.filter(refund=refund), "amount_cents")
    refund.status = refund_status(refund.paid_cents, refund.amount_cents)
    refund.updated_at = timezone.now()
    refund.save(update_fields=["paid_cents", "status", "updated_at"])


def invoice_refundable_cents(invoice: Invoice) -> int:
    """What a new refund of ``invoice`` may take (the total minus earlier refunds: ``readings``)."""
    if invoice.voided_at is not None:
        return 0
    return max(0, invoice.total_cents - invoice.refunded_cents)


def invoice_outstanding_cents(invoice: Invoice) -> int:
    return max(0, invoice.total_cents - invoice.received_cents)


def bill_outstanding_cents(bill: Bill) -> int:
    return max(0, bill.total_cents - bill.paid_cents)
