"""The recipe's mappings: the tenant model is the business, every other record belongs to
the tenant whose schema is active (``business = mappings.CURRENT_TENANT``).

``TENANTS_MAPPINGS=branches``: the businesses are rows kept in each schema instead
(``Branch``, several per schema), reached by a relation path as in a one-schema host.
"""

import os
from datetime import UTC, datetime

from thred_django import mappings

from ..customers.models import Client
from .models import Branch, Customer, Invoice, Payment

BRANCHES = os.environ.get("TENANTS_MAPPINGS") == "branches"

SENT = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def cents(amount):
    return int(amount * 100)


class MerchantMapping(mappings.BusinessMapping):
    def build_payload(self, obj, ctx):
        return {
            "legal_name": obj.name,
            "entity_type": "limited",
            "email": obj.email,
            "country": obj.country,
            "base_currency": obj.currency,
        }


class CustomerMapping(mappings.Mapping):
    resource = "customer"
    business = "branch" if BRANCHES else mappings.CURRENT_TENANT

    def build_payload(self, obj, ctx):
        return {"company_name": obj.name, **({"email": obj.email} if obj.email else {})}


class InvoiceMapping(mappings.Mapping):
    resource = "invoice"
    business = "customer__branch" if BRANCHES else mappings.CURRENT_TENANT

    def get_queryset(self):
        return super().get_queryset().select_related("customer")

    def build_payload(self, obj, ctx):
        return {
            "customer_id": ctx.thred_id(obj.customer),
            "invoice_number": obj.number,
            "sent_at": SENT,
            "line_items": [
                {"description": obj.number, "quantity": 1, "unit_price": cents(obj.amount)}
            ],
        }


class PaymentMapping(mappings.Mapping):
    resource = "payment"
    business = "invoice__customer__branch" if BRANCHES else mappings.CURRENT_TENANT

    def get_queryset(self):
        return super().get_queryset().select_related("invoice__customer")

    def build_payload(self, obj, ctx):
        return {
            "customer_id": ctx.thred_id(obj.invoice.customer),
            "total_amount_cents": cents(obj.amount),
            "currency": ctx.business["base_currency"],
            "payment_method": "bank_transfer",
            "payment_date": SENT.date(),
            "allocations": [
                {"invoice_id": ctx.thred_id(obj.invoice), "amount_cents": cents(obj.amount)}
            ],
        }


mappings.register(Branch if BRANCHES else Client)(MerchantMapping)
mappings.register(Customer)(CustomerMapping)
mappings.register(Invoice)(InvoiceMapping)
mappings.register(Payment)(PaymentMapping)
