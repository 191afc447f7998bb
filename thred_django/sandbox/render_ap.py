"""JSON representations of AP documents: bills, bill payments and vendor credits
(shapes and conventions as described in ``render``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from thred_django.sandbox import ledger
from thred_django.sandbox.models import Bill, BillPayment, BillPaymentAllocation, VendorCredit
from thred_django.sandbox.render import (
    day,
    display_name,
    line_id,
    number,
    sid,
    strings,
    ts,
    vendor_json,
    without_nulls,
)
from thred_django.sandbox.schemas import totals


def _bill_lines(bill: Bill) -> list[dict[str, Any]]:
    lines = []
    for index, line in enumerate(bill.data.get("line_items", [])):
        subtotal = totals.subtotal(line)
        total = totals.bill_line(line)
        lines.append(
            {
                **line,
                "quantity": number(line.get("quantity")),
                "id": line_id(bill, index),
                "bill_id": str(bill.id),
                "currency": bill.currency,
                "subtotal": subtotal,
                "sales_taxes_total": total - subtotal,
                "total_amount": total,
                "tax_rate": round((total - subtotal) / subtotal, 6) if subtotal else 0,
            }
        )
    return lines


def bill_json(b: Bill) -> dict[str, Any]:
    """A bill (expects vendor, payment_allocations__bill_payment, credit_allocations)."""
    d = b.data
    open_status = b.status in ("OPEN", "PARTIALLY_PAID")
    return without_nulls(
        {
            "type": "Bill",
            "id": str(b.id),
            "business_id": str(b.business_id),
            "external_id": b.external_id,
            "status": b.status,
            "terms": d.get("terms", ""),
            "bill_number": b.bill_number,
            **strings(d, "vendor_bill_number", "purchase_order_number", "memo"),
            "issue_date": d.get("bill_date"),
            "bill_date": d.get("bill_date"),
            "received_at": d.get("received_at"),
            "approved_at": d.get("approved_at"),
            "due_at": ts(b.due_at),
            "paid_at": ts(b.paid_at),
            "voided_at": None,
            "is_overdue": bool(open_status and b.due_at and b.due_at < timezone.now()),
            "currency": b.currency,
            "vendor_id": str(b.vendor_id),
            "vendor": vendor_json(b.vendor),
            "reference_numbers": d.get("reference_numbers", []),
            "attachment_urls": d.get("attachment_urls", []),
            "line_items": _bill_lines(b),
            "total_amount": b.total_cents,
            "total_amount_cents": b.total_cents,
            "paid_amount_cents": b.paid_cents,
            "outstanding_amount_cents": ledger.bill_outstanding_cents(b),
            "bill_payment_allocations": [
                {
                    "bill_payment_id": str(a.bill_payment_id),
                    "amount_cents": a.amount_cents,
                    "payment_date": day(a.bill_payment.payment_date),
                    "payment_method": a.bill_payment.payment_method,
                    "status": a.bill_payment.status,
                }
                for a in b.payment_allocations.all()
            ],
            "vendor_credit_allocations": [
                {"vendor_credit_id": str(a.vendor_credit_id), "amount_cents": a.amount_cents}
                for a in b.credit_allocations.all()
            ],
            "created_at": ts(b.created_at),
            "updated_at": ts(b.updated_at),
        },
        "received_at",
    )


def bill_payment_json(
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


def vendor_credit_json(c: VendorCredit) -> dict[str, Any]:
    """A vendor credit (expects vendor and allocations__bill loaded)."""
    d = c.data
    return without_nulls(
        {
            "id": str(c.id),
            "business_id": str(c.business_id),
            "external_id": c.external_id,
            "status": c.status,
            "received_at": d.get("received_at"),
            "vendor_id": str(c.vendor_id),
            "vendor": {
                "id": str(c.vendor_id),
                "external_id": c.vendor.external_id,
                "display_name": display_name(c.vendor),
            },
            "source_bill_id": sid(d.get("source_bill_id")),
            "line_items": d.get("line_items", []),
            "allocations": [
                {
                    "bill_id": str(a.bill_id),
                    "bill_number": a.bill.bill_number,
                    "amount": a.amount_cents,
                    "amount_cents": a.amount_cents,
                    "bill_outstanding_balance_cents": ledger.bill_outstanding_cents(a.bill),
                    "applied_at": ts(a.created_at),
                }
                for a in c.allocations.all()
            ],
            "tags": d.get("tags", []),
            "total_amount": c.total_cents,
            "total_amount_cents": c.total_cents,
            "applied_amount": c.applied_cents,
            "applied_amount_cents": c.applied_cents,
            "currency": c.currency,
            "document": None,
            "created_at": ts(c.created_at),
            "updated_at": ts(c.updated_at),
        },
        "received_at",
        "document",
    )
