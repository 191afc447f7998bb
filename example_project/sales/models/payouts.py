"""Processor payouts: the card processor settling card payments into the bank."""

from __future__ import annotations

from django.db import models

from .merchants import Merchant


class Payout(models.Model):
    """One settlement: card payments in, card refunds and the processor's fees out.

    ``paid_out_amount_cents`` is what lands in the bank: gross card payments - card
    refund payments - fees (see ``sales.settlement.settle``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_TRANSIT = "in_transit", "In transit"
        PAID = "paid", "Paid"

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="payouts")
    processor = models.CharField(max_length=40, default="stripe")
    processor_payout_id = models.CharField(max_length=100)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PAID)
    arrived_at = models.DateTimeField()
    gross_cents = models.IntegerField(default=0)
    refunds_cents = models.IntegerField(default=0)
    fee_cents = models.IntegerField(default=0)
    paid_out_amount_cents = models.IntegerField(default=0)

    class Meta:
        ordering = ["merchant", "arrived_at", "pk"]

    def __str__(self) -> str:
        return self.processor_payout_id
