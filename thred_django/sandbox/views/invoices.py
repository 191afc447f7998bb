"""Invoices: create (idempotent on external_id), list, get, PUT, void.

An invoice needs an existing, active customer of the business (``customer_id`` or
``customer_external_id``); its currency is the business base currency. PUT keeps
omitted fields and replaces all lines when ``line_items`` is sent; a voided invoice
cannot be updated. Void is refused while payments are allocated to the invoice or it has refunds.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox import ledger, queries, readings
from thred_django.sandbox.errors import conflict, field_error
from thred_django.sandbox.idempotency import create_once
from thred_django.sandbox.models import Invoice
from thred_django.sandbox.pagination import (
    paginate,
    param,
    param_datetime,
    param_int,
    param_uuids,
)
from thred_django.sandbox.references import check_external_id_free, resolve_customer
from thred_django.sandbox.render_ar import invoice_json
from thred_django.sandbox.schemas import totals
from thred_django.sandbox.views.base import SandboxAPIView, echo

_DATES = ("sent_at", "due_at")


class InvoiceListView(SandboxAPIView):
    resource = "invoice"
    actions = {"get": "list", "post": "create"}

    def get(self, request: Request, business_id: str) -> Response:
        queryset = queries.invoices().filter(business=self.business)
        if customer_ids := param_uuids(request, "customer_id"):
            queryset = queryset.filter(customer_id__in=customer_ids)
        if customer_external_id := param(request, "customer_external_id"):
            queryset = queryset.filter(customer__external_id=customer_external_id)
        if (start := param_datetime(request, "due_at_start")) is not None:
            queryset = queryset.filter(due_at__gte=start)
        if (end := param_datetime(request, "due_at_end")) is not None:
            queryset = queryset.filter(due_at__lte=end)
        if (low := param_int(request, "min_amount")) is not None:
            queryset = queryset.filter(total_cents__gte=low)
        if (high := param_int(request, "max_amount")) is not None:
            queryset = queryset.filter(total_cents__lte=high)
        if status := param(request, "status"):
            wanted = status.upper()
            statuses = ["SENT", "PARTIALLY_PAID"] if wanted == "UNPAID" else [wanted]
            queryset = queryset.filter(status__in=statuses)
        return paginate(request, queryset.order_by("-created_at", "id"), invoice_json)

    def post(self, request: Request, business_id: str) -> Response:
        data = self.payload()
        cleaned = self.clean("invoice", "create", data)
        business = self.business

        def existing() -> Invoice | None:
            return (
                queries.invoices()
                .filter(business=business, external_id=cleaned["external_id"])
                .first()
            )

        def build() -> Invoice:
            customer = resolve_customer(business, cleaned, new_document=True)
            invoice = Invoice(
                business=business,
                customer=customer,
                external_id=cleaned["external_id"],
                invoice_number=cleaned.get("invoice_number", ""),
                currency=business.base_currency,
                total_cents=totals.invoice(cleaned),
                sent_at=cleaned["sent_at"],
                due_at=cleaned.get("due_at"),
                voided_at=cleaned.get("voided_at"),
                data=echo(data, cleaned),
            )
            invoice.status = ledger.invoice_status(invoice)
            invoice.paid_at = timezone.now() if invoice.status == "PAID" else None
            invoice.save(force_insert=True)
            ledger.refresh_customers([customer.id], [customer])
            return invoice

        invoice, created = create_once(existing, build)
        self.log.created = created
        return Response(invoice_json(invoice), status=201 if created else 200)


class InvoiceDetailView(SandboxAPIView):
    resource = "invoice"
    actions = {"get": "get", "put": "update"}

    def get(self, request: Request, business_id: str, invoice_id: str) -> Response:
        return Response(invoice_json(self.get_owned(queries.invoices(), invoice_id, "invoice")))

    def put(self, request: Request, business_id: str, invoice_id: str) -> Response:
        self.require_body()  # documented as required (the bill PUT's is optional)
        invoice = self.get_owned(Invoice.objects, invoice_id, "invoice")
        self.log.external_id = invoice.external_id or ""
        data = self.payload()
        cleaned = self.clean("invoice", "update", data)
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().get(id=invoice.id)
            self._update(invoice, data, cleaned)
        return Response(invoice_json(queries.invoices().get(id=invoice.id)))

    def _update(self, invoice: Invoice, data: dict[str, Any], cleaned: dict[str, Any]) -> None:
        if invoice.voided_at is not None:
            raise conflict(readings.ERROR_INVOICE_VOIDED, "A voided invoice cannot be updated.")
        old_customer_id = invoice.customer_id
        if "customer_id" in cleaned and cleaned["customer_id"] != str(invoice.customer_id):
            if invoice.received_cents:
                raise field_error("customer_id", "The invoice has payments; its customer is fixed.")
            invoice.customer = resolve_customer(self.business, cleaned, new_document=True)
        if "external_id" in cleaned and cleaned["external_id"] != invoice.external_id:
            check_external_id_free(Invoice, self.business, cleaned["external_id"], invoice.id)
            invoice.external_id = cleaned["external_id"]
        merged = {**invoice.data, **echo(data, cleaned)}
        total = totals.invoice(merged)
        if total < readings.DOCUMENT_TOTAL_MIN_CENTS:
            raise field_error("line_items", f"The document total may not be negative ({total}).")
        floor = max(invoice.received_cents, invoice.refunded_cents)
        if total < floor:
            raise field_error(
                "line_items",
                f"The new total {total} is below what the invoice has received or "
                f"refunded ({floor}).",
            )
        invoice.data = merged
        invoice.total_cents = total
        if "invoice_number" in cleaned:
            invoice.invoice_number = cleaned["invoice_number"]
        for key in _DATES:
            if key in cleaned:
                setattr(invoice, key, cleaned[key])
        invoice.updated_at = timezone.now()
        invoice.save()
        ledger.refresh_invoices([invoice])
        ledger.refresh_customers({old_customer_id, invoice.customer_id})


class InvoiceVoidView(SandboxAPIView):
    resource = "invoice"
    actions = {"post": "void"}

    def post(self, request: Request, business_id: str, invoice_id: str) -> Response:
        invoice = self.get_owned(Invoice.objects, invoice_id, "invoice")
        self.log.external_id = invoice.external_id or ""
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().get(id=invoice.id)
            if invoice.voided_at is not None:
                raise conflict(
                    readings.ERROR_INVOICE_ALREADY_VOIDED, "The invoice is already voided."
                )
            if invoice.received_cents and readings.VOID_REFUSED_WITH_PAYMENTS:
                raise conflict(
                    readings.ERROR_INVOICE_HAS_PAYMENTS,
                    "The invoice has payments allocated; cancel them before voiding.",
                )
            if invoice.refunded_cents and readings.VOID_REFUSED_WITH_PAYMENTS:
                raise conflict(
                    readings.ERROR_INVOICE_HAS_REFUNDS,
                    "The invoice has refunds; its revenue is already (partly) reversed.",
                )
            invoice.voided_at = timezone.now()
            invoice.status = ledger.invoice_status(invoice)
            invoice.paid_at = None
            invoice.updated_at = invoice.voided_at
            invoice.save()
            ledger.refresh_customers([invoice.customer_id])
        return Response(invoice_json(queries.invoices().get(id=invoice.id)))
