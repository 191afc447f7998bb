"""JSON of invoices and bills (see ``common`` for the conventions)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from thred_django.sandbox import ledger
from thred_django.sandbox.models import Bill, Invoice
from thred_django.sandbox.render.common import day, lines, strings, ts, without_nulls
from thred_django.sandbox.render.parties import customer, vendor
from thred_django.sandbox.schemas import totals

_BILL_LINE = {
    "bill_id": lambda bill, subtotal, total: str(bill.id),
    "sales_taxes_total": lambda bill, subtotal, total: total - subtotal,
    "tax_rate": lambda bill, subtotal, total: (
        round((total - subtotal) / subtotal, 6) if subtotal else 0
    ),
}


def invoice(i: Invoice) -> dict[str, Any]:
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
        "customer": customer(i.customer),
        "memo": d.get("memo", ""),
        "line_items": lines(i, totals.invoice_line),
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


def bill(b: Bill) -> dict[str, Any]:
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
            "vendor": vendor(b.vendor),
            "reference_numbers": d.get("reference_numbers", []),
            "attachment_urls": d.get("attachment_urls", []),
            "line_items": lines(b, totals.bill_line, **_BILL_LINE),
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
