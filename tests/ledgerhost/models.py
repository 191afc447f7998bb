"""A small accounting app shaped like the ones on PyPI: UUID keys, Decimal money in
major units, dates (not datetimes) for documents, a status that voids, invoice lines as
child rows, and the payment kept on the invoice row itself (``amount_paid``,
``paid_at``) instead of in a table of its own."""

import uuid

from django.db import models


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    country = models.CharField(max_length=2, default="GB")
    currency = models.CharField(max_length=3, default="GBP")
    timezone = models.CharField(max_length=50, default="Europe/London")


class Customer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, default="")


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        SENT = "sent"
        PAID = "paid"
        VOID = "void"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT)
    number = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_on = models.DateField()
    due_on = models.DateField()
    # The payment lives here: how much was paid, and when.
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    # A bank transfer announced but not cleared yet is a pending payment.
    payment_cleared = models.BooleanField(default=True)

    def total(self):
        return sum((line.quantity * line.unit_price for line in self.lines.all()), 0)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=10, decimal_places=3, default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]


class PaidInvoice(Invoice):
    """A proxy the way hosts make them (a filtered admin): mapping it is refused."""

    class Meta:
        proxy = True
