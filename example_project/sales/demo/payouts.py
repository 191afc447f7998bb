"""Demo payouts: the processor settles card sales, net of card refunds and its fees, into
the bank two days later; usually one card payment per payout, sometimes two. Card refunds
are netted against the next payout that can absorb them (what lands in the bank is
always positive); the rest wait for a later one."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sales.models import Payment, Payout, RefundPayment
from sales.settlement import settle

from .context import DemoContext

SETTLEMENT_DELAY = timedelta(days=2)


def create_payouts(
    ctx: DemoContext, payments: list[Payment], refund_payments: list[RefundPayment]
) -> list[Payout]:
    queue = sorted((p for p in payments if p.method == "card"), key=lambda p: (p.received_on, p.pk))
    waiting = sorted(
        (r for r in refund_payments if r.refund.method == "card"), key=lambda r: (r.paid_at, r.pk)
    )
    payouts: list[Payout] = []
    while queue:
        group = [queue.pop(0)]
        if queue and ctx.rng.random() < 0.2:
            group.append(queue.pop(0))
        cutoff = group[-1].received_on
        net = sum(p.amount_cents - p.processor_fee_cents for p in group)
        netted = []
        for refund_payment in waiting:
            if refund_payment.paid_at.date() > cutoff:
                break
            if net - refund_payment.amount_cents >= 1:
                netted.append(refund_payment)
                net -= refund_payment.amount_cents
        waiting = [r for r in waiting if r not in netted]
        arrival = datetime.combine(cutoff + SETTLEMENT_DELAY, time(6, 0), tzinfo=UTC)
        payouts.append(
            settle(
                ctx.merchant,
                group,
                netted,
                processor_payout_id=f"po_{ctx.token(16)}",
                arrived_at=arrival,
            )
        )
    return payouts
