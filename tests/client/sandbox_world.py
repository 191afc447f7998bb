"""Valid payloads and a small object graph for driving the client against the sandbox.

``World(client)`` creates, through the client under test, one business with a customer,
an invoice, a payment, a refund, a refund payment and a payout (AR), and a vendor, a
bill, a bill payment and a vendor credit (AP), each on first access.
"""

from __future__ import annotations

import itertools
from functools import cached_property
from typing import Any

from thred_django.client import ThredClient

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def business_payload(**overrides: Any) -> dict[str, Any]:
    return {
        "external_id": unique("biz"),
        "legal_name": "Acme Coffee Ltd",
        "entity_type": "limited",
        "email": "owner@acme.test",
        "country": "GB",
        "base_currency": "GBP",
        **overrides,
    }


def customer_payload(**overrides: Any) -> dict[str, Any]:
    return {
        "external_id": unique("cust"),
        "company_name": "Bob's Bakery",
        "email": "bob@bakery.test",
        **overrides,
    }


def vendor_payload(**overrides: Any) -> dict[str, Any]:
    return {
        "external_id": unique("ven"),
        "company_name": "Bean Supplier Ltd",
        "email": "ap@beans.test",
        **overrides,
    }


def invoice_payload(customer_id: str, *, unit_price: int = 5000, **overrides: Any) -> dict:
    return {
        "external_id": unique("inv"),
        "customer_id": customer_id,
        "sent_at": "2025-01-15T10:00:00Z",
        "due_at": "2025-02-14T10:00:00Z",
        "line_items": [{"quantity": 2, "unit_price": unit_price, "description": "Coffee beans"}],
        **overrides,
    }


def payment_payload(customer_id: str, invoice_id: str, amount: int = 10000, **overrides: Any):
    return {
        "external_id": unique("pay"),
        "customer_id": customer_id,
        "total_amount_cents": amount,
        "allocations": [{"invoice_id": invoice_id, "amount_cents": amount}],
        "payment_date": "2025-01-20",
        "currency": "GBP",
        "payment_method": "bank_transfer",
        **overrides,
    }


def refund_payload(invoice_id: str, amount: int = 2500, **overrides: Any) -> dict[str, Any]:
    return {
        "external_id": unique("ref"),
        "invoice_id": invoice_id,
        "method": "BANK_TRANSFER",
        "completed_at": "2025-01-25T10:00:00Z",
        "amount_cents": amount,
        **overrides,
    }


def refund_payment_payload(amount: int = 2500, **overrides: Any) -> dict[str, Any]:
    return {
        "external_id": unique("refpay"),
        "amount_cents": amount,
        "method": "BANK_TRANSFER",
        "completed_at": "2025-01-26T10:00:00Z",
        **overrides,
    }


def payout_payload(payment_ids: list[str], refund_payment_ids: list[str], **overrides: Any):
    return {
        "external_id": unique("po"),
        "processor": "stripe",
        "paid_out_amount_cents": 7200,
        "fee_cents": 300,
        "currency": "GBP",
        "status": "paid",
        "completed_at": "2025-01-28T10:00:00Z",
        "payment_ids": payment_ids,
        "refund_payment_ids": refund_payment_ids,
        **overrides,
    }


def bill_payload(vendor_id: str, *, unit_price: int = 20000, **overrides: Any) -> dict:
    return {
        "external_id": unique("bill"),
        "vendor_id": vendor_id,
        "bill_date": "2025-01-10",
        "due_at": "2025-02-10T00:00:00Z",
        "currency": "GBP",
        "line_items": [{"quantity": 1, "unit_price": unit_price, "description": "Beans"}],
        **overrides,
    }


def bill_payment_payload(vendor_id: str, bill_id: str, amount: int = 20000, **overrides: Any):
    return {
        "external_id": unique("bp"),
        "vendor_id": vendor_id,
        "amount_cents": amount,
        "currency": "GBP",
        "payment_method": "bank_transfer",
        "payment_date": "2025-01-20",
        "allocations": [{"bill_id": bill_id, "amount_cents": amount}],
        **overrides,
    }


def vendor_credit_payload(vendor_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "external_id": unique("vc"),
        "vendor_id": vendor_id,
        "currency": "GBP",
        "received_at": "2025-01-22T10:00:00Z",
        "line_items": [{"amount": 1000, "memo": "Damaged sacks"}],
        **overrides,
    }


class World:
    """Objects created lazily through ``client``; each property holds the response data."""

    def __init__(self, client: ThredClient) -> None:
        self.client = client

    @cached_property
    def business(self) -> dict[str, Any]:
        return dict(self.client.create_business(business_payload()).data)

    @property
    def business_id(self) -> str:
        return str(self.business["id"])

    @cached_property
    def customer(self) -> dict[str, Any]:
        return dict(self.client.create_customer(self.business_id, customer_payload()).data)

    @cached_property
    def invoice(self) -> dict[str, Any]:
        data = invoice_payload(self.customer["id"])
        return dict(self.client.create_invoice(self.business_id, data).data)

    @cached_property
    def payment(self) -> dict[str, Any]:
        data = payment_payload(self.customer["id"], self.invoice["id"])
        return dict(self.client.create_payment(self.business_id, data).data["payment"])

    @cached_property
    def refund(self) -> dict[str, Any]:
        self.payment
        data = refund_payload(self.invoice["id"])
        return dict(self.client.create_refund(self.business_id, data).data)

    @cached_property
    def refund_payment(self) -> dict[str, Any]:
        response = self.client.create_refund_payment(
            self.business_id, self.refund["id"], refund_payment_payload()
        )
        return dict(response.data)

    @cached_property
    def payout(self) -> dict[str, Any]:
        data = payout_payload([self.payment["id"]], [self.refund_payment["id"]])
        return dict(self.client.upsert_payout(self.business_id, data).data)

    @cached_property
    def vendor(self) -> dict[str, Any]:
        return dict(self.client.create_vendor(self.business_id, vendor_payload()).data)

    @cached_property
    def bill(self) -> dict[str, Any]:
        data = bill_payload(self.vendor["id"])
        return dict(self.client.create_bill(self.business_id, data).data)

    @cached_property
    def bill_payment(self) -> dict[str, Any]:
        data = bill_payment_payload(self.vendor["id"], self.bill["id"])
        return dict(self.client.create_bill_payment(self.business_id, data).data)

    @cached_property
    def vendor_credit(self) -> dict[str, Any]:
        data = vendor_credit_payload(self.vendor["id"])
        return dict(self.client.create_vendor_credit(self.business_id, data).data)
