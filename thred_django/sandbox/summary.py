"""What each sandbox business holds: counts and money totals per resource.

``business_summary(business_id_or_external_id)`` returns, for every resource except
business, ``{"count": n, "amount_cents": total_or_None}`` where ``amount_cents`` sums
``total_amount_cents`` of payments, ``amount_cents`` of refunds, refund payments and
bill payments, ``paid_out_amount_cents`` of payouts, and is None for the others.

Counts and totals include every object ever created: voided invoices, cancelled
payments and bill payments, archived customers and vendors all still count (the
sandbox never deletes them). ``partner_summary()`` gives the same per business, keyed
by the business's external_id.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Model, Sum

from thred_django.sandbox.kinds import KINDS
from thred_django.sandbox.tables import Business

Summary = dict[str, dict[str, int | None]]

SUMMARY_RESOURCES: dict[str, tuple[type[Model], str | None]] = {
    name: (kind.model, kind.summed) for name, kind in KINDS.items() if name != "business"
}


def find_business(business_id_or_external_id: Any, *, partner_id: str | None = None) -> Business:
    """The business with this Thred id or external_id; ``LookupError`` if none or several."""
    businesses = Business.objects.all()
    if partner_id is not None:
        businesses = businesses.filter(partner_id=partner_id)
    key = str(business_id_or_external_id)
    try:
        found = list(businesses.filter(id=uuid.UUID(key))[:1])
    except ValueError:
        found = []
    if not found:
        found = list(businesses.filter(external_id=key)[:2])
    if len(found) != 1:
        problem = "several businesses have" if found else "no business has"
        raise LookupError(f"{problem} the id or external_id {key!r}")
    return found[0]


def _empty() -> Summary:
    return {
        resource: {"count": 0, "amount_cents": 0 if field else None}
        for resource, (_, field) in SUMMARY_RESOURCES.items()
    }


def _grouped(business_ids: list[Any]) -> dict[Any, Summary]:
    out: dict[Any, Summary] = {business_id: _empty() for business_id in business_ids}
    for resource, (model, field) in SUMMARY_RESOURCES.items():
        aggregates: dict[str, Any] = {"n": Count("id")}
        if field:
            aggregates["total"] = Sum(field)
        rows = (
            model.objects.filter(business_id__in=business_ids)  # type: ignore[attr-defined]
            .values("business_id")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            entry = out[row["business_id"]][resource]
            entry["count"] = row["n"]
            if field:
                entry["amount_cents"] = int(row["total"] or 0)
    return out


def business_summary(business_id_or_external_id: Any, *, partner_id: str | None = None) -> Summary:
    """Counts and totals of one business (see the module docstring)."""
    business = find_business(business_id_or_external_id, partner_id=partner_id)
    return _grouped([business.id])[business.id]


def partner_summary(partner_id: str | None = None) -> dict[str, Summary]:
    """``{business external_id: summary}`` for every business (of ``partner_id``)."""
    businesses = Business.objects.all()
    if partner_id is not None:
        businesses = businesses.filter(partner_id=partner_id)
    pairs = list(businesses.order_by("external_id").values_list("id", "external_id"))
    grouped = _grouped([business_id for business_id, _ in pairs])
    return {external_id: grouped[business_id] for business_id, external_id in pairs}
