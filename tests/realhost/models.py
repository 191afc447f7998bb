"""A second test host, shaped like a real platform (unlike tests/testapp): UUID primary
keys, Decimal money, statuses and soft deletes (``deleted_at``), invoice and bill lines
as child rows, and a tenant ("Company").

It knows nothing of Thred; ``thred_mappings.py`` says how it maps.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models


class Base(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True)  # soft delete

    class Meta:
        abstract = True


class Company(Base):
    """The tenant: one Thred business each."""

    legal_name = models.CharField(max_length=200)
    email = models.EmailField(default="books@company.test")
    country = models.CharField(max_length=2, default="GB")
    currency = models.CharField(max_length=3, default="GBP")

    def __str__(self) -> str:
        return self.legal_name


class Contact(Base):
    """A customer. Archived contacts stay in the books but are no longer active."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, default="")
    archived = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class Supplier(Base):
    """A vendor."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="suppliers")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, default="")
    archived = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class Invoice(Base):
    STATUSES = (("draft", "Draft"), ("open", "Open"), ("void", "Void"))

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invoices")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    issued_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    memo = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(1))
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]


class Payment(Base):
    """Money received against one invoice."""

    STATUSES = (("pending", "Pending"), ("completed", "Completed"), ("void", "Void"))
    METHODS = (("card", "Card"), ("bank_transfer", "Bank transfer"), ("cash", "Cash"))

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="payments")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    method = models.CharField(max_length=20, choices=METHODS, default="bank_transfer")
    status = models.CharField(max_length=10, choices=STATUSES, default="completed")
    received_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True, default="")


class Payout(Base):
    """A processor settlement of some payments."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="payouts")
    payments = models.ManyToManyField(Payment, blank=True, related_name="payouts")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    fee = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    paid_at = models.DateTimeField()
    memo = models.CharField(max_length=200, blank=True, default="")


class Refund(Base):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="refunds")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    refunded_at = models.DateTimeField()
    memo = models.CharField(max_length=200, blank=True, default="")


class RefundPayment(Base):
    """Money paid back for a refund (its tenant is the refund's)."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    paid_at = models.DateTimeField()
    memo = models.CharField(max_length=200, blank=True, default="")


class Bill(Base):
    STATUSES = (("open", "Open"), ("void", "Void"))

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bills")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="bills")
    number = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    issued_on = models.DateField()
    memo = models.CharField(max_length=200, blank=True, default="")


class BillLine(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(1))
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]


class BillPayment(Base):
    STATUSES = (("pending", "Pending"), ("completed", "Completed"), ("void", "Void"))

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bill_payments")
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=STATUSES, default="completed")
    paid_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True, default="")


class VendorCredit(Base):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="credits")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="credits")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    received_at = models.DateTimeField()
    memo = models.CharField(max_length=200, blank=True, default="")
