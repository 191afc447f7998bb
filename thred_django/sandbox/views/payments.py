"""Invoice payments: create (Idempotency-Key and external_id), list, get, PATCH, cancel.

A payment needs its customer; each allocation an invoice of that customer with enough
outstanding; allocations never exceed the total. Create and PATCH answer
``{"payment": …}``; get and list answer the detail shape. Only pending or failed
payments can be cancelled (POST …/delete/); anything else is a 409.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseBase
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox import idempotency, ledger, queries, readings
from thred_django.sandbox.errors import conflict, field_error
from thred_django.sandbox.models import Business, Invoice, Payment, PaymentAllocation
from thred_django.sandbox.pagination import (
    paginate,
    param,
    param_bool,
    param_datetime,
    param_int,
    param_uuids,
)
from thred_django.sandbox.references import (
    check_external_id_free,
    check_invoice_allocations,
    resolve_customer,
)
from thred_django.sandbox.render_ar import (
    cancellation_json,
    payment_detail_json,
    payment_summary_json,
)
from thred_django.sandbox.views.base import SandboxAPIView, echo

_SORT_FIELDS = {
    "payment_date": "payment_date",
    "amount": "total_amount_cents",
    "created_at": "created_at",
}


def set_status(obj: Any, status: str) -> None:
    """Set a (bill) payment status and its timestamp."""
    now = timezone.now()
    obj.status = status
    if status == "completed":
        obj.completed_at = obj.completed_at or now
    elif status == "failed":
        obj.failed_at = now
    elif status == "cancelled":
        obj.cancelled_at = now


def _summary(payment_id: Any) -> dict[str, Any]:
    return {"payment": payment_summary_json(queries.payments().get(id=payment_id))}


def _create(
    business: Business,
    data: dict[str, Any],
    cleaned: dict[str, Any],
    key: str | None,
    locked: dict[str, Invoice],
) -> dict[str, Any]:
    """Create the payment and its allocations; returns the response body."""
    customer = resolve_customer(business, cleaned)
    allocations = cleaned.get("allocations") or []
    resolved = check_invoice_allocations(business, customer, allocations, locked=locked)
    payment = Payment(
        business=business,
        customer=customer,
        external_id=cleaned.get("external_id") or None,
        idempotency_key=key,
        total_amount_cents=cleaned["total_amount_cents"],
        processing_fee_cents=cleaned.get("processing_fee_cents", 0),
        currency=cleaned.get("currency") or business.base_currency,
        payment_date=cleaned["payment_date"],
        payment_method=cleaned.get("payment_method", ""),
        payment_processor=cleaned.get("payment_processor", ""),
        data=echo(data, cleaned),
    )
    set_status(payment, cleaned.get("status", readings.PAYMENT_DEFAULT_STATUS))
    payment.save(force_insert=True)
    rows = [
        PaymentAllocation(payment=payment, invoice=invoice, amount_cents=amount)
        for invoice, amount in resolved
    ]
    PaymentAllocation.objects.bulk_create(rows)
    ledger.refresh_invoices(invoice for invoice, _ in resolved)
    return {"payment": payment_summary_json(payment, allocations=rows)}


class PaymentListView(SandboxAPIView):
    resource = "payment"
    actions = {"get": "list", "post": "create"}

    def post(self, request: Request, business_id: str) -> HttpResponseBase:
        data = self.payload()
        key = idempotency.header_key(request)
        self.log.idempotency_key = key or ""
        digest = idempotency.body_hash(data) if key else ""
        cleaned = self.clean("payment", "create", data)
        external_id = cleaned.get("external_id") or None
        existing = Payment.objects.filter(business=self.business, external_id=external_id)
        invoice_ids = [a["invoice_id"] for a in cleaned.get("allocations") or []]
        try:
            with transaction.atomic():
                # Lock what the allocations touch before looking for a duplicate: a request
                # that waited for a concurrent duplicate then answers with its result.
                locked = ledger.lock_invoices(self.business, invoice_ids)
                if key and (stored := idempotency.replay(self.business, "payment", key, digest)):
                    return stored
                if external_id and (found := existing.first()):
                    return Response(_summary(found.id), status=200)
                body = _create(self.business, data, cleaned, key, locked)
                if key:
                    idempotency.store(self.business, "payment", key, digest, 201, body)
        except IntegrityError:
            # A concurrent request with the same key or external_id won the race.
            if key and (stored := idempotency.replay(self.business, "payment", key, digest)):
                return stored
            if external_id and (found := existing.first()):
                return Response(_summary(found.id), status=200)
            raise
        self.log.created = True
        return Response(body, status=201)

    def get(self, request: Request, business_id: str) -> Response:
        queryset = queries.payments().filter(business=self.business)
        if customer_ids := param_uuids(request, "customer_id"):
            queryset = queryset.filter(customer_id__in=customer_ids)
        if invoice_ids := param_uuids(request, "invoice_id"):
            queryset = queryset.filter(allocations__invoice_id__in=invoice_ids).distinct()
        if (start := param_datetime(request, "date_from")) is not None:
            queryset = queryset.filter(payment_date__gte=start.date())
        if (end := param_datetime(request, "date_to")) is not None:
            queryset = queryset.filter(payment_date__lte=end.date())
        if (low := param_int(request, "min_amount")) is not None:
            queryset = queryset.filter(total_amount_cents__gte=low)
        if (high := param_int(request, "max_amount")) is not None:
            queryset = queryset.filter(total_amount_cents__lte=high)
        for name in ("status", "payment_method", "payment_processor"):
            if value := param(request, name):
                queryset = queryset.filter(**{name: value})
        fully = param_bool(request, "fully_allocated")
        if fully is not None:
            queryset = queryset.annotate(
                _allocated=Coalesce(Sum("allocations__amount_cents"), 0)
            ).filter(**{"_allocated__gte" if fully else "_allocated__lt": F("total_amount_cents")})
        if search := param(request, "search"):
            queryset = queryset.filter(_search_q(search))
        sort = _SORT_FIELDS.get(param(request, "sort_by") or "payment_date")
        if sort is None:
            raise field_error("sort_by", f"Must be one of: {', '.join(_SORT_FIELDS)}.")
        order = (param(request, "order") or "desc").lower()
        if order not in ("asc", "desc"):
            raise field_error("order", "Must be asc or desc.")
        prefix = "-" if order == "desc" else ""
        queryset = queryset.order_by(f"{prefix}{sort}", f"{prefix}created_at", "id")
        return paginate(request, queryset, payment_detail_json)


def _search_q(text: str) -> Q:
    q = Q(external_id__icontains=text)
    for key in ("payment_reference", "processor_reference", "bank_reference", "note", "notes"):
        q |= Q(**{f"data__{key}__icontains": text})
    return (
        q | Q(customer__company_name__icontains=text) | Q(customer__individual_name__icontains=text)
    )


class PaymentDetailView(SandboxAPIView):
    resource = "payment"
    actions = {"get": "get", "patch": "update"}

    def get(self, request: Request, business_id: str, payment_id: str) -> Response:
        payment = self.get_owned(queries.payments(), payment_id, "payment")
        return Response(payment_detail_json(payment))

    def patch(self, request: Request, business_id: str, payment_id: str) -> Response:
        payment = self.get_owned(Payment.objects, payment_id, "payment")
        self.log.external_id = payment.external_id or ""
        data = self.payload()
        cleaned = self.clean("payment", "update", data)
        with transaction.atomic():
            payment = (
                Payment.objects.select_for_update().select_related("customer").get(id=payment.id)
            )
            self._update(payment, data, cleaned)
        return Response(_summary(payment.id))

    def _update(self, payment: Payment, data: dict[str, Any], cleaned: dict[str, Any]) -> None:
        if payment.status == "cancelled":
            raise conflict(
                readings.ERROR_CANCELLED.format(resource="payment"),
                "A cancelled payment cannot be updated.",
            )
        business = self.business
        customer = payment.customer
        if "customer_id" in cleaned and cleaned["customer_id"] != str(payment.customer_id):
            customer = resolve_customer(business, cleaned)
        if "external_id" in cleaned and cleaned["external_id"] != payment.external_id:
            check_external_id_free(Payment, business, cleaned["external_id"], payment.id)
            payment.external_id = cleaned["external_id"]
        old = list(payment.allocations.values("invoice_id", "amount_cents"))
        allocations = cleaned.get("allocations")
        if allocations is None:
            allocations = [
                {"invoice_id": str(a["invoice_id"]), "amount_cents": a["amount_cents"]} for a in old
            ]
        total = cleaned.get("total_amount_cents", payment.total_amount_cents)
        if sum(a["amount_cents"] for a in allocations) > total:
            raise field_error("allocations", f"Allocations exceed the payment total ({total}).")
        fee = cleaned.get("processing_fee_cents", payment.processing_fee_cents)
        if fee > total:
            raise field_error("processing_fee_cents", f"May not exceed the total ({total}).")
        status = cleaned.get("status", payment.status)
        reactivated = (
            status in readings.ALLOCATING_PAYMENT_STATUSES
            and payment.status not in readings.ALLOCATING_PAYMENT_STATUSES
        )
        resolved = None
        if "allocations" in cleaned or customer.id != payment.customer_id or reactivated:
            resolved = check_invoice_allocations(
                business, customer, allocations, exclude_payment_id=payment.id
            )
        payment.customer = customer
        payment.total_amount_cents = total
        payment.processing_fee_cents = fee
        for key in ("currency", "payment_date", "payment_method", "payment_processor"):
            if key in cleaned:
                setattr(payment, key, cleaned[key])
        if status != payment.status:
            set_status(payment, status)
        payment.data = {**payment.data, **echo(data, cleaned)}
        payment.updated_at = timezone.now()
        payment.save()
        if resolved is not None and "allocations" in cleaned:  # replace the lines
            payment.allocations.all().delete()
            PaymentAllocation.objects.bulk_create(
                PaymentAllocation(payment=payment, invoice=invoice, amount_cents=amount)
                for invoice, amount in resolved
            )
        touched = {a["invoice_id"] for a in old} | {a["invoice_id"] for a in allocations}
        ledger.refresh_invoices(touched)


class PaymentCancelView(SandboxAPIView):
    resource = "payment"
    actions = {"post": "cancel"}

    def post(self, request: Request, business_id: str, payment_id: str) -> Response:
        payment = self.get_owned(Payment.objects, payment_id, "payment")
        self.log.external_id = payment.external_id or ""
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(id=payment.id)
            if payment.status == "cancelled":
                raise conflict(
                    readings.ERROR_ALREADY_CANCELLED.format(resource="payment"),
                    "The payment is already cancelled.",
                )
            if payment.status not in readings.CANCELLABLE_STATUSES:
                raise conflict(
                    readings.ERROR_NOT_CANCELLABLE.format(resource="payment"),
                    f"Only pending or failed payments can be cancelled; this one is "
                    f"{payment.status}. Use a refund instead.",
                )
            set_status(payment, "cancelled")
            payment.updated_at = timezone.now()
            payment.save()
            ledger.refresh_invoices(payment.allocations.values_list("invoice_id", flat=True))
        return Response(cancellation_json(payment, "Payment cancelled successfully."))
