"""How the sales platform's models become Thred resources — the only Thred-aware module.

Each mapping builds the request body Thred documents for its resource (see
``shared/thred-api``): amounts in integer minor units (``unit_price`` included — the
reading fixed in ``thred_django.client.gaps``), ISO date-times for invoice ``sent_at`` /
``due_at`` and other ``*_at`` fields, dates for ``payment_date`` / ``bill_date``,
``currency`` equal to the merchant's base currency, and no field sent as null (blank
values are left out). ``ctx.thred_id(obj)`` both returns a parent's Thred id and tells
the engine what must reach Thred first.

Processor fees are booked once, on the payout (``fee_cents``), not also on each card
payment, so Thred does not count them twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from django.db.models import Prefetch

from thred_django import mappings

from .models import (
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

# Our payment methods → Thred's enums (invoice payments; refunds use upper case).
PAYMENT_METHODS = {"card": "credit_card", "cash": "cash", "bank_transfer": "bank_transfer"}
REFUND_METHODS = {"card": "CREDIT_CARD", "cash": "CASH", "bank_transfer": "BANK_TRANSFER"}
BILL_PAYMENT_METHODS = {
    "bank_transfer": "bank_transfer",
    "card": "credit_card",
    "cheque": "check",
    "cash": "cash",
}
PROCESSOR_NAME = "Stripe"


def compact(payload: dict[str, Any]) -> dict[str, Any]:
    """Drop blank values: Thred documents no nullable request field."""
    return {key: value for key, value in payload.items() if value not in (None, "", [], {})}


def start_of_day(day: Any) -> datetime:
    """A date as an aware date-time (midnight UTC), for Thred's date-time fields."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def sales_taxes(tax_cents: int) -> list[dict[str, int]]:
    return [{"amount": tax_cents}] if tax_cents else []


@mappings.register(Merchant)
class MerchantMapping(mappings.BusinessMapping):
    def build_payload(self, obj: Merchant, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "legal_name": obj.legal_name,
                "entity_type": obj.legal_form,
                "email": obj.email,
                "phone_number": obj.phone,
                "country": obj.country,
                "base_currency": obj.currency,
                "vat_number": obj.vat_number,
                "company_number": obj.company_number,
                "accounting_method": "accrual",
                "metadata": {"platform_merchant_id": obj.pk, "trading_name": obj.name},
            }
        )


@mappings.register(Customer)
class CustomerMapping(mappings.Mapping):
    resource = "customer"
    business = "merchant"

    def build_payload(self, obj: Customer, ctx: Any) -> dict[str, Any]:
        name_field = "company_name" if obj.is_company else "individual_name"
        return compact(
            {
                name_field: obj.name,
                "reference_number": obj.number,
                "email": obj.email,
                "mobile_phone": obj.phone,
                "address_line1": obj.address,
                "city": obj.city,
                "postal_code": obj.postal_code,
                "country": obj.country,
                "payment_terms_days": obj.payment_terms_days,
            }
        )


@mappings.register(Vendor)
class VendorMapping(mappings.Mapping):
    resource = "vendor"
    business = "merchant"

    def build_payload(self, obj: Vendor, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "company_name": obj.name,
                "email": obj.email,
                "office_phone": obj.phone,
                "address_string": obj.address,
                "country": obj.country,
                "vat_number": obj.vat_number,
            }
        )


@mappings.register(Invoice)
class InvoiceMapping(mappings.Mapping):
    resource = "invoice"
    business = "merchant"

    def should_sync(self, obj: Invoice) -> bool:
        return obj.status != Invoice.Status.DRAFT

    def get_queryset(self):
        return super().get_queryset().select_related("customer").prefetch_related("lines")

    def build_payload(self, obj: Invoice, ctx: Any) -> dict[str, Any]:
        lines = [
            compact(
                {
                    "external_id": f"{obj.number}-{line.position}",
                    "product": line.product,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price_cents,
                    "discount_amount": line.discount_cents,
                    "sales_taxes": sales_taxes(line.tax_cents),
                }
            )
            for line in obj.lines.all()
        ]
        return compact(
            {
                "customer_id": ctx.thred_id(obj.customer),
                "invoice_number": obj.number,
                "sent_at": obj.issued_at,
                "due_at": obj.due_at,
                "memo": obj.memo,
                "line_items": lines,
            }
        )


@mappings.register(Payment)
class PaymentMapping(mappings.Mapping):
    resource = "payment"
    business = "merchant"

    def get_queryset(self):
        return super().get_queryset().select_related("merchant", "invoice__customer")

    def build_payload(self, obj: Payment, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "customer_id": ctx.thred_id(obj.invoice.customer),
                "total_amount_cents": obj.amount_cents,
                "currency": obj.merchant.currency,
                "payment_date": obj.received_on,
                "payment_method": PAYMENT_METHODS[obj.method],
                "payment_reference": obj.reference,
                "payment_processor": PROCESSOR_NAME if obj.method == "card" else "",
                "status": "completed",
                "allocations": [
                    {"invoice_id": ctx.thred_id(obj.invoice), "amount_cents": obj.amount_cents}
                ],
            }
        )


