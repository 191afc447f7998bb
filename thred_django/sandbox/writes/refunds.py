"""Refunds and refund payments: creates, idempotent on external_id per business.

A refund needs its (not voided) invoice and may not exceed the invoice total minus what
earlier refunds took; without ``amount_cents`` it refunds all of that. A refund payment
may not exceed what is left to pay back; the refund's status moves pending → processing
→ paid. A refund payment's external_id used under another refund is a 409.
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from thred_django.sandbox import ledger, queries, readings
from thred_django.sandbox import models as m
from thred_django.sandbox import render as r
from thred_django.sandbox.errors import conflict, field_error
from thred_django.sandbox.views.base import SandboxAPIView, echo
from thred_django.sandbox.writes import common


def create_refund(v: SandboxAPIView) -> Response:
    business = v.business

    def build(data: dict[str, Any], cleaned: dict[str, Any]) -> m.Refund:
        invoice = ledger.lock_invoices(business, [cleaned["invoice_id"]]).get(cleaned["invoice_id"])
        if invoice is None:
            message = f"Invoice {cleaned['invoice_id']} does not exist in this business."
            raise field_error("invoice_id", message)
        refundable = ledger.invoice_refundable_cents(invoice)
        amount = cleaned.get("amount_cents", refundable)
        if refundable <= 0:
            raise field_error(
                "amount_cents" if "amount_cents" in cleaned else "invoice_id",
                "Nothing to refund: the invoice is voided or fully refunded already.",
            )
        if amount > refundable:
            raise field_error(
                "amount_cents", f"Exceeds the refundable amount of the invoice ({refundable})."
            )
        refund = m.Refund.objects.create(
            business=business,
            invoice=invoice,
            customer_id=invoice.customer_id,
            external_id=cleaned["external_id"],
            amount_cents=amount,
            method=cleaned["method"],
            completed_at=cleaned["completed_at"],
            status=ledger.refund_status(0, amount),
            data=echo(data, cleaned),
        )
        ledger.refresh_invoices([invoice.id])
        return refund

    def lock(cleaned: dict[str, Any]) -> None:
        ledger.lock_invoices(business, [cleaned["invoice_id"]])

    return common.create(v, "refund", queries.refunds, build, r.refund, lock=lock)


def create_refund_payment(v: SandboxAPIView, refund_id: str) -> Response:
    refund = v.get_owned(m.Refund.objects, refund_id, "refund")
    business = v.business

    def existing(cleaned: dict[str, Any]) -> m.RefundPayment | None:
        found = m.RefundPayment.objects.filter(
            business=business, external_id=cleaned["external_id"]
        ).first()
        if found is not None and found.refund_id != refund.id:
            raise conflict(
                readings.ERROR_DUPLICATE_EXTERNAL_ID,
                "This external_id belongs to a refund payment of another refund.",
                {"external_id": [f"Used by a payment of refund {found.refund_id}."]},
            )
        return found

    def build(data: dict[str, Any], cleaned: dict[str, Any]) -> m.RefundPayment:
        locked = m.Refund.objects.select_for_update().get(id=refund.id)
        remaining = locked.amount_cents - locked.paid_cents
        if cleaned["amount_cents"] > remaining:
            raise field_error(
                "amount_cents", f"Exceeds the remaining refundable amount ({remaining})."
            )
        payment = m.RefundPayment.objects.create(
            business=business,
            refund=locked,
            external_id=cleaned["external_id"],
            amount_cents=cleaned["amount_cents"],
            method=cleaned["method"],
            completed_at=cleaned.get("completed_at"),
            data=echo(data, cleaned),
        )
        ledger.refresh_refund(locked)
        return payment

    def lock(cleaned: dict[str, Any]) -> None:
        list(m.Refund.objects.select_for_update().filter(id=refund.id))

    return common.create(
        v,
        "refund_payment",
        m.RefundPayment.objects.all,
        build,
        r.refund_payment,
        lock=lock,
        existing=existing,
    )
