"""Refund payments: money sent back for a refund, created under the refund's path
(idempotent on external_id across the business); they pay their refund back.

A refund payment may not exceed what its refund has left to pay; its external_id may
not be one of another refund's payments (409). ``kinds.refund`` renders its payments
with ``render`` and takes its status from ``status``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import ledger, rows
from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.errors import conflict, field_error
from thred_django.sandbox.render.common import sid, strings, ts
from thred_django.sandbox.schemas import Body
from thred_django.sandbox.schemas.bodies import external_id
from thred_django.sandbox.schemas.bodies import strings as string_list
from thred_django.sandbox.schemas.fields import Cents, Choice, DateTime, Dict, Obj, Text, long_text
from thred_django.sandbox.tables import BusinessObject
from thred_django.sandbox.views.base import SandboxAPIView, echo
from thred_django.sandbox.writes import common


class RefundPayment(BusinessObject):
    refund = models.ForeignKey(  # kinds.refund
        "thred_sandbox.Refund", on_delete=models.CASCADE, related_name="payments"
    )
    amount_cents = models.BigIntegerField()
    method = models.CharField(max_length=30)
    completed_at = models.DateTimeField(null=True)
    payout = models.ForeignKey(  # a payout names its refund payments (kinds.payout)
        "thred_sandbox.Payout",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="refund_payments",
    )

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Refund payment {self.external_id or self.id}"


def _refunds() -> Any:
    return RefundPayment._meta.get_field("refund").related_model._default_manager


PAID_BACK = ledger.Source(RefundPayment, "refund_id")  # what a refund's payments paid back


# --- The refund's balance ----------------------------------------------------------------------


def status(paid: int, amount: int) -> str:
    """A refund's status once ``paid`` of its ``amount`` is paid back."""
    if paid <= 0:
        return "pending"
    return "paid" if paid >= amount else "processing"


def refresh_refund(refund: Any, inserting: Sequence[Any] = ()) -> None:
    """Recompute a refund's paid-back amount and its status pending → processing → paid
    (updated in place, and stored: ``ledger.totals`` and ``rows.update``); ``inserting``:
    new refund payments stored first (``ledger.totals_of``: on PostgreSQL in the sum's
    statement), counted in it."""
    (paid,) = ledger.totals_of([(PAID_BACK, None)], [refund.pk], [inserting])
    refund.paid_cents = paid.get(refund.pk, 0)
    refund.status = status(refund.paid_cents, refund.amount_cents)
    refund.updated_at = timezone.now()
    names = ["paid_cents", "status", "updated_at"]
    rows.update(type(refund), names, [[refund.pk, *(getattr(refund, n) for n in names)]])


# --- Request body (CreateRefundPaymentRequest) -----------------------------------------------

CREATE = Obj(
    {
        "amount_cents": Cents(required=True, minimum=1),
        "method": Choice(r.REFUND_METHODS, required=True),
        "external_id": external_id("refund_payment"),
        "completed_at": DateTime(),
        "processor": Text(100),
        "memo": long_text(),
        "transaction_tags": string_list(),
        "refund_processing_fee_cents": Cents(minimum=0),
        "metadata": Dict(),
    }
)

# --- Response ----------------------------------------------------------------------------------


def render(rp: RefundPayment) -> dict[str, Any]:
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


# --- Writes ------------------------------------------------------------------------------------


def create(v: SandboxAPIView, refund_id: str) -> Response:
    refund = v.get_owned(_refunds(), refund_id, "refund")
    business = v.business

    def existing(cleaned: dict[str, Any]) -> RefundPayment | None:
        found = RefundPayment.objects.filter(
            business=business, external_id=cleaned["external_id"]
        ).first()
        if found is not None and found.refund_id != refund.id:
            raise conflict(
                r.ERROR_DUPLICATE_EXTERNAL_ID,
                "This external_id belongs to a refund payment of another refund.",
                {"external_id": [f"Used by a payment of refund {found.refund_id}."]},
            )
        return found

    def build(data: dict[str, Any], cleaned: dict[str, Any]) -> RefundPayment:
        # Its first statement locks the refund: a concurrent duplicate waits here.
        (locked,) = rows.find(_refunds().model, for_update=True, id=refund.id)
        remaining = locked.amount_cents - locked.paid_cents
        if cleaned["amount_cents"] > remaining:
            raise field_error(
                "amount_cents", f"Exceeds the remaining refundable amount ({remaining})."
            )
        payment = RefundPayment(
            business=business,
            refund=locked,
            external_id=cleaned["external_id"],
            amount_cents=cleaned["amount_cents"],
            method=cleaned["method"],
            completed_at=cleaned.get("completed_at"),
            data=echo(data, cleaned),
        )
        refresh_refund(locked, [payment])  # stored with the refund's sum
        return payment

    return common.create(
        v,
        "refund_payment",
        RefundPayment.objects.all,
        build,
        render,
        existing=existing,
        built=render,  # its own columns only
    )


def _feeds(payment: RefundPayment) -> Any:
    refund_id = payment.refund_id

    def run() -> None:
        for refund in _refunds().filter(id=refund_id):
            refresh_refund(refund)

    return run


KIND = Kind(
    "refund_payment",
    model=RefundPayment,
    query=RefundPayment.objects.all,
    render=render,
    bodies={"create": Body(CREATE)},
    summed="amount_cents",
    create=create,
    feeds=_feeds,
)
