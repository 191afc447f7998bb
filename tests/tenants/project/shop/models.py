"""A merchant's own data, in its schema: no foreign key says which tenant owns a row."""

from decimal import Decimal

from django.db import models


class Branch(models.Model):
    """A business kept in the tenant's schema (TENANTS_MAPPINGS=branches): one Thred
    business per branch, several per schema, numbered from 1 in every schema."""

    name = models.CharField(max_length=100)
    email = models.EmailField(default="branch@example.com")
    country = models.CharField(max_length=2, default="GB")
    currency = models.CharField(max_length=3, default="GBP")


class Customer(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True, default="")
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.PROTECT)


class Invoice(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=30)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("10.00"))


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
