"""How the one-shop host maps to Thred with THRED["BUSINESS"] set: no ``business`` paths.

In a real project this is the app's ``thred_mappings.py``; here ``tests.shophost.conftest``
registers it for the one-shop tests only (the main suite's host is multi-tenant).
"""

from decimal import Decimal

from django.contrib.auth import get_user_model

from thred_django import mappings

from .models import BillingAddress, Order, OrderPayment

SHOP = {
    "legal_name": "Corner Shop Ltd",
    "entity_type": "limited",
    "email": "books@corner.example",
    "country": "GB",
    "base_currency": "GBP",
}


def shop_business() -> dict:
    """THRED["BUSINESS"] as a dotted path: called whenever the business is pushed."""
    return {**SHOP, "external_id": "corner-shop"}


def cents(amount: Decimal) -> int:
    return int(amount * 100)


class UserMapping(mappings.Mapping):
    resource = "customer"
    # update_last_login saves only last_login: such saves do not mark.
    fields = ["username", "first_name", "last_name", "email"]

    def build_payload(self, obj, ctx):
        name = f"{obj.first_name} {obj.last_name}".strip() or obj.username
        return {"company_name": name, "email": obj.email}


class BillingAddressMapping(mappings.Mapping):
    resource = "customer"

    def build_payload(self, obj, ctx):
        return {"company_name": obj.name, "email": obj.email}


class OrderMapping(mappings.Mapping):
    resource = "invoice"

    def build_payload(self, obj, ctx):
        customer = obj.user or obj.billing_address
        return {
            "customer_id": ctx.thred_id(customer),
            "invoice_number": obj.number,
            "sent_at": obj.placed_at,
            "line_items": [
                {
                    "description": f"Order {obj.number}",
                    "quantity": 1,
                    "unit_price": cents(obj.total),
                }
            ],
        }


class OrderPaymentMapping(mappings.Mapping):
    resource = "payment"

    def build_payload(self, obj, ctx):
        order = obj.order
        return {
            "customer_id": ctx.thred_id(order.user or order.billing_address),
            "total_amount_cents": cents(obj.amount),
            "currency": ctx.business["base_currency"],
            "payment_method": "credit_card",
            "payment_date": obj.paid_on,
            "allocations": [{"invoice_id": ctx.thred_id(order), "amount_cents": cents(obj.amount)}],
        }


MAPPINGS = {
    get_user_model(): UserMapping,
    BillingAddress: BillingAddressMapping,
    Order: OrderMapping,
    OrderPayment: OrderPaymentMapping,
}
