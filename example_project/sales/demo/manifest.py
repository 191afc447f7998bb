"""What the demo data should look like in Thred, counted from the database.

For each merchant: the ``external_id`` its business has in Thred (asked of the mapping
registry, so it is exactly what the engine sends) and, per Thred resource, how many
records will be synced and the sum of their main amount — ``total_amount_cents`` of
payments, ``amount_cents`` of refunds, refund payments and bill payments,
``paid_out_amount_cents`` of payouts — or None for resources without one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum

from sales.models import (
    Bill,
    BillPayment,
    Customer,
    Invoice,
    Merchant,
    Payment,
    Payout,
    Refund,
    RefundPayment,
    Vendor,
    VendorCredit,
)
from thred_django.mappings import registry

# resource → (queryset of what gets synced, relation to the merchant, amount field)
SOURCES: dict[str, tuple[Any, str, str | None]] = {
    "customer": (Customer.objects.all(), "merchant", None),
    "vendor": (Vendor.objects.all(), "merchant", None),
    "invoice": (Invoice.objects.exclude(status=Invoice.Status.DRAFT), "merchant", None),
    "payment": (Payment.objects.all(), "merchant", "amount_cents"),
    "payout": (Payout.objects.all(), "merchant", "paid_out_amount_cents"),
    "refund": (Refund.objects.all(), "merchant", "amount_cents"),
    "refund_payment": (RefundPayment.objects.all(), "refund__merchant", "amount_cents"),
    "bill": (Bill.objects.all(), "merchant", None),
    "bill_payment": (BillPayment.objects.all(), "merchant", "amount_cents"),
    "vendor_credit": (VendorCredit.objects.all(), "merchant", None),
}
RESOURCES = ("business", *SOURCES)


def business_external_id(merchant: Merchant) -> str:
    mapping = registry.for_model(Merchant)
    return mapping.get_external_id(merchant)


def _totals(qs: QuerySet[Any], relation: str, amount: str | None) -> dict[int, dict[str, Any]]:
    aggregates: dict[str, Any] = {"count": Count("pk")}
    if amount:
        aggregates["amount"] = Sum(amount)
    rows = qs.order_by().values(relation).annotate(**aggregates)
    return {
        row[relation]: {
            "count": row["count"],
            "amount_cents": (row["amount"] or 0) if amount else None,
        }
        for row in rows
    }


def build_manifest(merchants: QuerySet[Merchant] | None = None) -> dict[str, Any]:
    """``{"businesses": [{"external_id", "resources": {resource: {count, amount_cents}}}]}``."""
    merchants = merchants if merchants is not None else Merchant.objects.all()
    totals = {name: _totals(qs.all(), rel, amount) for name, (qs, rel, amount) in SOURCES.items()}
    businesses = []
    for merchant in merchants.order_by("pk"):
        resources: dict[str, Any] = {"business": {"count": 1, "amount_cents": None}}
        for name, (_, _, amount) in SOURCES.items():
            empty = {"count": 0, "amount_cents": 0 if amount else None}
            resources[name] = totals[name].get(merchant.pk, empty)
        businesses.append({"external_id": business_external_id(merchant), "resources": resources})
    return {"businesses": businesses}
