"""Wipe sandbox state: every business and its objects, stored Idempotency-Key
responses, the runtime fault configuration and the request log — or, for one partner
(the control endpoint), only that partner's businesses, request log and faults."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

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
    m.PartnerFaultConfig,
    m.RequestLog,
)


def reset_sandbox(partner_id: str | None = None) -> dict[str, int]:
    """Delete everything (or ``partner_id``'s part); rows deleted per model."""
    deleted: dict[str, int] = {}
    with transaction.atomic():
        for model in _ORDER:
            queryset = model.objects.all()
            if partner_id is not None:
                queryset = _of_partner(model, queryset, partner_id)
                if queryset is None:
                    continue  # shared: not the partner's to wipe
            count, _ = queryset.delete()
            deleted[model._meta.model_name or model.__name__] = count
    return deleted


def _of_partner(model: type[Any], queryset: QuerySet[Any], partner_id: str) -> Any:
    if model is m.FaultConfig:
        return None
    if model in (m.PartnerFaultConfig, m.RequestLog, m.Business):
        return queryset.filter(partner_id=partner_id)
    names = {f.name for f in model._meta.get_fields()}
    for path in (
        "business",
        "payment__business",
        "bill_payment__business",
        "vendor_credit__business",
    ):
        if path.split("__")[0] in names:
            return queryset.filter(**{f"{path}__partner_id": partner_id})
    raise AssertionError(f"reset: no partner path for {model.__name__}")
