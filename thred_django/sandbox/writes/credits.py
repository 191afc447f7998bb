"""Vendor credit notes: create (idempotent on external_id).

The vendor is ``vendor_id`` (must exist) or ``vendor_external_id``, which creates the
vendor when unknown (documented). Optional allocations apply the credit to open bills
of that vendor and may not exceed the credit's total or a bill's outstanding amount.
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from thred_django.sandbox import ledger, queries, readings
from thred_django.sandbox import models as m
from thred_django.sandbox import render as r
from thred_django.sandbox.errors import field_error
from thred_django.sandbox.references import check_allocations, resolve
from thred_django.sandbox.schemas import totals
from thred_django.sandbox.views.base import SandboxAPIView, echo
from thred_django.sandbox.writes import common


def _vendor(business: m.Business, cleaned: dict[str, Any]) -> m.Vendor:
    if cleaned.get("vendor_id") or not readings.VENDOR_CREDIT_CREATES_VENDOR:
        return resolve("vendor", business, cleaned, new_document=True)
    vendor, _ = m.Vendor.objects.get_or_create(
        business=business, external_id=cleaned["vendor_external_id"]
    )
    if vendor.status == "ARCHIVED" and readings.ARCHIVED_COUNTERPARTY_REFUSES_NEW_DOCUMENTS:
        raise field_error("vendor_external_id", "The vendor is archived; unarchive it first.")
    return vendor


def _status(applied: int, total: int) -> str:
    if applied <= 0:
        return "open"
    return "applied" if applied >= total else "partially_applied"


def create(v: SandboxAPIView) -> Response:
    business = v.business

    def build(data: dict[str, Any], cleaned: dict[str, Any]) -> m.VendorCredit:
        vendor = _vendor(business, cleaned)
        allocations = cleaned.get("allocations") or []
        resolved = check_allocations("bill", business, vendor, allocations, amount_key="amount")
        total = totals.vendor_credit(cleaned)
        applied = sum(amount for _, amount in resolved)
        credit = m.VendorCredit.objects.create(
            business=business,
            vendor=vendor,
            external_id=cleaned["external_id"],
            total_cents=total,
            applied_cents=applied,
            currency=cleaned.get("currency") or business.base_currency,
            status=_status(applied, total),
            data=echo(data, cleaned),
        )
        m.VendorCreditAllocation.objects.bulk_create(
            m.VendorCreditAllocation(vendor_credit=credit, bill=bill, amount_cents=amount)
            for bill, amount in resolved
        )
        ledger.refresh_bills(bill.id for bill, _ in resolved)
        return credit

    def lock(cleaned: dict[str, Any]) -> None:
        bill_ids = [a["bill_id"] for a in cleaned.get("allocations") or []]
        if bill_ids:
            ledger.lock(ledger.BILL, business, bill_ids)

    return common.create(
        v, "vendor_credit", queries.vendor_credits, build, r.vendor_credit, lock=lock
    )
