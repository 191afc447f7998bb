"""JSON of refunds, refund payments, payouts and vendor credits (see ``common``)."""

from __future__ import annotations

import uuid
from typing import Any

from thred_django.sandbox import ledger
from thred_django.sandbox.models import Payout, Refund, RefundPayment, VendorCredit
from thred_django.sandbox.render.common import day, display_name, sid, strings, ts, without_nulls


def refund_payment(rp: RefundPayment) -> dict[str, Any]:
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


def refund(r: Refund) -> dict[str, Any]:
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
        "refund_payments": [refund_payment(rp) for rp in r.payments.all()],
        "created_at": ts(r.created_at),
        "updated_at": ts(r.updated_at),
    }


def payout(p: Payout) -> dict[str, Any]:
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


def vendor_credit(c: VendorCredit) -> dict[str, Any]:
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
