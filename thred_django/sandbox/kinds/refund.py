"""Refunds of invoices: create (idempotent on external_id); they refund from their
invoice, and their refund payments (``kinds.refund_payment``) pay them back.

A refund takes at most what its invoice has left to refund (the total minus earlier
refunds; an omitted ``amount_cents`` takes all of it); a voided invoice cannot be
refunded. The endpoint text's ``partial_amount`` is refused with a pointer to
``amount_cents``.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from django.db import models
from django.db.models import Prefetch
from rest_framework.response import Response

from thred_django.sandbox import filters as f
from thred_django.sandbox import ledger, rows
from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.errors import field_error
from thred_django.sandbox.kinds import customer, invoice, refund_payment
from thred_django.sandbox.render.common import display_name, strings, ts
from thred_django.sandbox.schemas import Body, Check
from thred_django.sandbox.schemas.bodies import external_id
from thred_django.sandbox.schemas.fields import (
    Cents,
    Choice,
    DateTime,
    Dict,
    Obj,
    Text,
    Uuid,
    long_text,
)
from thred_django.sandbox.tables import BusinessObject
from thred_django.sandbox.views.base import SandboxAPIView, echo
from thred_django.sandbox.writes import common


class Refund(BusinessObject):
    invoice = models.ForeignKey(invoice.Invoice, on_delete=models.CASCADE, related_name="refunds")
    customer = models.ForeignKey(
        customer.Customer, on_delete=models.CASCADE, related_name="refunds"
    )
    amount_cents = models.BigIntegerField()
    paid_cents = models.BigIntegerField(default=0)
    status = models.CharField(max_length=20, default="pending", db_index=True)
    method = models.CharField(max_length=30)
    completed_at = models.DateTimeField(null=True)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Refund {self.external_id or self.id}"


invoice.LEDGER.refunds_from(ledger.Source(Refund, "invoice_id"))

# --- Request body (CreateRefundRequest) --------------------------------------------------------

CREATE = Obj(
    {
        "invoice_id": Uuid(required=True),
        "method": Choice(r.REFUND_METHODS, required=True),
        "completed_at": DateTime(required=True),
        "external_id": external_id("refund"),
        "amount_cents": Cents(minimum=1),
        "memo": long_text(),
        "reference_number": Text(),
        "processor": Text(100),
        "refund_processing_fee_cents": Cents(minimum=0),
        "document": Dict(),
    }
)


def _rules(c: Check) -> None:
    if r.REFUND_PARTIAL_AMOUNT_ALIAS in c.raw:
        c.add(r.REFUND_PARTIAL_AMOUNT_ALIAS, "Send a partial refund's amount as amount_cents.")


# --- Response ----------------------------------------------------------------------------------


def query() -> Any:
    payments = refund_payment.RefundPayment.objects.order_by("-created_at", "id")
    return Refund.objects.select_related("invoice", "customer").prefetch_related(
        Prefetch("payments", queryset=payments)
    )


def render(one: Refund, new: bool = False) -> dict[str, Any]:
    """A refund (expects invoice, customer and payments loaded; a ``new`` refund has no
    payments)."""
    d = one.data
    payments = () if new else one.payments.all()
    refunded = one.invoice
    return {
        "id": str(one.id),
        "business_id": str(one.business_id),
        "external_id": one.external_id,
        "invoice_id": str(one.invoice_id),
        "customer_id": str(one.customer_id),
        "customer_name": display_name(one.customer),
        "status": one.status,
        "method": one.method,
        "amount_cents": one.amount_cents,
        "refunded_amount": one.amount_cents,
        "paid_amount_cents": one.paid_cents,
        "remaining_amount_cents": one.amount_cents - one.paid_cents,
        "refund_processing_fee_cents": d.get("refund_processing_fee_cents", 0),
        **strings(d, "memo", "reference_number", "processor"),
        "completed_at": ts(one.completed_at),
        "allocations": [
            {
                "id": str(uuid.uuid5(one.id, "allocation")),
                "allocation_type": "invoice",
                "amount": one.amount_cents,
                "amount_cents": one.amount_cents,
                "invoice_id": str(refunded.id),
                "invoice_number": refunded.invoice_number,
                "invoice_outstanding_balance_cents": invoice.outstanding_cents(refunded),
                "target_description": f"Invoice {refunded.invoice_number or refunded.id}",
                "description": d.get("memo", ""),
                "allocation_date": ts(one.completed_at or one.created_at),
            }
        ],
        "refund_payments": [refund_payment.render(rp) for rp in payments],
        "created_at": ts(one.created_at),
        "updated_at": ts(one.updated_at),
    }


# --- Writes ------------------------------------------------------------------------------------


def create(v: SandboxAPIView) -> Response:
    business = v.business

    def build(data: dict[str, Any], cleaned: dict[str, Any]) -> Refund:
        refunded = invoice.lock(business, [cleaned["invoice_id"]]).get(cleaned["invoice_id"])
        if refunded is None:
            message = f"Invoice {cleaned['invoice_id']} does not exist in this business."
            raise field_error("invoice_id", message)
        refundable = invoice.refundable_cents(refunded)
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
        (owner,) = rows.find(customer.Customer, id=refunded.customer_id)
        made = Refund(
            business=business,
            invoice=refunded,
            customer=owner,
            external_id=cleaned["external_id"],
            amount_cents=amount,
            method=cleaned["method"],
            completed_at=cleaned["completed_at"],
            status=refund_payment.status(0, amount),
            data=echo(data, cleaned),
        )
        # Stored with the invoice's sums (one statement on PostgreSQL), counted in them;
        # the invoice was locked: refreshed in place, as rendered.
        invoice.refresh([refunded], ([made],))
        return made

    # No ``lock``: the first statement of ``build`` locks the invoice.
    return common.create(v, "refund", query, build, render, built=partial(render, new=True))


KIND = Kind(
    "refund",
    model=Refund,
    query=query,
    render=render,
    bodies={"create": Body(CREATE, _rules)},
    filters=(f.ids("invoice_id"), f.ids("customer_id"), f.exact("status", fold=str.lower)),
    summed="amount_cents",
    create=create,
    feeds=lambda obj: ledger.refresh_existing(invoice.LEDGER, [obj.invoice_id]),
)
