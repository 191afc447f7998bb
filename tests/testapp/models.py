"""A minimal host platform for the engine tests: plain models that know nothing of Thred."""

from django.db import models


class Shop(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(default="owner@example.com")
    country = models.CharField(max_length=2, default="GB")
    currency = models.CharField(max_length=3, default="GBP")


class Client(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, null=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, default="")
    archived = models.BooleanField(default=False)


class Supplier(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)


class Sale(models.Model):
    """An invoice."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    number = models.CharField(max_length=50)
    status = models.CharField(max_length=20, default="issued")  # draft / issued / void
    amount_cents = models.IntegerField(default=10000)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=1)
    issued_at = models.DateTimeField(null=True)


class SaleLine(models.Model):
    """A line of a sale: when a sale has lines, they are its invoice's line items."""

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=200, default="Item")
    quantity = models.IntegerField(default=1)
    unit_price_cents = models.IntegerField()


class Receipt(models.Model):
    """An invoice payment with one allocation."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE)
    amount_cents = models.IntegerField()
    currency = models.CharField(max_length=3, default="GBP")
    method = models.CharField(max_length=20, default="credit_card")
    status = models.CharField(max_length=20, default="completed")
    paid_on = models.DateField(null=True)
    cancelled = models.BooleanField(default=False)


class Refund(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE)
    amount_cents = models.IntegerField()


class RefundPayout(models.Model):
    """A refund payment."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE)
    amount_cents = models.IntegerField()


class Settlement(models.Model):
    """A processor payout."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    receipts = models.ManyToManyField(Receipt, blank=True)
    amount_cents = models.IntegerField()
    fee_cents = models.IntegerField(default=0)


class PurchaseBill(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE)
    number = models.CharField(max_length=50)
    amount_cents = models.IntegerField(default=5000)
    status = models.CharField(max_length=20, default="open")  # open / void


class BillPayment(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    bill = models.ForeignKey(PurchaseBill, on_delete=models.CASCADE)
    amount_cents = models.IntegerField()
    method = models.CharField(max_length=20, default="bank_transfer")
    check_number = models.CharField(max_length=50, blank=True, default="")
    status = models.CharField(max_length=20, blank=True, default="")  # "": Thred's default
    voided = models.BooleanField(default=False)


class SupplierCredit(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE)
    amount_cents = models.IntegerField()
