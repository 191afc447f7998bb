"""Bill payments: create (Idempotency-Key and external_id), list, get, PATCH, cancel.

Business-scoped token only: the partner token gets 403 ``permission_denied``. A bill
payment needs its vendor, allocations to open bills of that vendor, and
``check_number`` when paid by check. Only pending or failed bill payments can be
cancelled (POST …/delete/); anything else is a 409.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponseBase
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox import idempotency, ledger, queries, readings
from thred_django.sandbox.errors import conflict, field_error
from thred_django.sandbox.models import Bill, BillPayment, BillPaymentAllocation, Business
from thred_django.sandbox.pagination import (
    paginate,
    param,
    param_choice,
    param_date,
    param_uuids,
)
from thred_django.sandbox.references import check_bill_allocations, resolve_vendor
from thred_django.sandbox.render_ap import bill_payment_json
from thred_django.sandbox.render_ar import cancellation_json
from thred_django.sandbox.views.base import SandboxAPIView, echo
from thred_django.sandbox.views.payments import set_status

RESOURCE = "bill_payment"


def _render(bill_payment_id: Any) -> dict[str, Any]:
    return bill_payment_json(queries.bill_payments().get(id=bill_payment_id))


def _allocate(
    bill_payment: BillPayment, resolved: list[tuple[Any, int]], cleaned: Any
) -> list[BillPaymentAllocation]:
    descriptions = [a.get("description", "") for a in cleaned]
    rows = [
        BillPaymentAllocation(
            bill_payment=bill_payment, bill=bill, amount_cents=amount, description=text
        )
        for (bill, amount), text in zip(resolved, descriptions, strict=True)
    ]
    return BillPaymentAllocation.objects.bulk_create(rows)


def _create(
    business: Business,
    data: dict[str, Any],
    cleaned: dict[str, Any],
    key: str | None,
    locked: dict[str, Bill],
) -> dict[str, Any]:
    """Create the bill payment and its allocations; returns the response body."""
    vendor = resolve_vendor(business, cleaned)
    allocations = cleaned.get("allocations") or []
    resolved = check_bill_allocations(business, vendor, allocations, locked=locked)
    bill_payment = BillPayment(
        business=business,
        vendor=vendor,
        external_id=cleaned.get("external_id") or None,
        idempotency_key=key,
        amount_cents=cleaned["amount_cents"],
        processing_fee_cents=cleaned.get("processing_fee_cents", 0),
        currency=cleaned.get("currency") or readings.BILL_PAYMENT_DEFAULT_CURRENCY,
        payment_method=cleaned["payment_method"],
        payment_date=cleaned["payment_date"],
        check_number=cleaned.get("check_number", ""),
        data=echo(data, cleaned),
    )
    set_status(bill_payment, cleaned.get("status", readings.PAYMENT_DEFAULT_STATUS))
    bill_payment.save(force_insert=True)
    rows = _allocate(bill_payment, resolved, allocations)
    ledger.refresh_bills(bill for bill, _ in resolved)
    return bill_payment_json(bill_payment, allocations=rows)


class BillPaymentListView(SandboxAPIView):
    auth_mode = "business_only"
    resource = RESOURCE
    actions = {"get": "list", "post": "create"}

    def post(self, request: Request, business_id: str) -> HttpResponseBase:
        data = self.payload()
        key = idempotency.header_key(request)
        self.log.idempotency_key = key or ""
        digest = idempotency.body_hash(data) if key else ""
        cleaned = self.clean(RESOURCE, "create", data)
        external_id = cleaned.get("external_id") or None
        existing = BillPayment.objects.filter(business=self.business, external_id=external_id)
        bill_ids = [a["bill_id"] for a in cleaned.get("allocations") or []]
        try:
            with transaction.atomic():
                # Lock what the allocations touch before looking for a duplicate: a request
                # that waited for a concurrent duplicate then answers with its result.
                locked = ledger.lock_bills(self.business, bill_ids)
                if key and (stored := idempotency.replay(self.business, RESOURCE, key, digest)):
                    return stored
                if external_id and (found := existing.first()):
                    return Response(_render(found.id), status=200)
                body = _create(self.business, data, cleaned, key, locked)
                if key:
                    idempotency.store(self.business, RESOURCE, key, digest, 201, body)
        except IntegrityError:
            # A concurrent request with the same key or external_id won the race.
            if key and (stored := idempotency.replay(self.business, RESOURCE, key, digest)):
                return stored
            if external_id and (found := existing.first()):
                return Response(_render(found.id), status=200)
            raise
        self.log.created = True
        return Response(body, status=201)

    def get(self, request: Request, business_id: str) -> Response:
        queryset = queries.bill_payments().filter(business=self.business)
        if vendor_ids := param_uuids(request, "vendor_id"):
            queryset = queryset.filter(vendor_id__in=vendor_ids)
        if bill_ids := param_uuids(request, "bill_id"):
            queryset = queryset.filter(allocations__bill_id__in=bill_ids).distinct()
        if status := param_choice(request, "status", readings.BILL_PAYMENT_FILTER_STATUSES):
            queryset = queryset.filter(status=status)
        if method := param(request, "payment_method"):
            queryset = queryset.filter(payment_method=method)
        if (start := param_date(request, "payment_date_start")) is not None:
            queryset = queryset.filter(payment_date__gte=start)
        if (end := param_date(request, "payment_date_end")) is not None:
            queryset = queryset.filter(payment_date__lte=end)
        if search := param(request, "search"):
            queryset = queryset.filter(
                Q(check_number__icontains=search)
                | Q(data__payment_reference__icontains=search)
                | Q(data__processor_payment_id__icontains=search)
            )
        order = ("-payment_date", "-created_at", "id")
        return paginate(request, queryset.order_by(*order), bill_payment_json)


class BillPaymentDetailView(SandboxAPIView):
    auth_mode = "business_only"
    resource = RESOURCE
    actions = {"get": "get", "patch": "update"}

    def get(self, request: Request, business_id: str, bill_payment_id: str) -> Response:
        found = self.get_owned(queries.bill_payments(), bill_payment_id, RESOURCE)
        return Response(bill_payment_json(found))

    def patch(self, request: Request, business_id: str, bill_payment_id: str) -> Response:
        bill_payment = self.get_owned(BillPayment.objects, bill_payment_id, RESOURCE)
        self.log.external_id = bill_payment.external_id or ""
        data = self.payload()
        cleaned = self.clean(RESOURCE, "update", data)
        with transaction.atomic():
            locked = BillPayment.objects.select_for_update().select_related("vendor")
            self._update(locked.get(id=bill_payment.id), data, cleaned)
        return Response(_render(bill_payment.id))

    def _update(self, payment: BillPayment, data: dict[str, Any], cleaned: dict[str, Any]) -> None:
        if payment.status == "cancelled":
            raise conflict(
                readings.ERROR_CANCELLED.format(resource="bill_payment"),
                "A cancelled bill payment cannot be updated.",
            )
        check_number = cleaned.get("check_number", payment.check_number)
        if payment.payment_method == "check" and not check_number:
            raise field_error("check_number", "Required when payment_method is check.")
        fee = cleaned.get("processing_fee_cents", payment.processing_fee_cents)
        if fee > payment.amount_cents:
            raise field_error("processing_fee_cents", f"May not exceed {payment.amount_cents}.")
        old = list(payment.allocations.values("bill_id", "amount_cents", "description"))
        allocations = cleaned.get("allocations")
        if allocations is None:
            allocations = [{**a, "bill_id": str(a["bill_id"])} for a in old]
        if sum(a["amount_cents"] for a in allocations) > payment.amount_cents:
            raise field_error(
                "allocations", f"Allocations exceed the payment amount ({payment.amount_cents})."
            )
        status = cleaned.get("status", payment.status)
        reactivated = (
            status in readings.ALLOCATING_BILL_PAYMENT_STATUSES
            and payment.status not in readings.ALLOCATING_BILL_PAYMENT_STATUSES
        )
        resolved = None
        if "allocations" in cleaned or reactivated:
            resolved = check_bill_allocations(
                self.business, payment.vendor, allocations, exclude_bill_payment_id=payment.id
            )
        payment.check_number = check_number
        payment.processing_fee_cents = fee
        if status != payment.status:
            set_status(payment, status)
        payment.data = {**payment.data, **echo(data, cleaned)}
        payment.updated_at = timezone.now()
        payment.save()
        if resolved is not None and "allocations" in cleaned:  # replace the lines
            payment.allocations.all().delete()
            _allocate(payment, resolved, allocations)
        ledger.refresh_bills({a["bill_id"] for a in old} | {a["bill_id"] for a in allocations})


class BillPaymentCancelView(SandboxAPIView):
    auth_mode = "business_only"
    resource = RESOURCE
    actions = {"post": "cancel"}

    def post(self, request: Request, business_id: str, bill_payment_id: str) -> Response:
        payment = self.get_owned(BillPayment.objects, bill_payment_id, RESOURCE)
        self.log.external_id = payment.external_id or ""
        with transaction.atomic():
            payment = BillPayment.objects.select_for_update().get(id=payment.id)
            if payment.status == "cancelled":
                raise conflict(
                    readings.ERROR_ALREADY_CANCELLED.format(resource="bill_payment"),
                    "The bill payment is already cancelled.",
                )
            if payment.status not in readings.CANCELLABLE_STATUSES:
                raise conflict(
                    readings.ERROR_NOT_CANCELLABLE.format(resource="bill_payment"),
                    "Only pending or failed bill payments can be cancelled; this one is "
                    f"{payment.status}.",
                )
            set_status(payment, "cancelled")
            payment.updated_at = timezone.now()
            payment.save()
            ledger.refresh_bills(payment.allocations.values_list("bill_id", flat=True))
        return Response(cancellation_json(payment, "Bill payment cancelled successfully."))
