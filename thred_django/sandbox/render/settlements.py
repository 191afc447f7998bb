"""JSON of invoice payments and bill payments (see ``common`` for the conventions).

A payment has two documented shapes: the create / PATCH summary (``{"payment": …}``)
and the get / list detail, which carries every summary field too.
"""

from __future__ import annotations

from typing import Any

from thred_django.sandbox import ledger
from thred_django.sandbox.models import (
    BillPayment,
    BillPaymentAllocation,
    Payment,
    PaymentAllocation,
)
from thred_django.sandbox.render.common import day, display_amount, display_name, sid, strings, ts


def _allocated(payment: Payment) -> int:
    return sum(a.amount_cents for a in payment.allocations.all())


def payment_summary(
    p: Payment, allocations: list[PaymentAllocation] | None = None
) -> dict[str, Any]:
    """The create / PATCH shape (callers wrap it in ``{"payment": …}``).

    ``allocations`` (with their invoices) may be passed in when they are at hand, else
    they are read from ``p.allocations`` (prefetch them).
    """
    d = p.data
    rows = list(p.allocations.all()) if allocations is None else allocations
    allocated = sum(a.amount_cents for a in rows)
    return {
        "id": str(p.id),
        "business_id": str(p.business_id),
        "customer_id": str(p.customer_id),
        "external_id": p.external_id,
        "total_amount_cents": p.total_amount_cents,
        "applied_amount_cents": allocated,
        "allocated_amount_cents": allocated,
        "unapplied_amount_cents": p.total_amount_cents - allocated,
        "remaining_amount_cents": p.total_amount_cents - allocated,
        "processing_fee_cents": p.processing_fee_cents,
        "currency": p.currency,
        "status": p.status,
        "payment_date": day(p.payment_date),
        "payment_method": p.payment_method,
        "payment_processor": p.payment_processor,
        **strings(d, "payment_reference", "note", "bank_reference", "processor_reference"),
        "metadata": d.get("metadata", {}),
        "idempotency_key": p.idempotency_key,
        "payout_id": sid(p.payout_id),
        "created_at": ts(p.created_at),
        "updated_at": ts(p.updated_at),
        "applied_invoices": [
            {
                "id": str(a.invoice_id),
                "invoice_number": a.invoice.invoice_number,
                "applied_amount_cents": a.amount_cents,
                "status": a.invoice.status.lower(),
                "outstanding_amount_cents": ledger.invoice_outstanding_cents(a.invoice),
            }
            for a in rows
        ],
    }


def payment_detail(p: Payment) -> dict[str, Any]:
    """The get / list shape: the summary fields plus the documented detail fields."""
    allocated = _allocated(p)
    customer = p.customer
    net = p.total_amount_cents - p.processing_fee_cents
    return {
        **payment_summary(p),
        "customer": {
            "id": str(customer.id),
            "name": display_name(customer),
            "email": customer.email,
            "company_name": customer.company_name,
        },
        "customer_name": display_name(customer),
        "customer_email": customer.email,
        "total_amount": p.total_amount_cents,
        "allocated_amount": allocated,
        "unallocated_amount": p.total_amount_cents - allocated,
        "unallocated_amount_cents": p.total_amount_cents - allocated,
        "net_amount": net,
        "net_amount_cents": net,
        "processing_fee": p.processing_fee_cents,
        "display_amount": display_amount(p.total_amount_cents, p.currency),
        "is_fully_allocated": allocated >= p.total_amount_cents,
        "is_completed": p.status == "completed",
        "processed_at": ts(p.completed_at),
        "failed_at": ts(p.failed_at),
        "cancelled_at": ts(p.cancelled_at),
        "allocations": [
            {
                "id": str(a.id),
                "invoice_id": str(a.invoice_id),
                "invoice_number": a.invoice.invoice_number,
                "invoice_status": a.invoice.status,
                "amount": a.amount_cents,
                "amount_cents": a.amount_cents,
                "allocated_at": ts(a.created_at),
                "transaction_tags": [],
                "notes": "",
            }
            for a in p.allocations.all()
        ],
        "refund_allocations": [],
        "reconciled_bank_transactions": [],
    }


def cancellation(obj: Payment | BillPayment, message: str) -> dict[str, Any]:
    return {
        "message": message,
        "payment_id": str(obj.id),
        "status": obj.status,
        "updated_at": ts(obj.updated_at),
    }


def bill_payment(
    p: BillPayment, allocations: list[BillPaymentAllocation] | None = None
) -> dict[str, Any]:
    """A bill payment (expects vendor and allocations__bill loaded, or ``allocations``)."""
    d = p.data
    allocations = list(p.allocations.all()) if allocations is None else allocations
    allocated = sum(a.amount_cents for a in allocations)
    return {
        "id": str(p.id),
        "business_id": str(p.business_id),
        "vendor_id": str(p.vendor_id),
        "vendor_name": display_name(p.vendor),
        "external_id": p.external_id,
        "payment_reference": d.get("payment_reference", ""),
        "processor_payment_id": d.get("processor_payment_id", ""),
        "check_number": p.check_number,
        "amount_cents": p.amount_cents,
        "currency": p.currency,
        "processing_fee_cents": p.processing_fee_cents,
        "net_amount_cents": p.amount_cents - p.processing_fee_cents,
        "allocated_amount_cents": allocated,
        "unallocated_amount_cents": p.amount_cents - allocated,
        "is_fully_allocated": allocated >= p.amount_cents,
        "payment_method": p.payment_method,
        "status": p.status,
        "payment_date": day(p.payment_date),
        "value_date": day(p.payment_date),
        "submitted_at": ts(p.created_at),
        "completed_at": ts(p.completed_at),
        "failed_at": ts(p.failed_at),
        "cancelled_at": ts(p.cancelled_at),
        **strings(d, "description", "memo", "failure_reason"),
        "metadata": d.get("metadata", {}),
        "idempotency_key": p.idempotency_key,
        "allocations": [
            {
                "id": str(a.id),
                "bill_id": str(a.bill_id),
                "bill_number": a.bill.bill_number,
                "vendor_bill_number": a.bill.data.get("vendor_bill_number", ""),
                "bill_status": a.bill.status,
                "amount_cents": a.amount_cents,
                "allocation_date": ts(a.created_at),
                "created_at": ts(a.created_at),
                "description": a.description,
            }
            for a in allocations
        ],
        "vendor_refund_allocations": [],
        "reconciled_bank_transactions": [],
        "created_at": ts(p.created_at),
        "updated_at": ts(p.updated_at),
    }
