"""Balances and statuses derived from allocations, recomputed after every change.

Call these inside the write transaction, after the allocations changed:

* ``refresh_invoices`` — received (allocations of payments in
  ``ALLOCATING_PAYMENT_STATUSES``), refunded, status and paid_at of invoices, then the
  customers' outstanding balance.
* ``refresh_bills`` — paid (bill-payment allocations in
  ``ALLOCATING_BILL_PAYMENT_STATUSES`` plus vendor-credit allocations) and status.
* ``refresh_refund`` — paid back and status pending → processing → paid.

``lock_invoices`` / ``lock_bills`` take row locks (PostgreSQL) in id order, so
concurrent allocations to one document cannot overspend it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone

from thred_django.client import gaps
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


def refresh_invoices(invoice_ids: Iterable[Any]) -> None:
    ids = sorted({str(i) for i in invoice_ids})
    if not ids:
        return
    customers: set[Any] = set()
    for invoice in Invoice.objects.select_for_update().filter(id__in=ids).order_by("id"):
        invoice.received_cents = _sum(
            PaymentAllocation.objects.filter(
                invoice=invoice, payment__status__in=gaps.ALLOCATING_PAYMENT_STATUSES
            ),
            "amount_cents",
        )
        invoice.refunded_cents = _sum(Refund.objects.filter(invoice=invoice), "amount_cents")
        invoice.status = invoice_status(invoice)
        if invoice.status == "PAID":
            invoice.paid_at = invoice.paid_at or timezone.now()
        else:
            invoice.paid_at = None
        invoice.updated_at = timezone.now()
        invoice.save(
            update_fields=["received_cents", "refunded_cents", "status", "paid_at", "updated_at"]
        )
        customers.add(invoice.customer_id)
    refresh_customers(customers)


def refresh_customers(customer_ids: Iterable[Any]) -> None:
    for customer_id in customer_ids:
        outstanding = _sum(
            Invoice.objects.filter(customer_id=customer_id).exclude(status="VOID"),
            F("total_cents") - F("received_cents"),  # type: ignore[arg-type]
        )
        Customer.objects.filter(id=customer_id).update(outstanding_cents=outstanding)


def bill_status(bill: Bill) -> str:
    if bill.paid_cents >= bill.total_cents:
        return "PAID"
    return "PARTIALLY_PAID" if bill.paid_cents > 0 else "OPEN"


def refresh_bills(bill_ids: Iterable[Any]) -> None:
    ids = sorted({str(i) for i in bill_ids})
    for bill in Bill.objects.select_for_update().filter(id__in=ids).order_by("id"):
        paid = _sum(
            BillPaymentAllocation.objects.filter(
                bill=bill, bill_payment__status__in=gaps.ALLOCATING_BILL_PAYMENT_STATUSES
            ),
            "amount_cents",
        )
        bill.paid_cents = paid + _sum(
            VendorCreditAllocation.objects.filter(bill=bill), "amount_cents"
        )
        bill.status = bill_status(bill)
        bill.paid_at = (bill.paid_at or timezone.now()) if bill.status == "PAID" else None
        bill.updated_at = timezone.now()
        bill.save(update_fields=["paid_cents", "status", "paid_at", "updated_at"])


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
    """What a new refund of ``invoice`` may take (see gaps.REFUND_LIMIT)."""
    if invoice.voided_at is not None:
        return 0
    return max(0, invoice.total_cents - invoice.refunded_cents)


def invoice_outstanding_cents(invoice: Invoice) -> int:
    return max(0, invoice.total_cents - invoice.received_cents)


def bill_outstanding_cents(bill: Bill) -> int:
    return max(0, bill.total_cents - bill.paid_cents)
