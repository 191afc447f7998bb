"""Refunds (create, list, get) and refund payments (create, list, get).

A refund needs its (not voided) invoice and may not exceed the invoice total minus what
earlier refunds took (``readings``); without ``amount_cents`` it refunds all of
that. A refund payment may not exceed what is left to pay back; the refund's status
moves pending → processing → paid. Both are idempotent on external_id per business.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox import ledger, queries, readings
from thred_django.sandbox.errors import conflict, field_error, not_found
from thred_django.sandbox.idempotency import create_once
from thred_django.sandbox.models import Refund, RefundPayment
from thred_django.sandbox.pagination import paginate, param, param_uuids
from thred_django.sandbox.render_ar import refund_json, refund_payment_json
from thred_django.sandbox.views.base import SandboxAPIView, echo, parse_uuid


class RefundListView(SandboxAPIView):
    resource = "refund"
    actions = {"get": "list", "post": "create"}

    def get(self, request: Request, business_id: str) -> Response:
        queryset = queries.refunds().filter(business=self.business)
        if invoice_ids := param_uuids(request, "invoice_id"):
            queryset = queryset.filter(invoice_id__in=invoice_ids)
        if customer_ids := param_uuids(request, "customer_id"):
            queryset = queryset.filter(customer_id__in=customer_ids)
        if status := param(request, "status"):
            queryset = queryset.filter(status=status.lower())
        return paginate(request, queryset.order_by("-created_at", "id"), refund_json)

    def post(self, request: Request, business_id: str) -> Response:
        data = self.payload()
        cleaned = self.clean("refund", "create", data)
        business = self.business

        def existing() -> Refund | None:
            found = Refund.objects.filter(business=business, external_id=cleaned["external_id"])
            return found.first()

        def build() -> Refund:
            invoice = ledger.lock_invoices(business, [cleaned["invoice_id"]]).get(
                cleaned["invoice_id"]
            )
            if invoice is None:
                raise field_error(
                    "invoice_id",
                    f"Invoice {cleaned['invoice_id']} does not exist in this business.",
                )
            refundable = ledger.invoice_refundable_cents(invoice)
            amount = cleaned.get("amount_cents", refundable)
            if refundable <= 0:
                raise field_error(
                    "amount_cents" if "amount_cents" in cleaned else "invoice_id",
                    "Nothing to refund: the invoice is voided or fully refunded already.",
                )
            if amount > refundable:
                raise field_error(
                    "amount_cents", f"Exceeds the refundable amount of the invoice ({refundable})."
                )
            refund = Refund.objects.create(
                business=business,
                invoice=invoice,
                customer_id=invoice.customer_id,
                external_id=cleaned["external_id"],
                amount_cents=amount,
                method=cleaned["method"],
                completed_at=cleaned["completed_at"],
                status=ledger.refund_status(0, amount),
                data=echo(data, cleaned),
            )
            ledger.refresh_invoices([invoice.id])
            return refund

        def lock() -> None:
            ledger.lock_invoices(business, [cleaned["invoice_id"]])

        refund, created = create_once(existing, build, lock)
        self.log.created = created
        return Response(
            refund_json(queries.refunds().get(id=refund.id)), status=201 if created else 200
        )


class RefundDetailView(SandboxAPIView):
    resource = "refund"
    actions = {"get": "get"}

    def get(self, request: Request, business_id: str, refund_id: str) -> Response:
        return Response(refund_json(self.get_owned(queries.refunds(), refund_id, "refund")))


class RefundPaymentListView(SandboxAPIView):
    resource = "refund_payment"
    actions = {"get": "list", "post": "create"}

    def get(self, request: Request, business_id: str, refund_id: str) -> Response:
        refund = self.get_owned(Refund.objects, refund_id, "refund")
        queryset = RefundPayment.objects.filter(refund=refund).order_by("-created_at", "id")
        return paginate(request, queryset, refund_payment_json)

    def post(self, request: Request, business_id: str, refund_id: str) -> Response:
        refund = self.get_owned(Refund.objects, refund_id, "refund")
        data = self.payload()
        cleaned = self.clean("refund_payment", "create", data)
        business = self.business

        def existing() -> RefundPayment | None:
            found = RefundPayment.objects.filter(
                business=business, external_id=cleaned["external_id"]
            ).first()
            if found is not None and found.refund_id != refund.id:
                raise conflict(
                    readings.ERROR_DUPLICATE_EXTERNAL_ID,
                    "This external_id belongs to a refund payment of another refund.",
                    {"external_id": [f"Used by a payment of refund {found.refund_id}."]},
                )
            return found

        def build() -> RefundPayment:
            locked = Refund.objects.select_for_update().get(id=refund.id)
            remaining = locked.amount_cents - locked.paid_cents
            if cleaned["amount_cents"] > remaining:
                raise field_error(
                    "amount_cents", f"Exceeds the remaining refundable amount ({remaining})."
                )
            payment = RefundPayment.objects.create(
                business=business,
                refund=locked,
                external_id=cleaned["external_id"],
                amount_cents=cleaned["amount_cents"],
                method=cleaned["method"],
                completed_at=cleaned.get("completed_at"),
                data=echo(data, cleaned),
            )
            ledger.refresh_refund(locked)
            return payment

        def lock() -> None:
            list(Refund.objects.select_for_update().filter(id=refund.id))

        payment, created = create_once(existing, build, lock)
        self.log.created = created
        return Response(refund_payment_json(payment), status=201 if created else 200)


class RefundPaymentDetailView(SandboxAPIView):
    resource = "refund_payment"
    actions = {"get": "get"}

    def get(self, request: Request, business_id: str, refund_id: str, payment_id: str) -> Response:
        refund = self.get_owned(Refund.objects, refund_id, "refund")
        canonical = parse_uuid(payment_id)
        found = (
            RefundPayment.objects.filter(refund=refund, id=canonical).first() if canonical else None
        )
        if found is None:
            raise not_found("refund_payment")
        return Response(refund_payment_json(found))
