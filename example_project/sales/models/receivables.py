"""What merchants sell and get paid: customers, invoices, payments, refunds."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from sales import money

from .merchants import Merchant


class Customer(models.Model):
    """A merchant's customer: a company or a private person."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="customers")
    number = models.CharField(max_length=30)
    is_company = models.BooleanField(default=False)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    address = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=2)
    payment_terms_days = models.PositiveSmallIntegerField(default=14)

    class Meta:
        ordering = ["merchant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "number"], name="customer_number_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Invoice(models.Model):
    """A sale to one customer. Drafts are private to the merchant."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="invoices")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField()
    memo = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["merchant", "issued_at", "number"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "number"], name="invoice_number_unique")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def total_cents(self) -> int:
        return sum(line.total_cents for line in self.lines.all())


class InvoiceLine(models.Model):
    """One product or service on an invoice, with its tax rate."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=1)
    product = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True, default="")
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(1))
    unit_price_cents = models.PositiveIntegerField()
    discount_cents = models.PositiveIntegerField(default=0)
    tax_rate = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(0), help_text="percent"
    )

    class Meta:
        ordering = ["invoice", "position"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"

    @property
    def net_cents(self) -> int:
        return money.line_subtotal(self.quantity, self.unit_price_cents) - self.discount_cents

    @property
    def tax_cents(self) -> int:
        return money.tax_on(self.net_cents, self.tax_rate)

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.tax_cents


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card (through the processor)"
    CASH = "cash", "Cash"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"


class Payment(models.Model):
    """Money received against one invoice. Card payments settle through a payout."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="payments")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount_cents = models.PositiveIntegerField()
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    received_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True, default="")
    # Card payments: the processor's fee, deducted when the payout settles them.
    processor_fee_cents = models.PositiveIntegerField(default=0)
    payout = models.ForeignKey(
        "sales.Payout", null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )

    class Meta:
        ordering = ["merchant", "received_on", "pk"]

    def __str__(self) -> str:
        return self.reference or f"Payment {self.pk}"


class Refund(models.Model):
    """Money owed back to a customer against an invoice (goods returned, goodwill)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="refunds")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.PositiveIntegerField()
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    refunded_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True, default="")
    reference = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["merchant", "refunded_at", "pk"]

    def __str__(self) -> str:
        return self.reference or f"Refund {self.pk}"


class RefundPayment(models.Model):
    """Money actually sent back for a refund (possibly in parts)."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="payments")
    amount_cents = models.PositiveIntegerField()
    paid_at = models.DateTimeField()
    payout = models.ForeignKey(
        "sales.Payout",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="refund_payments",
    )

    class Meta:
        ordering = ["refund", "paid_at", "pk"]

    def __str__(self) -> str:
        return f"Refund payment {self.pk}"
