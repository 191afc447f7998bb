"""Bills: create (idempotent on external_id), list, get, PUT.

A bill needs an existing, active vendor (``vendor_id`` or ``vendor_external_id``).
PUT keeps omitted fields and, when ``line_items`` is sent, replaces all lines (the new
total may not fall below what the bill has been paid or credited).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox import ledger, queries, readings
from thred_django.sandbox.errors import field_error
from thred_django.sandbox.idempotency import create_once
from thred_django.sandbox.models import Bill
from thred_django.sandbox.pagination import paginate, param, param_uuids
from thred_django.sandbox.references import check_external_id_free, resolve_vendor
from thred_django.sandbox.render_ap import bill_json
from thred_django.sandbox.schemas import totals
from thred_django.sandbox.views.base import SandboxAPIView, echo


class BillListView(SandboxAPIView):
    resource = "bill"
    actions = {"get": "list", "post": "create"}

    def get(self, request: Request, business_id: str) -> Response:
        queryset = queries.bills().filter(business=self.business)
        if vendor_ids := param_uuids(request, "vendor_id"):
            queryset = queryset.filter(vendor_id__in=vendor_ids)
        if status := param(request, "status"):
            queryset = queryset.filter(status=status.upper())
        return paginate(request, queryset.order_by("-created_at", "id"), bill_json)

    def post(self, request: Request, business_id: str) -> Response:
        data = self.payload()
        cleaned = self.clean("bill", "create", data)
        business = self.business

        def existing() -> Bill | None:
            found = Bill.objects.filter(business=business, external_id=cleaned["external_id"])
            return found.first()

        def build() -> Bill:
            vendor = resolve_vendor(business, cleaned, new_document=True)
            bill = Bill(
                business=business,
                vendor=vendor,
                external_id=cleaned["external_id"],
                bill_number=cleaned.get("bill_number", ""),
                currency=cleaned.get("currency") or business.base_currency,
                total_cents=totals.bill(cleaned),
                due_at=cleaned.get("due_at"),
                data=echo(data, cleaned),
            )
            bill.status = ledger.bill_status(bill)
            bill.paid_at = timezone.now() if bill.status == "PAID" else None
            bill.save(force_insert=True)
            return bill

        bill, created = create_once(existing, build)
        self.log.created = created
        return Response(bill_json(queries.bills().get(id=bill.id)), status=201 if created else 200)


class BillDetailView(SandboxAPIView):
    resource = "bill"
    actions = {"get": "get", "put": "update"}

    def get(self, request: Request, business_id: str, bill_id: str) -> Response:
        return Response(bill_json(self.get_owned(queries.bills(), bill_id, "bill")))

    def put(self, request: Request, business_id: str, bill_id: str) -> Response:
        bill = self.get_owned(Bill.objects, bill_id, "bill")
        self.log.external_id = bill.external_id or ""
        data = self.payload()
        cleaned = self.clean("bill", "update", data)
        with transaction.atomic():
            bill = Bill.objects.select_for_update().get(id=bill.id)
            self._update(bill, data, cleaned)
        return Response(bill_json(queries.bills().get(id=bill.id)))

    def _update(self, bill: Bill, data: dict[str, Any], cleaned: dict[str, Any]) -> None:
        if cleaned.get("vendor_id") or cleaned.get("vendor_external_id"):
            vendor = resolve_vendor(self.business, cleaned, new_document=True)
            if vendor.id != bill.vendor_id and bill.paid_cents:
                raise field_error(
                    "vendor_id", "The bill has payments or credits; its vendor is fixed."
                )
            bill.vendor = vendor
        if "external_id" in cleaned and cleaned["external_id"] != bill.external_id:
            check_external_id_free(Bill, self.business, cleaned["external_id"], bill.id)
            bill.external_id = cleaned["external_id"]
        merged = {**bill.data, **echo(data, cleaned)}
        total = totals.bill(merged)
        if total < readings.DOCUMENT_TOTAL_MIN_CENTS:
            raise field_error("line_items", f"The document total may not be negative ({total}).")
        if total < bill.paid_cents:
            raise field_error(
                "line_items",
                f"The new total {total} is below what the bill has been paid ({bill.paid_cents}).",
            )
        bill.data = merged
        bill.total_cents = total
        for key in ("bill_number", "currency", "due_at"):
            if key in cleaned:
                setattr(bill, key, cleaned[key])
        bill.updated_at = timezone.now()
        bill.save()
        ledger.refresh_bills([bill.id])
