"""JSON representations of AR documents: invoices, payments, refunds, refund payments
and payouts (shapes and conventions as described in ``render``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from thred_django.sandbox import ledger
from thred_django.sandbox.models import (
    BillPayment,
    Invoice,
    Payment,
    PaymentAllocation,
    Payout,
    Refund,
    RefundPayment,
)
from thred_django.sandbox.render import (
    customer_json,
    day,
    display_amount,
    display_name,
    line_id,
    number,
    sid,
    strings,
    ts,
)
from thred_django.sandbox.schemas import totals


def _invoice_lines(invoice: Invoice) -> list[dict[str, Any]]:
    lines = []
    for index, line in enumerate(invoice.data.get("line_items", [])):
        subtotal = totals.subtotal(line)
        lines.append(
            {
                **line,
                "quantity": number(line.get("quantity")),
                "id": line_id(invoice, index),
                "subtotal": subtotal,
                "total_amount": totals.invoice_line(line),
                "currency": invoice.currency,
            }
        )
    return lines


def invoice_json(i: Invoice) -> dict[str, Any]:
    d = i.data
    open_status = i.status in ("SENT", "PARTIALLY_PAID")
    return {
        "type": "Invoice",
        "id": str(i.id),
        "business_id": str(i.business_id),
        "external_id": i.external_id,
        "status": i.status,
        "sent_at": ts(i.sent_at),
        "due_at": ts(i.due_at),
        "paid_at": ts(i.paid_at),
        "voided_at": ts(i.voided_at),
        "is_overdue": bool(open_status and i.due_at and i.due_at < timezone.now()),
        "invoice_number": i.invoice_number,
        "invoice_type": d.get("invoice_type", "invoice"),
        "currency": i.currency,
        "customer_id": str(i.customer_id),
        "customer": customer_json(i.customer),
        "memo": d.get("memo", ""),
        "line_items": _invoice_lines(i),
        "additional_discount": d.get("additional_discount", 0),
        "additional_sales_taxes": d.get("additional_sales_taxes", []),
        "additional_sales_taxes_total": d.get("additional_sales_taxes_total", 0),
        "tips": d.get("tips", 0),
        "tips_account": d.get("tips_account"),
        "transaction_tags": d.get("transaction_tags", []),
        "metadata": d.get("metadata", {}),
        "total_amount": i.total_cents,
        "total_amount_cents": i.total_cents,
        "amount_paid_cents": i.received_cents,
        "outstanding_amount_cents": ledger.invoice_outstanding_cents(i),
        "refunded_amount_cents": i.refunded_cents,
        "created_at": ts(i.created_at),
        "updated_at": ts(i.updated_at),
    }


def _allocated(payment: Payment) -> int:
    return sum(a.amount_cents for a in payment.allocations.all())


def payment_summary_json(
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


def payment_detail_json(p: Payment) -> dict[str, Any]:
    """The get / list shape: the summary fields plus the documented detail fields."""
    allocated = _allocated(p)
    customer = p.customer
    net = p.total_amount_cents - p.processing_fee_cents
    return {
        **payment_summary_json(p),
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


def cancellation_json(obj: Payment | BillPayment, message: str) -> dict[str, Any]:
    return {
        "message": message,
        "payment_id": str(obj.id),
        "status": obj.status,
        "updated_at": ts(obj.updated_at),
    }


def refund_payment_json(rp: RefundPayment) -> dict[str, Any]:
    d = rp.data
    fee = d.get("refund_processing_fee_cents", 0)
    return {
        "id": str(rp.id),
        "refund_id": str(rp.refund_id),
        "external_id": rp.external_id,
        "amount_cents": rp.amount_cents,
        "refunded_amount": rp.amount_cents,
        "refunded_amount_cents": rp.amount_cents,
        "refund_processing_fee": fee,
        "refund_processing_fee_cents": fee,
        "method": rp.method,
        **strings(d, "processor", "memo"),
        "transaction_tags": d.get("transaction_tags", []),
        "metadata": d.get("metadata", {}),
        "completed_at": ts(rp.completed_at),
        "payout_id": sid(rp.payout_id),
        "reconciled_bank_transactions": [],
        "created_at": ts(rp.created_at),
        "updated_at": ts(rp.updated_at),
    }


def refund_json(r: Refund) -> dict[str, Any]:
    d = r.data
    invoice = r.invoice
    return {
        "id": str(r.id),
        "business_id": str(r.business_id),
        "external_id": r.external_id,
        "invoice_id": str(r.invoice_id),
        "customer_id": str(r.customer_id),
        "customer_name": display_name(r.customer),
        "status": r.status,
        "method": r.method,
        "amount_cents": r.amount_cents,
        "refunded_amount": r.amount_cents,
        "paid_amount_cents": r.paid_cents,
        "remaining_amount_cents": r.amount_cents - r.paid_cents,
        "refund_processing_fee_cents": d.get("refund_processing_fee_cents", 0),
        **strings(d, "memo", "reference_number", "processor"),
        "completed_at": ts(r.completed_at),
        "allocations": [
            {
                "id": str(uuid.uuid5(r.id, "allocation")),
                "allocation_type": "invoice",
                "amount": r.amount_cents,
                "amount_cents": r.amount_cents,
                "invoice_id": str(invoice.id),
                "invoice_number": invoice.invoice_number,
                "invoice_outstanding_balance_cents": ledger.invoice_outstanding_cents(invoice),
                "target_description": f"Invoice {invoice.invoice_number or invoice.id}",
                "description": d.get("memo", ""),
                "allocation_date": ts(r.completed_at or r.created_at),
            }
        ],
        "refund_payments": [refund_payment_json(rp) for rp in r.payments.all()],
        "created_at": ts(r.created_at),
        "updated_at": ts(r.updated_at),
    }


def payout_json(p: Payout) -> dict[str, Any]:
    """Payout with its payments and refund payments (expects both prefetched)."""
    d = p.data
    payments = list(p.payments.all())
    refund_payments = list(p.refund_payments.all())
    gross = sum(x.total_amount_cents for x in payments)
    refunds = sum(x.amount_cents for x in refund_payments) + p.additional_refunds_amount_cents
    expected = gross - refunds - p.fee_cents
    return {
        "id": str(p.id),
        "business_id": str(p.business_id),
        "external_id": p.external_id,
        "processor": p.processor,
        "processor_payout_id": d.get("processor_payout_id", ""),
        "paid_out_amount_cents": p.paid_out_amount_cents,
        "fee_cents": p.fee_cents,
        "additional_refunds_amount_cents": p.additional_refunds_amount_cents,
        "net_amount_cents": p.paid_out_amount_cents - p.fee_cents,
        "currency": p.currency,
        "status": p.status,
        "completed_at": ts(p.completed_at),
        "imported_at": ts(p.created_at),
        **strings(d, "reference_number", "memo"),
        "metadata": d.get("metadata", {}),
        "payment_count": len(payments),
        "refund_payment_count": len(refund_payments),
        "gross_payments_amount_cents": gross,
        "total_refunds_amount_cents": refunds,
        "expected_net_amount_cents": expected,
        "amount_variance_cents": p.paid_out_amount_cents - expected,
        "payments": [
            {
                "id": str(x.id),
                "external_id": x.external_id,
                "payment_reference": x.data.get("payment_reference", ""),
                "customer_name": display_name(x.customer),
                "payment_date": day(x.payment_date),
                "total_amount_cents": x.total_amount_cents,
                "currency": x.currency,
            }
            for x in payments
        ],
        "refund_payments": [
            {
                "id": str(x.id),
                "external_id": x.external_id,
                "refund_id": str(x.refund_id),
                "customer_name": display_name(x.refund.customer),
                "refunded_amount_cents": x.amount_cents,
                "completed_at": ts(x.completed_at),
            }
            for x in refund_payments
        ],
        "reconciliation_status": p.reconciliation_status,
        "settlement_file_id": None,
        "created_at": ts(p.created_at),
        "updated_at": ts(p.updated_at),
    }
