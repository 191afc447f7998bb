"""Settling card payments and card refunds into a processor payout."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from .models import Merchant, Payment, Payout, RefundPayment


class SettlementError(ValueError):
    """The items cannot form a payout (wrong merchant, not card, already settled…)."""


def _check(merchant: Merchant, payments: Sequence[Payment], refunds: Sequence[RefundPayment]):
    for payment in payments:
        if payment.merchant_id != merchant.pk or payment.method != "card":
            raise SettlementError(f"{payment} is not a card payment of {merchant}.")
        if payment.payout_id is not None:
            raise SettlementError(f"{payment} is already in payout {payment.payout_id}.")
    for refund_payment in refunds:
        refund = refund_payment.refund
        if refund.merchant_id != merchant.pk or refund.method != "card":
            raise SettlementError(f"{refund_payment} is not a card refund of {merchant}.")
        if refund_payment.payout_id is not None:
            raise SettlementError(f"{refund_payment} is already in a payout.")


def settle(
    merchant: Merchant,
    payments: Sequence[Payment],
    refund_payments: Sequence[RefundPayment],
    *,
    processor_payout_id: str,
    arrived_at: datetime,
    processor: str = "stripe",
) -> Payout:
    """Create the payout that settles these items; what lands in the bank must be > 0."""
    _check(merchant, payments, refund_payments)
    gross = sum(p.amount_cents for p in payments)
    refunds = sum(r.amount_cents for r in refund_payments)
    fees = sum(p.processor_fee_cents for p in payments)
    paid_out = gross - refunds - fees
    if paid_out < 1:
        raise SettlementError(f"A payout must pay something out (got {paid_out}).")
    with transaction.atomic():
        payout = Payout.objects.create(
            merchant=merchant,
            processor=processor,
            processor_payout_id=processor_payout_id,
            status=Payout.Status.PAID,
            arrived_at=arrived_at,
            gross_cents=gross,
            refunds_cents=refunds,
            fee_cents=fees,
            paid_out_amount_cents=paid_out,
        )
        Payment.objects.filter(pk__in=[p.pk for p in payments]).update(payout=payout)
        RefundPayment.objects.filter(pk__in=[r.pk for r in refund_payments]).update(payout=payout)
    for item in [*payments, *refund_payments]:
        item.payout = payout
    return payout
