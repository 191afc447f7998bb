"""How the realhost platform maps to Thred: all 11 resources.

Money is Decimal in major units here and integer minor units in Thred (``cents``).
Statuses and soft deletes say whether an object is still active (``is_active``): a void
invoice, a deleted payment or an archived contact is voided / cancelled / archived in
Thred. Invoice and bill lines are child rows (``touched_by``): saving a line re-marks its
document.

Autodiscovery imports this module in every project that installs the app; it registers
the mappings only when ``settings.REALHOST_REGISTER`` is true (the convergence site). The
test suite installs realhost next to tests/testapp, whose tenant is mapped already (one
business mapping per registry), so its tests swap them in with ``install()``
(tests/lifecycle/conftest.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings

from thred_django import mappings

from . import models as m

PAYMENT_METHODS = {"card": "credit_card", "bank_transfer": "bank_transfer", "cash": "cash"}


def cents(amount: Decimal) -> int:
    """Major units (Decimal, two places) → integer minor units, half up."""
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def at_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def compact(payload: dict[str, Any]) -> dict[str, Any]:
    """Blank values are left out: Thred documents no nullable request field."""
    return {k: v for k, v in payload.items() if v not in (None, "", [], {})}


def live(obj: Any) -> bool:
    return obj.deleted_at is None and getattr(obj, "status", "") != "void"


class CompanyMapping(mappings.BusinessMapping):
    def build_payload(self, obj: m.Company, ctx: Any) -> dict[str, Any]:
        return {
            "legal_name": obj.legal_name,
            "entity_type": "limited",
            "email": obj.email,
            "country": obj.country,
            "base_currency": obj.currency,
        }


class ContactMapping(mappings.Mapping):
    resource = "customer"
    business = "company"

    def is_active(self, obj: m.Contact) -> bool:
        return live(obj) and not obj.archived

    def build_payload(self, obj: m.Contact, ctx: Any) -> dict[str, Any]:
        return compact({"company_name": obj.name, "email": obj.email})


class SupplierMapping(mappings.Mapping):
    resource = "vendor"
    business = "company"

    def is_active(self, obj: m.Supplier) -> bool:
        return live(obj) and not obj.archived

    def build_payload(self, obj: m.Supplier, ctx: Any) -> dict[str, Any]:
        return compact({"company_name": obj.name, "email": obj.email})


class InvoiceMapping(mappings.Mapping):
    resource = "invoice"
    business = "company"
    touched_by = {"realhost.InvoiceLine": "invoice"}

    def get_queryset(self) -> Any:
        return m.Invoice.objects.select_related("contact").prefetch_related("lines")

    def should_sync(self, obj: m.Invoice) -> bool:
        return obj.status != "draft"

    def is_active(self, obj: m.Invoice) -> bool:
        return live(obj)

    def build_payload(self, obj: m.Invoice, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "customer_id": ctx.thred_id(obj.contact),
                "invoice_number": obj.number,
                "sent_at": at_midnight(obj.issued_on),
                "due_at": at_midnight(obj.due_on) if obj.due_on else None,
                "memo": obj.memo,
                "line_items": [
                    {
                        "description": line.description,
                        "quantity": line.quantity,
                        "unit_price": cents(line.unit_price),
                    }
                    for line in obj.lines.all()
                ],
            }
        )


class PaymentMapping(mappings.Mapping):
    resource = "payment"
    business = "company"

    def get_queryset(self) -> Any:
        return m.Payment.objects.select_related("invoice__contact")

    def is_active(self, obj: m.Payment) -> bool:
        return live(obj)

    def build_payload(self, obj: m.Payment, ctx: Any) -> dict[str, Any]:
        amount = cents(obj.amount)
        return compact(
            {
                "customer_id": ctx.thred_id(obj.invoice.contact),
                "total_amount_cents": amount,
                "currency": ctx.business["base_currency"],
                "payment_date": obj.received_on,
                "payment_method": PAYMENT_METHODS[obj.method],
                "status": "pending" if obj.status == "pending" else "completed",
                "payment_reference": obj.reference,
                "allocations": [{"invoice_id": ctx.thred_id(obj.invoice), "amount_cents": amount}],
            }
        )


class PayoutMapping(mappings.Mapping):
    resource = "payout"
    business = "company"

    def is_active(self, obj: m.Payout) -> bool:
        return live(obj)

    def build_payload(self, obj: m.Payout, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "processor": "stripe",
                "paid_out_amount_cents": cents(obj.amount),
                "fee_cents": cents(obj.fee),
                "currency": ctx.business["base_currency"],
                "status": "paid",
                "completed_at": obj.paid_at,
                "memo": obj.memo,
                "payment_ids": [ctx.thred_id(p) for p in obj.payments.order_by("pk")],
            }
        )


class RefundMapping(mappings.Mapping):
    resource = "refund"
    business = "company"

    def is_active(self, obj: m.Refund) -> bool:
        return live(obj)

    def build_payload(self, obj: m.Refund, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "invoice_id": ctx.thred_id(obj.invoice),
                "amount_cents": cents(obj.amount),
                "method": "BANK_TRANSFER",
                "completed_at": obj.refunded_at,
                "memo": obj.memo,
            }
        )


class RefundPaymentMapping(mappings.Mapping):
    resource = "refund_payment"
    business = "refund__company"

    def get_queryset(self) -> Any:
        return m.RefundPayment.objects.select_related("refund")

    def is_active(self, obj: m.RefundPayment) -> bool:
        return live(obj)

    def build_payload(self, obj: m.RefundPayment, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "refund_id": ctx.thred_id(obj.refund),
                "amount_cents": cents(obj.amount),
                "method": "BANK_TRANSFER",
                "completed_at": obj.paid_at,
                "memo": obj.memo,
            }
        )


class BillMapping(mappings.Mapping):
    resource = "bill"
    business = "company"
    touched_by = {"realhost.BillLine": "bill"}

    def get_queryset(self) -> Any:
        return m.Bill.objects.select_related("supplier").prefetch_related("lines")

    def is_active(self, obj: m.Bill) -> bool:
        return live(obj)

    def build_payload(self, obj: m.Bill, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "vendor_id": ctx.thred_id(obj.supplier),
                "bill_number": obj.number,
                "bill_date": obj.issued_on,
                "currency": ctx.business["base_currency"],
                "memo": obj.memo,
                "line_items": [
                    {
                        "description": line.description,
                        "quantity": line.quantity,
                        "unit_price": cents(line.unit_price),
                    }
                    for line in obj.lines.all()
                ],
            }
        )


class BillPaymentMapping(mappings.Mapping):
    resource = "bill_payment"
    business = "company"

    def get_queryset(self) -> Any:
        return m.BillPayment.objects.select_related("bill__supplier")

    def is_active(self, obj: m.BillPayment) -> bool:
        return live(obj)

    def build_payload(self, obj: m.BillPayment, ctx: Any) -> dict[str, Any]:
        amount = cents(obj.amount)
        return compact(
            {
                "vendor_id": ctx.thred_id(obj.bill.supplier),
                "amount_cents": amount,
                "currency": ctx.business["base_currency"],
                "payment_method": "bank_transfer",
                "payment_date": obj.paid_on,
                "status": "pending" if obj.status == "pending" else "completed",
                "payment_reference": obj.reference,
                "allocations": [{"bill_id": ctx.thred_id(obj.bill), "amount_cents": amount}],
            }
        )


class VendorCreditMapping(mappings.Mapping):
    resource = "vendor_credit"
    business = "company"

    def get_queryset(self) -> Any:
        return m.VendorCredit.objects.select_related("supplier")

    def is_active(self, obj: m.VendorCredit) -> bool:
        return live(obj)

    def build_payload(self, obj: m.VendorCredit, ctx: Any) -> dict[str, Any]:
        return compact(
            {
                "vendor_id": ctx.thred_id(obj.supplier),
                "currency": ctx.business["base_currency"],
                "received_at": obj.received_at,
                "line_items": [{"amount": cents(obj.amount), "memo": obj.memo or "Credit"}],
            }
        )


MAPPINGS: dict[type, type[mappings.Mapping]] = {
    m.Company: CompanyMapping,
    m.Contact: ContactMapping,
    m.Supplier: SupplierMapping,
    m.Invoice: InvoiceMapping,
    m.Payment: PaymentMapping,
    m.Payout: PayoutMapping,
    m.Refund: RefundMapping,
    m.RefundPayment: RefundPaymentMapping,
    m.Bill: BillMapping,
    m.BillPayment: BillPaymentMapping,
    m.VendorCredit: VendorCreditMapping,
}


def install(registry: mappings.Registry = mappings.registry) -> None:
    """Register every realhost mapping (the registry must have no other business)."""
    for model, mapping_class in MAPPINGS.items():
        registry.register(model, mapping_class)


if getattr(settings, "REALHOST_REGISTER", False):
    install()
