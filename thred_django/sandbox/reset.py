"""Wipe all sandbox state: every business and its objects, stored Idempotency-Key
responses, the runtime fault configuration and the request log."""

from __future__ import annotations

from django.db import transaction

from thred_django.sandbox import models as m

# Children first, so no delete has anything left to cascade to.
_ORDER = (
    m.PaymentAllocation,
    m.BillPaymentAllocation,
    m.VendorCreditAllocation,
    m.IdempotencyRecord,
    m.RefundPayment,
    m.Refund,
    m.Payment,
    m.Payout,
    m.Invoice,
    m.BillPayment,
    m.VendorCredit,
    m.Bill,
    m.Customer,
    m.Vendor,
    m.Business,
    m.FaultConfig,
    m.RequestLog,
)


def reset_sandbox() -> dict[str, int]:
    """Delete everything; returns the number of rows deleted per model."""
    deleted: dict[str, int] = {}
    with transaction.atomic():
        for model in _ORDER:
            count, _ = model.objects.all().delete()
            deleted[model._meta.model_name or model.__name__] = count
    return deleted
