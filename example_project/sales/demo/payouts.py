"""Demo payouts: the processor settles card sales (net of card refunds and fees) into the
bank two days later, usually one or two card payments per payout."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sales.models import Payment, Payout, RefundPayment
from sales.settlement import settle

from .context import DemoContext

SETTLEMENT_DELAY = timedelta(days=2)


def create_payouts(
    ctx: DemoContext, payments: list[Payment], refund_payments: list[RefundPayment]
) -> list[Payout]:
    cards = sorted((p for p in payments if p.method == "card"), key=lambda p: (p.received_on, p.pk))
    card_refunds = sorted(
        (r for r in refund_payments if r.refund.method == "card"), key=lambda r: (r.paid_at, r.pk)
    )
    payouts: list[Payout] = []
    queue = list(cards)
    while queue:
        group = [queue.pop(0)]
        if queue and ctx.rng.random() < 0.2:
            group.append(queue.pop(0))
        cutoff = group[-1].received_on
        refunds = [r for r in card_refunds if r.paid_at.date() <= cutoff]
        net = sum(p.amount_cents - p.processor_fee_cents for p in group)
        net -= sum(r.amount_cents for r in refunds)
        # Card refunds larger than the sales so far wait for the next payout.
        while net < 1 and queue:
            payment = queue.pop(0)
            group.append(payment)
            net += payment.amount_cents - payment.processor_fee_cents
            cutoff = payment.received_on
            extra = [r for r in card_refunds if r.paid_at.date() <= cutoff and r not in refunds]
            refunds += extra
            net -= sum(r.amount_cents for r in extra)
        if net < 1:
            break
        card_refunds = [r for r in card_refunds if r not in refunds]
        arrival = datetime.combine(cutoff + SETTLEMENT_DELAY, time(6, 0), tzinfo=UTC)
        payouts.append(
            settle(
                ctx.merchant,
                group,
                refunds,
                processor_payout_id=f"po_{ctx.token(16)}",
                arrived_at=arrival,
            )
        )
    return payouts
