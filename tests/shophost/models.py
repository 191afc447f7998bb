"""A one-shop host (one Django site = one business): no tenant model anywhere.

Customers are the site's users (``auth.User``) or guests' billing addresses; orders and
their payments point at them and at nothing else. Nothing here knows about Thred.
"""

from django.conf import settings
from django.db import models


class BillingAddress(models.Model):
    """A guest checkout's customer: no user account, no relation to any business."""

    name = models.CharField(max_length=200)
    email = models.EmailField()


class Order(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    billing_address = models.ForeignKey(
        BillingAddress, null=True, blank=True, on_delete=models.PROTECT
    )
    number = models.CharField(max_length=50)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    placed_at = models.DateTimeField()


class OrderPayment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    paid_on = models.DateField()
