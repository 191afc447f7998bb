"""What merchants buy: vendors, bills, bill payments and vendor credit notes."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from sales import money

from .merchants import Merchant


class Vendor(models.Model):
    """A supplier of the merchant."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="vendors")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    address = models.CharField(max_length=300, blank=True, default="")
    country = models.CharField(max_length=2)
    vat_number = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["merchant", "name"]

    def __str__(self) -> str:
        return self.name


class Bill(models.Model):
    """A vendor's invoice to the merchant."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="bills")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="bills")
    number = models.CharField(max_length=30, help_text="the merchant's own reference")
    vendor_reference = models.CharField(max_length=60, blank=True, default="")
    bill_date = models.DateField()
    due_on = models.DateField()

    class Meta:
        ordering = ["merchant", "bill_date", "number"]

    def __str__(self) -> str:
        return self.number

    @property
    def total_cents(self) -> int:
        return sum(line.total_cents for line in self.lines.all())


class BillLine(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=1)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(1))
    unit_price_cents = models.PositiveIntegerField()
    tax_rate = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(0), help_text="percent"
    )

    class Meta:
        ordering = ["bill", "position"]

    def __str__(self) -> str:
        return self.description

    @property
    def net_cents(self) -> int:
        return money.line_subtotal(self.quantity, self.unit_price_cents)

    @property
    def tax_cents(self) -> int:
        return money.tax_on(self.net_cents, self.tax_rate)

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.tax_cents


class BillPaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CARD = "card", "Company card"
    CHEQUE = "cheque", "Cheque"
    CASH = "cash", "Cash"


class BillPayment(models.Model):
    """Money paid to a vendor against one bill."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="bill_payments")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    amount_cents = models.PositiveIntegerField()
    method = models.CharField(max_length=20, choices=BillPaymentMethod.choices)
    paid_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True, default="")
    cheque_number = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["merchant", "paid_on", "pk"]

    def __str__(self) -> str:
        return self.reference or f"Bill payment {self.pk}"


class VendorCredit(models.Model):
    """A credit note from a vendor; when it corrects a bill it is applied to that bill."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="vendor_credits")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="credits")
    bill = models.ForeignKey(
        Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="credits"
    )
    number = models.CharField(max_length=60)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["merchant", "received_at", "pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def total_cents(self) -> int:
        return sum(line.total_cents for line in self.lines.all())


class VendorCreditLine(models.Model):
    credit = models.ForeignKey(VendorCredit, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=1)
    description = models.CharField(max_length=200)
    net_cents = models.PositiveIntegerField()
    tax_cents = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["credit", "position"]

    def __str__(self) -> str:
        return self.description

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.tax_cents