@mappings.register(Refund)
class RefundMapping(mappings.Mapping):
    resource = "refund"
    business = "merchant"

    def get_queryset(self):
        # The invoice's payments come with it: one query per batch, not one per refund.
        payments = Prefetch("invoice__payments", queryset=Payment.objects.order_by("pk"))
        return super().get_queryset().select_related("invoice").prefetch_related(payments)

    def build_payload(self, obj: Refund, ctx: Any) -> dict[str, Any]:
        # Thred refunds only money an invoice has received: the payments received up to
        # the refund must be there first.
        refunded_on = obj.refunded_at.date()
        for payment in obj.invoice.payments.all():
            if payment.received_on <= refunded_on:
                ctx.thred_id(payment)
        return compact(
            {
                "invoice_id": ctx.thred_id(obj.invoice),
                "amount_cents": obj.amount_cents,
                "method": REFUND_METHODS[obj.method],
                "completed_at": obj.refunded_at,
                "memo": obj.reason,
                "reference_number": obj.reference,
                "processor": PROCESSOR_NAME if obj.method == "card" else "",
            }
        )


@mappings.register(RefundPayment)
class RefundPaymentMapping(mappings.Mapping):
    resource = "refund_payment"
    business = "refund__merchant"

    def get_queryset(self):
        return super().get_queryset().select_related("refund")

    def build_payload(self, obj: RefundPayment, ctx: Any) -> dict[str, Any]:
        refund = obj.refund
        return compact(
            {
                "refund_id": ctx.thred_id(refund),
                "amount_cents": obj.amount_cents,
                "method": REFUND_METHODS[refund.method],
                "completed_at": obj.paid_at,
                "processor": PROCESSOR_NAME if refund.method == "card" else "",
            }
        )


@mappings.register(Payout)
class PayoutMapping(mappings.Mapping):
    resource = "payout"
    business = "merchant"

    def get_queryset(self):
        by_pk = (
            Prefetch("payments", queryset=Payment.objects.order_by("pk")),
            # (with its refund: the refund payment's business is its refund's merchant)
            Prefetch(
                "refund_payments",
                queryset=RefundPayment.objects.select_related("refund").order_by("pk"),
            ),
        )
        return super().get_queryset().select_related("merchant").prefetch_related(*by_pk)

    def build_payload(self, obj: Payout, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "processor": obj.processor,
                "processor_payout_id": obj.processor_payout_id,
                "paid_out_amount_cents": obj.paid_out_amount_cents,
                "fee_cents": obj.fee_cents,
                "currency": obj.merchant.currency,
                "status": obj.status,
                "completed_at": obj.arrived_at,
                "payment_ids": [ctx.thred_id(p) for p in obj.payments.all()],
                "refund_payment_ids": [ctx.thred_id(r) for r in obj.refund_payments.all()],
            }
        )


@mappings.register(Bill)
class BillMapping(mappings.Mapping):
    resource = "bill"
    business = "merchant"

    def get_queryset(self):
        return super().get_queryset().select_related("merchant", "vendor").prefetch_related("lines")

    def build_payload(self, obj: Bill, ctx: Any) -> dict[str, Any]:
        lines = [
            compact(
                {
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price_cents,
                    "sales_taxes": sales_taxes(line.tax_cents),
                }
            )
            for line in obj.lines.all()
        ]
        return compact(
            {
                "vendor_id": ctx.thred_id(obj.vendor),
                "bill_number": obj.number,
                "vendor_bill_number": obj.vendor_reference,
                "bill_date": obj.bill_date,
                "received_at": start_of_day(obj.bill_date),
                "due_at": start_of_day(obj.due_on),
                "currency": obj.merchant.currency,
                "line_items": lines,
            }
        )


@mappings.register(BillPayment)
class BillPaymentMapping(mappings.Mapping):
    resource = "bill_payment"
    business = "merchant"

    def get_queryset(self):
        return super().get_queryset().select_related("merchant", "bill__vendor")

    def build_payload(self, obj: BillPayment, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "vendor_id": ctx.thred_id(obj.bill.vendor),
                "amount_cents": obj.amount_cents,
                "currency": obj.merchant.currency,
                "payment_method": BILL_PAYMENT_METHODS[obj.method],
                "check_number": obj.cheque_number,
                "payment_date": obj.paid_on,
                "payment_reference": obj.reference,
                "allocations": [
                    {"bill_id": ctx.thred_id(obj.bill), "amount_cents": obj.amount_cents}
                ],
            }
        )


@mappings.register(VendorCredit)
class VendorCreditMapping(mappings.Mapping):
    resource = "vendor_credit"
    business = "merchant"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("merchant", "vendor", "bill")
            .prefetch_related("lines")
        )

    def build_payload(self, obj: VendorCredit, ctx: Any) -> dict[str, Any]:
        lines = [
            compact(
                {
                    "amount": line.net_cents,
                    "tax_amount_cents": line.tax_cents,
                    "memo": line.description,
                    "reference_number": obj.number,
                }
            )
            for line in obj.lines.all()
        ]
        payload: dict[str, Any] = {
            "vendor_id": ctx.thred_id(obj.vendor),
            "currency": obj.merchant.currency,
            "received_at": obj.received_at,
            "line_items": lines,
        }
        if obj.bill_id:
            bill_id = ctx.thred_id(obj.bill)
            payload["source_bill_id"] = bill_id
            payload["allocations"] = [{"bill_id": bill_id, "amount": obj.total_cents}]
        return payload
