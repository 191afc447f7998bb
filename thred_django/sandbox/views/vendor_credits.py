"""Vendor credit notes: create (idempotent on external_id), list, get.

The vendor is ``vendor_id`` (must exist) or ``vendor_external_id``, which creates the
vendor when unknown (documented). Optional allocations apply the credit to open bills
of that vendor and may not exceed the credit's total or a bill's outstanding amount.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox import ledger, queries, readings
from thred_django.sandbox.errors import field_error
from thred_django.sandbox.idempotency import create_once
from thred_django.sandbox.models import Business, Vendor, VendorCredit, VendorCreditAllocation
from thred_django.sandbox.pagination import paginate, param, param_uuids
from thred_django.sandbox.references import check_bill_allocations, resolve_vendor
from thred_django.sandbox.render_ap import vendor_credit_json
from thred_django.sandbox.schemas import totals
from thred_django.sandbox.views.base import SandboxAPIView, echo


def _vendor(business: Business, cleaned: dict[str, Any]) -> Vendor:
    if cleaned.get("vendor_id") or not readings.VENDOR_CREDIT_CREATES_VENDOR:
        return resolve_vendor(business, cleaned, new_document=True)
    vendor, _ = Vendor.objects.get_or_create(
        business=business, external_id=cleaned["vendor_external_id"]
    )
    if vendor.status == "ARCHIVED" and readings.ARCHIVED_COUNTERPARTY_REFUSES_NEW_DOCUMENTS:
        raise field_error("vendor_external_id", "The vendor is archived; unarchive it first.")
    return vendor


def _status(applied: int, total: int) -> str:
    if applied <= 0:
        return "open"
    return "applied" if applied >= total else "partially_applied"


class VendorCreditListView(SandboxAPIView):
    resource = "vendor_credit"
    actions = {"get": "list", "post": "create"}

    def get(self, request: Request, business_id: str) -> Response:
        queryset = queries.vendor_credits().filter(business=self.business)
        if vendor_ids := param_uuids(request, "vendor_id"):
            queryset = queryset.filter(vendor_id__in=vendor_ids)
        if status := param(request, "status"):
            queryset = queryset.filter(status=status.lower())
        return paginate(request, queryset.order_by("-created_at", "id"), vendor_credit_json)

    def post(self, request: Request, business_id: str) -> Response:
        data = self.payload()
        cleaned = self.clean("vendor_credit", "create", data)
        business = self.business

        def existing() -> VendorCredit | None:
            found = VendorCredit.objects.filter(
                business=business, external_id=cleaned["external_id"]
            )
            return found.first()

        def build() -> VendorCredit:
            vendor = _vendor(business, cleaned)
            allocations = cleaned.get("allocations") or []
            resolved = check_bill_allocations(business, vendor, allocations, amount_key="amount")
            total = totals.vendor_credit(cleaned)
            applied = sum(amount for _, amount in resolved)
            credit = VendorCredit.objects.create(
                business=business,
                vendor=vendor,
                external_id=cleaned["external_id"],
                total_cents=total,
                applied_cents=applied,
                currency=cleaned.get("currency") or business.base_currency,
                status=_status(applied, total),
                data=echo(data, cleaned),
            )
            VendorCreditAllocation.objects.bulk_create(
                VendorCreditAllocation(vendor_credit=credit, bill=bill, amount_cents=amount)
                for bill, amount in resolved
            )
            ledger.refresh_bills(bill.id for bill, _ in resolved)
            return credit

        def lock() -> None:
            bill_ids = [a["bill_id"] for a in cleaned.get("allocations") or []]
            if bill_ids:
                ledger.lock_bills(business, bill_ids)

        credit, created = create_once(existing, build, lock)
        self.log.created = created
        body = vendor_credit_json(queries.vendor_credits().get(id=credit.id))
        return Response(body, status=201 if created else 200)


class VendorCreditDetailView(SandboxAPIView):
    resource = "vendor_credit"
    actions = {"get": "get"}

    def get(self, request: Request, business_id: str, credit_id: str) -> Response:
        credit = self.get_owned(queries.vendor_credits(), credit_id, "vendor_credit")
        return Response(vendor_credit_json(credit))
